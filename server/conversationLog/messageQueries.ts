import { Types } from "mongoose";
import { Conversation, type ConversationDoc } from "../models/conversation.js";
import { Message } from "../models/message.js";
import type { MessageLike } from "../presenters/message.js";
import { notFound } from "../errors.js";
import { toObjectId } from "./messageRecorder.js";

export const MAX_SYNC_MESSAGES = 500;

/** Messages after `afterSeq`, oldest first: what a reconnecting client missed. */
export async function messagesSince(
  conversationId: Types.ObjectId | string,
  afterSeq = 0,
  limit = MAX_SYNC_MESSAGES,
): Promise<MessageLike[]> {
  const id = typeof conversationId === "string" ? toObjectId(conversationId) : conversationId;
  return (await Message.find({ conversationId: id, seq: { $gt: afterSeq } })
    .sort({ seq: 1 })
    .limit(Math.min(Math.max(limit, 1), MAX_SYNC_MESSAGES))
    .lean()) as MessageLike[];
}

/** The customer's own conversation, or not_found (never forbidden: ids of others are not revealed). */
export async function findCustomerConversation(customerId: string, conversationId: string): Promise<ConversationDoc> {
  const conversation = await Conversation.findOne({ _id: toObjectId(conversationId), customerId });
  if (!conversation) throw notFound("Conversation");
  return conversation;
}

/** The conversation a returning widget resumes: the customer's most recent one that is not closed. */
export async function latestOpenConversation(customerId: string): Promise<ConversationDoc | null> {
  return Conversation.findOne({ customerId, status: { $ne: "closed" } }).sort({ updatedAt: -1 });
}

export async function customerConversations(customerId: string, limit = 20): Promise<ConversationDoc[]> {
  return Conversation.find({ customerId }).sort({ updatedAt: -1 }).limit(limit);
}
