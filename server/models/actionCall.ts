import mongoose, { Schema, type InferSchemaType } from "mongoose";

export const ACTION_CALL_OUTCOMES = ["ok", "timeout", "http_error", "error", "bad_response", "blocked", "unverified"] as const;
export type ActionCallOutcome = (typeof ACTION_CALL_OUTCOMES)[number];

// One call of an action: what happened and how long it took. Never the request or response body, header
// values or secrets — only which slots were sent (names) and which fields came back (names).
const actionCallSchema = new Schema(
  {
    actionId: { type: Schema.Types.ObjectId, ref: "Action", required: true },
    actionName: { type: String, required: true },
    conversationId: { type: Schema.Types.ObjectId, ref: "Conversation", default: null },
    messageId: { type: Schema.Types.ObjectId, ref: "Message", default: null },
    requestId: { type: String, required: true },
    outcome: { type: String, enum: ACTION_CALL_OUTCOMES, required: true },
    httpStatus: { type: Number, default: null },
    durationMs: { type: Number, default: 0 },
    // Short, body-free: "ECONNREFUSED", "order.status: Required", "resolves to a private address".
    detail: { type: String, default: null, maxlength: 300 },
    slotNames: [{ type: String }],
    preview: { type: Boolean, default: false },
  },
  { timestamps: { createdAt: true, updatedAt: false } },
);

actionCallSchema.index({ conversationId: 1, createdAt: 1 });
actionCallSchema.index({ actionId: 1, createdAt: -1 });

export type ActionCallAttrs = InferSchemaType<typeof actionCallSchema>;
export const ActionCall = mongoose.model("ActionCall", actionCallSchema);
