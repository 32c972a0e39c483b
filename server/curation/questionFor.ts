import type { Types } from "mongoose";
import { Message, type MessageDoc } from "../models/message.js";

type ReplyLike = Pick<MessageDoc, "conversationId" | "seq" | "role"> & { bot?: { inReplyTo?: Types.ObjectId | null } | null };

/**
 * The customer message a reply answers: the bot records it (inReplyTo); for an agent reply it is the
 * latest customer message before it. Also returns the turn before the question, for context models.
 */
export async function questionFor(reply: ReplyLike) {
  let question = reply.bot?.inReplyTo ? await Message.findById(reply.bot.inReplyTo).lean() : null;
  question ??= await Message.findOne({ conversationId: reply.conversationId, role: "customer", seq: { $lt: reply.seq } })
    .sort({ seq: -1 })
    .lean();
  if (!question) return null;
  const previous = await Message.findOne({
    conversationId: reply.conversationId,
    role: { $in: ["bot", "agent"] },
    seq: { $lt: question.seq },
  })
    .sort({ seq: -1 })
    .select("text")
    .lean();
  return { question, previousTurn: previous?.text ?? null };
}
