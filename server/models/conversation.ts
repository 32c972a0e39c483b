import mongoose, { Schema, type InferSchemaType, type HydratedDocument } from "mongoose";

export const CONVERSATION_STATUSES = ["bot", "waiting", "agent", "closed"] as const;
export type ConversationStatus = (typeof CONVERSATION_STATUSES)[number];

const conversationSchema = new Schema(
  {
    // Anonymous id the widget was issued; every customer-facing query filters by it.
    customerId: { type: String, required: true },
    customerName: { type: String, default: null },
    customerEmail: { type: String, default: null },
    status: { type: String, enum: CONVERSATION_STATUSES, default: "bot", required: true },
    channel: {
      origin: { type: String, default: null },
      pageUrl: { type: String, default: null },
      userAgent: { type: String, default: null },
      language: { type: String, default: "en" },
    },
    assignedAgentId: { type: Schema.Types.ObjectId, ref: "User", default: null },
    // The highest message seq stored: read before an insert (next = lastSeq + 1), raised with $max after it
    // (server/conversationLog/appendMessage.ts), so messages have a gap-tolerant order for resync.
    lastSeq: { type: Number, default: 0 },
    lastMessageAt: { type: Date, default: null },
    lastMessagePreview: { type: String, default: "" },
    unreadByAgents: { type: Number, default: 0 },
    waitingSince: { type: Date, default: null },
    closedAt: { type: Date, default: null },
  },
  { timestamps: true },
);

conversationSchema.index({ customerId: 1, updatedAt: -1 });
conversationSchema.index({ status: 1, lastMessageAt: -1 });
conversationSchema.index({ updatedAt: 1 });

export type ConversationAttrs = InferSchemaType<typeof conversationSchema>;
export type ConversationDoc = HydratedDocument<ConversationAttrs>;
export const Conversation = mongoose.model("Conversation", conversationSchema);
