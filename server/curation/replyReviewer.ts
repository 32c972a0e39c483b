import type { AppContext } from "../context.js";
import type { SessionUser } from "../auth/types.js";
import { Answer, type AnswerDoc } from "../models/answer.js";
import { Conversation } from "../models/conversation.js";
import { Example, type ExampleDoc } from "../models/example.js";
import { Message } from "../models/message.js";
import { presentMessageForAgent, type MessageLike } from "../presenters/message.js";
import { audit } from "../audit/index.js";
import { badRequest, conflict, notFound } from "../errors.js";
import { resolveAnswer } from "./answers.js";
import { assertValidAnswerText } from "./placeholders.js";
import { questionFor } from "./questionFor.js";
import { withRecordLock } from "../db/recordLock.js";

export type ReviewDecision =
  // The reply was right. For a bot reply the answer is the bot's unless `answerId` says "same as answer X";
  // for an agent reply it is `answerId`, or a new answer made from the agent's words.
  | { action: "approve"; answerId?: string; title?: string; golden?: boolean }
  // The right reply is `text` (a new answer, or an existing one with exactly that text) or answer `answerId`.
  | { action: "edit"; text?: string; answerId?: string; title?: string; golden?: boolean }
  // The bot's answer was wrong for this question: kept as a negative example.
  | { action: "reject" }
  // No answer in the bank should answer this question (a complaint, a legal matter, chit-chat the team wants a
  // person for): trained against every answer, and part of the out-of-scope evals.
  | { action: "notForBot" };

const REVIEW_STATUS = { approve: "approved", edit: "edited", reject: "rejected", notForBot: "not_for_bot" } as const;
const titleFrom = (s: string) => (s.length > 80 ? `${s.slice(0, 77)}…` : s);

/**
 * Turns a reviewed reply into a training example with its lineage (conversation, messages, approver,
 * time, model version). Everything that can be refused is checked before the first write; the message's
 * review is claimed with one conditional update, so two agents reviewing together get one example and a 409.
 */
export async function replyReviewer(ctx: AppContext, actor: SessionUser, messageId: string, decision: ReviewDecision) {
  const reply = await Message.findById(messageId);
  if (!reply) throw notFound("Message");
  if (reply.role !== "bot" && reply.role !== "agent") throw badRequest("Only bot and agent replies can be reviewed");
  if (reply.review?.status && reply.review.status !== "pending") throw alreadyReviewed(reply as unknown as MessageLike);
  if (decision.action === "reject" && reply.role !== "bot") throw badRequest("Only bot replies can be rejected");
  const found = await questionFor(reply);
  if (!found) throw badRequest("No customer message precedes this reply, so there is no question to learn from");

  // Decide the answer (and validate any new text) before writing anything.
  let answer: AnswerDoc | null = null;
  let newAnswer: { title: string; text: string } | null = null;
  const title = ("title" in decision && decision.title) || titleFrom(found.question.text);
  if (decision.action === "notForBot") answer = null;
  else if (decision.action !== "edit" && "answerId" in decision && decision.answerId) answer = await resolveAnswer(decision.answerId);
  else if (decision.action === "edit") {
    if (decision.answerId) answer = await resolveAnswer(decision.answerId);
    else if (decision.text) {
      assertValidAnswerText(decision.text);
      answer = await Answer.findOne({ text: decision.text, status: "active" });
      if (!answer) newAnswer = { title, text: decision.text };
    } else throw badRequest("An edit needs the corrected text or an answerId");
  } else if (reply.role === "bot") {
    if (!reply.bot?.answerId) throw badRequest("This bot reply names no answer; pick one with answerId");
    answer = decision.action === "reject" ? await Answer.findById(reply.bot.answerId) : await resolveAnswer(reply.bot.answerId);
    if (!answer) throw notFound("Answer");
  } else {
    assertValidAnswerText(reply.text);
    newAnswer = { title, text: reply.text };
  }

  const previousReview = reply.review?.status ?? null;
  const claimed = await withRecordLock(`message:${messageId}`, () =>
    Message.findOneAndUpdate(
      { _id: reply._id, "review.status": { $in: [null, "pending"] } },
      { $set: { "review.status": REVIEW_STATUS[decision.action], "review.reviewedBy": actor.id, "review.reviewedAt": new Date() } },
      { new: true },
    ),
  );
  if (!claimed) throw alreadyReviewed(((await Message.findById(reply._id).lean()) ?? reply) as MessageLike);

  let created: AnswerDoc | null = null;
  let example: ExampleDoc;
  try {
    if (newAnswer) answer = created = await Answer.create({ ...newAnswer, createdBy: actor.id });
    const conversation = await Conversation.findById(reply.conversationId).select("customerId").lean();
    const outOfScope = decision.action === "notForBot";
    example = await Example.create({
      question: found.question.text,
      previousTurn: found.previousTurn,
      answerId: answer?._id ?? null,
      outOfScope,
      polarity: decision.action === "reject" || outOfScope ? "negative" : "positive",
      golden: (decision.action === "approve" || decision.action === "edit") && (decision.golden ?? false),
      source: {
        kind: reply.role === "bot" ? "bot_reply" : "agent_reply",
        newAnswer: created != null,
        conversationId: reply.conversationId,
        questionMessageId: found.question._id,
        replyMessageId: reply._id,
        customerId: conversation?.customerId ?? null,
        modelVersion: reply.bot?.modelVersion ?? null,
      },
      approvedBy: actor.id,
      approvedAt: new Date(),
    });
  } catch (err) {
    // Undo the claim (and the answer made for it) so the reply goes back to the queue.
    await Message.updateOne(
      { _id: reply._id },
      { $set: { "review.status": previousReview, "review.reviewedBy": null, "review.reviewedAt": null } },
    );
    if (created) await Answer.deleteOne({ _id: created._id });
    throw err;
  }
  const message = await Message.findOneAndUpdate({ _id: reply._id }, { $set: { "review.exampleId": example._id } }, { new: true });
  if (message) ctx.events.publish({ type: "message.updated", message });
  await audit(
    actor,
    `review.${decision.action}`,
    { type: "message", id: messageId },
    {
      exampleId: String(example._id),
      answerId: answer ? String(answer._id) : null,
      newAnswer: created != null,
      golden: example.golden,
    },
  );
  return { example, answer, message: message ?? claimed, createdAnswer: created != null };
}

function alreadyReviewed(m: MessageLike) {
  return conflict("This reply was already reviewed", { current: presentMessageForAgent(m) });
}
