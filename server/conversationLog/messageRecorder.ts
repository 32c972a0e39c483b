import crypto from "node:crypto";
import { Types } from "mongoose";
import type { AppContext } from "../context.js";
import type { BotReply, HandoffReason } from "../bot/types.js";
import { Conversation, type ConversationDoc } from "../models/conversation.js";
import { Message } from "../models/message.js";
import { appendMessage, openConversation, type RecordResult } from "./appendMessage.js";
import { withCustomerLock } from "./customerLock.js";
import { AppError, invalidInput, notFound } from "../errors.js";
import { checkMessageText, MAX_CLIENT_ID_LENGTH } from "./limits.js";

export type { RecordResult } from "./appendMessage.js";

/** While a conversation is in these states the bot stays silent. */
export const PEOPLE_TALKING = ["agent", "closed"] as const;

export interface CustomerChannel {
  origin?: string | null;
  pageUrl?: string | null;
  userAgent?: string | null;
  language?: string | null;
}

export interface CustomerMessageInput {
  customerId: string;
  // Absent for the first message; a closed conversation also starts a new one.
  conversationId?: string | null;
  clientId: string;
  text: string;
  channel?: CustomerChannel;
}

function validText(text: unknown): string {
  const checked = checkMessageText(text);
  if (!checked.ok) throw invalidInput(checked.reason);
  return checked.text;
}

function validClientId(clientId: unknown): string {
  if (typeof clientId !== "string" || clientId.length === 0 || clientId.length > MAX_CLIENT_ID_LENGTH) {
    throw invalidInput(`clientId must be 1-${MAX_CLIENT_ID_LENGTH} characters`);
  }
  return clientId;
}

export function toObjectId(id: unknown, what = "Conversation"): Types.ObjectId {
  if (typeof id !== "string" || !Types.ObjectId.isValid(id) || !/^[0-9a-f]{24}$/i.test(id)) {
    throw notFound(what);
  }
  return new Types.ObjectId(id);
}

/** messageRecorder for the widget: stores the customer's message, opening a conversation when needed. */
export async function recordCustomerMessage(ctx: AppContext, input: CustomerMessageInput): Promise<RecordResult> {
  const text = validText(input.text);
  const clientId = validClientId(input.clientId);
  return withCustomerLock(input.customerId, async () => {
    // A resend may name no conversation (the first ack was lost) or an old one: look across the customer's.
    const own = await Conversation.find({ customerId: input.customerId }).select("_id status lastSeq").lean();
    if (own.length > 0) {
      const stored = await Message.findOne({ conversationId: { $in: own.map((c) => c._id) }, clientId });
      if (stored) {
        const conversation = await Conversation.findById(stored.conversationId);
        if (conversation) return { conversation, message: stored, duplicate: true };
      }
    }

    let conversation: ConversationDoc | null = null;
    if (input.conversationId) {
      conversation = await Conversation.findOne({ _id: toObjectId(input.conversationId), customerId: input.customerId });
      if (!conversation) throw notFound("Conversation");
      if (conversation.status === "closed") conversation = null;
    }
    if (!conversation) {
      // A conversation left without messages by a failed first attempt (database error between its two writes)
      // is reused, so retries do not leave empty conversations in the agents' list. Only one the bot still has
      // with at most one seq handed out can be empty; whether it is costs one indexed read.
      const candidate = own.find((c) => c.status === "bot" && (c.lastSeq ?? 0) <= 1);
      if (candidate && !(await Message.exists({ conversationId: candidate._id }))) {
        // Its first message will be seq 1 again (webhooks' conversation.created keys on it).
        conversation = await Conversation.findOneAndUpdate({ _id: candidate._id, status: "bot" }, { $set: { lastSeq: 0 } }, { new: true });
      }
    }
    if (!conversation) {
      const ch = input.channel ?? {};
      return openConversation(
        ctx,
        {
          customerId: input.customerId,
          channel: {
            origin: ch.origin ?? null,
            pageUrl: ch.pageUrl ?? null,
            userAgent: ch.userAgent ?? null,
            language: ch.language ?? "en",
          },
        },
        { role: "customer", text, clientId },
      );
    }
    return appendMessage(ctx, conversation._id, { role: "customer", text, clientId }, { lastSeq: conversation.lastSeq ?? 0 });
  });
}

export interface AgentMessageInput {
  conversationId: string;
  agentId: string;
  clientId: string;
  text: string;
}

/** messageRecorder for the console. Assignment and status belong to conversationAssigner. */
export async function recordAgentMessage(ctx: AppContext, input: AgentMessageInput): Promise<RecordResult> {
  const text = validText(input.text);
  const clientId = validClientId(input.clientId);
  const conversationId = toObjectId(input.conversationId);
  const conversation = await Conversation.findById(conversationId).select("status").lean();
  if (!conversation) throw notFound("Conversation");
  const stored = await Message.findOne({ conversationId, clientId });
  if (stored) return { conversation: (await Conversation.findById(conversationId))!, message: stored, duplicate: true };
  if (conversation.status === "closed") throw new AppError(409, "conversation_closed", "The conversation is closed");
  return appendMessage(ctx, conversationId, { role: "agent", text, clientId, authorId: toObjectId(input.agentId, "Agent") });
}

/**
 * Stores a bot reply, unless an agent took the conversation over (or it was closed) while the model was
 * thinking: then nothing is stored and the result is null. Its clientId derives from the message it
 * answers, so answering twice stores once.
 */
export async function recordBotReply(
  ctx: AppContext,
  conversation: Pick<ConversationDoc, "_id">,
  decision: BotReply,
  inReplyTo: Types.ObjectId | string,
): Promise<RecordResult | null> {
  const text = validText(decision.text);
  return appendMessage(
    ctx,
    conversation._id,
    {
      role: "bot",
      text,
      clientId: `bot:${String(inReplyTo)}`,
      bot: {
        modelVersion: decision.modelVersion,
        answerId: Types.ObjectId.isValid(decision.answerId) ? new Types.ObjectId(decision.answerId) : null,
        confidence: decision.confidence,
        replyId: decision.replyId,
        alternatives: decision.alternatives.map((a) => ({ answerId: a.answerId, confidence: a.confidence })),
        inReplyTo: new Types.ObjectId(String(inReplyTo)),
      },
    },
    { unlessStatus: PEOPLE_TALKING },
  );
}

/** A notice from the system (hand-off, agent joined, closed). Pass a clientId to make it idempotent. */
export async function recordSystemMessage(
  ctx: AppContext,
  // With lastSeq when the caller has just read or written the conversation (saves a read).
  conversation: Pick<ConversationDoc, "_id"> & { lastSeq?: number | null },
  text: string,
  handoffReason?: HandoffReason | null,
  clientId: string = `system:${crypto.randomUUID()}`,
): Promise<RecordResult> {
  return appendMessage(
    ctx,
    conversation._id,
    {
      role: "system",
      text: validText(text),
      clientId: validClientId(clientId),
      handoffReason: handoffReason ?? null,
    },
    { lastSeq: conversation.lastSeq ?? undefined },
  );
}
