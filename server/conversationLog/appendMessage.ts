import { Types } from "mongoose";
import type { AppContext } from "../context.js";
import { Conversation, type ConversationDoc, type ConversationStatus } from "../models/conversation.js";
import { Message, type MessageAttrs, type MessageDoc } from "../models/message.js";
import { notFound } from "../errors.js";
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
  /** Store nothing (and resolve to null) when the conversation is in one of these states when the message is written. */
  unlessStatus?: readonly ConversationStatus[];
  /**
   * The conversation's `lastSeq` as the caller has just read or written it: saves the read (without
   * unlessStatus, which needs a fresh status). A stale value only costs a retry on the seq index.
   */
  lastSeq?: number;
}

/**
 * Stores one message in a conversation and tells both sides. Without transactions, and with each write
 * costing a commit on the embedded SQLite, the steps are: read the conversation's `lastSeq` (a read, which
 * never waits for a writer), insert the message with the next `seq`, then update the conversation's
 * summary, which also moves `lastSeq` up to it (`$max`, so a slower writer never moves it back). Two
 * writes per message; the summary is written only once the message is stored.
 *
 * Races: the unique (conversationId, seq) index lets one of two writers that read the same `lastSeq` store
 * it; the other re-reads the highest stored seq and takes the next (the summary of the winner may not be
 * written yet, so `lastSeq` alone would hand it the same number again). The unique (conversationId,
 * clientId) index makes a resend land on the stored copy. Callers that expect resends look for the stored
 * copy first; here the unique index alone decides, so a first send costs no extra lookup. A failed insert
 * writes nothing; a failed summary leaves `lastSeq` behind the stored seq, which the next writer's retry
 * corrects.
 */
export async function appendMessage(
  ctx: AppContext,
  conversationId: Types.ObjectId,
  fields: NewMessage,
  opts?: Omit<AppendOptions, "unlessStatus">,
): Promise<RecordResult>;
export async function appendMessage(
  ctx: AppContext,
  conversationId: Types.ObjectId,
  fields: NewMessage,
  opts: AppendOptions,
): Promise<RecordResult | null>;
export async function appendMessage(
  ctx: AppContext,
  conversationId: Types.ObjectId,
  fields: NewMessage,
  opts: AppendOptions = {},
): Promise<RecordResult | null> {
  let lastSeq = opts.unlessStatus ? undefined : opts.lastSeq;
  if (lastSeq === undefined) {
    const condition = opts.unlessStatus ? { status: { $nin: [...opts.unlessStatus] } } : {};
    const current = await Conversation.findOne({ _id: conversationId, ...condition })
      .select("lastSeq")
      .lean();
    if (!current) {
      if (opts.unlessStatus && (await Conversation.exists({ _id: conversationId }))) return null;
      throw notFound("Conversation");
    }
    lastSeq = current.lastSeq ?? 0;
  }
  let seq = lastSeq + 1;
  let message: MessageDoc | null = null;
  for (let attempt = 0; !message; attempt++) {
    try {
      message = await Message.create({ ...fields, conversationId, seq });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      // Lost a race with the same resend: the winner's copy is the message.
      const winner = await Message.findOne({ conversationId, clientId: fields.clientId });
      if (winner) return { conversation: await loadConversation(conversationId), message: winner, duplicate: true };
      // Otherwise another writer stored this seq first: take the one after the highest stored.
      if (attempt >= 20) throw err;
      const highest = await Message.findOne({ conversationId }).sort({ seq: -1 }).select("seq").lean();
      seq = Math.max(seq, highest?.seq ?? 0) + 1;
    }
  }
  const conversation = await writeSummary(conversationId, message, fields);
  ctx.events.publish({ type: "message.created", conversation, message });
  await messageStoredEvents(conversation, message);
  return { conversation, message, duplicate: false };
}

/** What agents' lists show of a conversation, after one of its messages is stored. */
export function summaryOf(fields: Pick<NewMessage, "role" | "text">, at: Date) {
  return {
    lastMessageAt: at,
    lastMessagePreview: fields.text.slice(0, PREVIEW_LENGTH),
    ...(fields.role === "agent" ? { unreadByAgents: 0 } : {}),
  };
}

async function writeSummary(conversationId: Types.ObjectId, message: MessageDoc, fields: NewMessage): Promise<ConversationDoc> {
  const update: Record<string, unknown> = {
    $set: summaryOf(fields, message.createdAt ?? new Date()),
    $max: { lastSeq: message.seq },
    ...(fields.role === "customer" ? { $inc: { unreadByAgents: 1 } } : {}),
  };
  const conversation = await Conversation.findOneAndUpdate({ _id: conversationId }, update, { new: true });
  if (!conversation) throw notFound("Conversation");
  return conversation;
}

/**
 * A customer's first message in a new conversation: the conversation is created with its summary already
 * written (`lastSeq` 1, the preview, one unread), then the message is inserted as seq 1 — two writes. The
 * conversation is new, so nothing can race for its seq or client id. If the insert fails the conversation is
 * left without messages; recordCustomerMessage reuses such a conversation on the resend instead of opening
 * another.
 */
export async function openConversation(
  ctx: AppContext,
  attrs: { customerId: string; channel: { origin: string | null; pageUrl: string | null; userAgent: string | null; language: string } },
  fields: NewMessage & { role: "customer" },
): Promise<RecordResult> {
  const at = new Date();
  const conversation = await Conversation.create({ ...attrs, status: "bot", lastSeq: 1, unreadByAgents: 1, ...summaryOf(fields, at) });
  const message = await Message.create({ ...fields, conversationId: conversation._id, seq: 1, createdAt: at, updatedAt: at });
  ctx.events.publish({ type: "message.created", conversation, message });
  await messageStoredEvents(conversation, message);
  return { conversation, message, duplicate: false };
}

async function loadConversation(conversationId: Types.ObjectId): Promise<ConversationDoc> {
  const c = await Conversation.findById(conversationId);
  if (!c) throw notFound("Conversation");
  return c;
}
