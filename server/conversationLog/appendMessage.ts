import { Types } from "mongoose";
import type { AppContext } from "../context.js";
import { Conversation, type ConversationDoc, type ConversationStatus } from "../models/conversation.js";
import { Message, type MessageAttrs, type MessageDoc } from "../models/message.js";
import { publishConversation, publishMessage } from "../gateway/broadcast.js";
import { ChatError } from "./errors.js";
import { PREVIEW_LENGTH } from "./limits.js";
import { messageStoredEvents } from "../webhooks/events.js";

export interface RecordResult {
  conversation: ConversationDoc;
  message: MessageDoc;
  // True when (conversationId, clientId) was already stored: the stored message is returned, nothing written.
  duplicate: boolean;
}

export interface NewMessage {
  role: MessageAttrs["role"];
  text: string;
  clientId: string;
  authorId?: Types.ObjectId | null;
  bot?: {
    modelVersion: string;
    answerId: Types.ObjectId | null;
    confidence: number;
    replyId: string;
    alternatives: { answerId: string; confidence: number }[];
    inReplyTo: Types.ObjectId | null;
  } | null;
  handoffReason?: string | null;
}

const isDuplicateKey = (err: unknown) => (err as { code?: number }).code === 11000;

export interface AppendOptions {
  /** Store nothing (and resolve to null) when the conversation is in one of these states at allocation time. */
  unlessStatus?: readonly ConversationStatus[];
}

/**
 * Stores one message in a conversation and tells both sides. Without transactions the steps are:
 * allocate `seq` ($inc on the conversation), insert (the unique (conversationId, clientId) index makes
 * a resend land on the stored copy), then update the conversation's summary. A failed insert leaves
 * only a gap in `seq`, which readers tolerate. Callers that expect resends look for the stored copy
 * first; here the unique index alone decides, so a first send costs no extra lookup.
 */
export async function appendMessage(ctx: AppContext, conversationId: Types.ObjectId, fields: NewMessage): Promise<RecordResult>;
export async function appendMessage(ctx: AppContext, conversationId: Types.ObjectId, fields: NewMessage, opts: AppendOptions): Promise<RecordResult | null>;
export async function appendMessage(ctx: AppContext, conversationId: Types.ObjectId, fields: NewMessage, opts: AppendOptions = {}): Promise<RecordResult | null> {
  let message: MessageDoc | null = null;
  let conversation: ConversationDoc | null = null;
  const condition = opts.unlessStatus ? { status: { $nin: [...opts.unlessStatus] } } : {};
  for (let attempt = 0; !message; attempt++) {
    const allocated = await Conversation.findOneAndUpdate({ _id: conversationId, ...condition }, { $inc: { lastSeq: 1 } }, { new: true });
    if (!allocated) {
      if (opts.unlessStatus && (await Conversation.exists({ _id: conversationId }))) return null;
      throw new ChatError("not_found", "Conversation not found");
    }
    conversation = allocated;
    try {
      message = await Message.create({ ...fields, conversationId, seq: allocated.lastSeq });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      // Lost a race with the same resend: the winner's copy is the message.
      const winner = await Message.findOne({ conversationId, clientId: fields.clientId });
      if (winner) return { conversation: await loadConversation(conversationId), message: winner, duplicate: true };
      // Otherwise another writer was handed the same seq (concurrent $inc is not atomic on FerretDB):
      // take the next one.
      if (attempt >= 20) throw err;
    }
  }

  const summary: Record<string, unknown> = {
    $set: {
      lastMessageAt: message.createdAt ?? new Date(),
      lastMessagePreview: fields.text.slice(0, PREVIEW_LENGTH),
      ...(fields.role === "agent" ? { unreadByAgents: 0 } : {}),
    },
    ...(fields.role === "customer" ? { $inc: { unreadByAgents: 1 } } : {}),
  };
  conversation = (await Conversation.findOneAndUpdate({ _id: conversationId }, summary, { new: true })) ?? conversation!;

  publishMessage(ctx.io, conversation, message);
  publishConversation(ctx.io, conversation);
  await messageStoredEvents(conversation, message);
  return { conversation, message, duplicate: false };
}

async function loadConversation(conversationId: Types.ObjectId): Promise<ConversationDoc> {
  const c = await Conversation.findById(conversationId);
  if (!c) throw new ChatError("not_found", "Conversation not found");
  return c;
}
