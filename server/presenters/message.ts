import type { Types } from "mongoose";
import type { MessageAttrs, MessageRole } from "../models/message.js";

// Works for hydrated documents and `.lean()` results alike.
export type MessageLike = MessageAttrs & { _id: Types.ObjectId; createdAt?: Date | null; updatedAt?: Date | null };

/** What the widget sees: no review state, confidences or alternatives. */
export interface CustomerMessageView {
  id: string;
  conversationId: string;
  seq: number;
  role: MessageRole;
  text: string;
  clientId: string;
  createdAt: string;
  // Present on bot replies so the widget can offer thumbs up/down.
  bot: { replyId: string } | null;
  feedback: "up" | "down" | null;
}

/** What the console sees: everything the review queue and lineage need. */
export interface AgentMessageView extends Omit<CustomerMessageView, "bot"> {
  authorId: string | null;
  handoffReason: string | null;
  bot: {
    replyId: string;
    modelVersion: string;
    answerId: string | null;
    confidence: number;
    alternatives: { answerId: string; confidence: number }[];
    inReplyTo: string | null;
  } | null;
  review: {
    status: string | null;
    reviewedBy: string | null;
    reviewedAt: string | null;
    exampleId: string | null;
  };
}

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : new Date(0).toISOString());
const idOrNull = (v: unknown) => (v == null ? null : String(v));

export function presentMessageForCustomer(m: MessageLike): CustomerMessageView {
  return {
    id: String(m._id),
    conversationId: String(m.conversationId),
    seq: m.seq,
    role: m.role,
    text: m.text,
    clientId: m.clientId,
    createdAt: iso(m.createdAt),
    bot: m.bot ? { replyId: m.bot.replyId } : null,
    feedback: (m.feedback as "up" | "down" | null | undefined) ?? null,
  };
}

export function presentMessageForAgent(m: MessageLike): AgentMessageView {
  const base = presentMessageForCustomer(m);
  return {
    ...base,
    authorId: idOrNull(m.authorId),
    handoffReason: m.handoffReason ?? null,
    bot: m.bot
      ? {
          replyId: m.bot.replyId,
          modelVersion: m.bot.modelVersion,
          answerId: idOrNull(m.bot.answerId),
          confidence: m.bot.confidence,
          alternatives: (m.bot.alternatives ?? []).map((a) => ({ answerId: String(a.answerId), confidence: Number(a.confidence) })),
          inReplyTo: idOrNull(m.bot.inReplyTo),
        }
      : null,
    review: {
      status: m.review?.status ?? null,
      reviewedBy: idOrNull(m.review?.reviewedBy),
      reviewedAt: m.review?.reviewedAt ? iso(m.review.reviewedAt) : null,
      exampleId: idOrNull(m.review?.exampleId),
    },
  };
}
