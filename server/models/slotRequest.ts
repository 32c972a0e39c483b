import mongoose, { Schema, type InferSchemaType } from "mongoose";

// The bot asked the customer for a slot its chosen answer needs ("What is your order number?"). The next
// customer message is read for it before the model runs again: one clarifying turn, then the answer or a
// hand-off. One per conversation (unique), removed when used.
const slotRequestSchema = new Schema(
  {
    conversationId: { type: Schema.Types.ObjectId, ref: "Conversation", required: true, unique: true },
    answerId: { type: Schema.Types.ObjectId, ref: "Answer", required: true },
    slot: { type: String, required: true },
    // The message the question answered; its reply's lineage (model, confidence) carries over.
    askedFor: { type: Schema.Types.ObjectId, ref: "Message", required: true },
    modelVersion: { type: String, default: null },
    confidence: { type: Number, default: null },
  },
  { timestamps: { createdAt: true, updatedAt: false } },
);

export type SlotRequestAttrs = InferSchemaType<typeof slotRequestSchema>;
export const SlotRequest = mongoose.model("SlotRequest", slotRequestSchema);
