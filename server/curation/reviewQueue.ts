import { Answer } from "../models/answer.js";
import { Conversation } from "../models/conversation.js";
import { Message } from "../models/message.js";
import { presentMessageForAgent, type MessageLike } from "../presenters/message.js";
import { questionFor } from "./questionFor.js";

const UNREVIEWED = { $in: [null, "pending"] };

/**
 * What agents review next. Bot replies: thumbs-down first, then lowest confidence first (the model's
 * likeliest mistakes). Agent replies: newest first, to approve as training pairs.
 * Two plain queries instead of a computed sort key keep it portable to FerretDB.
 */
export async function reviewQueue(kind: "bot" | "agent", limit: number) {
  let replies: MessageLike[];
  if (kind === "bot") {
    const disliked = await Message.find({ role: "bot", "review.status": UNREVIEWED, feedback: "down" })
      .sort({ "bot.confidence": 1, _id: 1 })
      .limit(limit)
      .lean();
    const rest =
      disliked.length < limit
        ? await Message.find({ role: "bot", "review.status": UNREVIEWED, feedback: { $ne: "down" } })
            .sort({ "bot.confidence": 1, _id: 1 })
            .limit(limit - disliked.length)
            .lean()
        : [];
    replies = [...disliked, ...rest] as MessageLike[];
  } else {
    replies = (await Message.find({ role: "agent", "review.status": UNREVIEWED }).sort({ _id: -1 }).limit(limit).lean()) as MessageLike[];
  }

  const answerIds = [
    ...new Set(
      replies
        .map((m) => m.bot?.answerId)
        .filter(Boolean)
        .map(String),
    ),
  ];
  const conversationIds = [...new Set(replies.map((m) => String(m.conversationId)))];
  const [answers, conversations, questions] = await Promise.all([
    answerIds.length
      ? Answer.find({ _id: { $in: answerIds } })
          .select("title text status")
          .lean()
      : [],
    Conversation.find({ _id: { $in: conversationIds } })
      .select("customerName")
      .lean(),
    Promise.all(replies.map((m) => questionFor(m as never))),
  ]);
  const answerById = new Map(answers.map((a) => [String(a._id), a]));
  const nameById = new Map(conversations.map((c) => [String(c._id), c.customerName ?? null]));
  return replies.map((m, i) => {
    const a = m.bot?.answerId ? answerById.get(String(m.bot.answerId)) : undefined;
    return {
      reply: presentMessageForAgent(m),
      question: questions[i]
        ? { id: String(questions[i]!.question._id), text: questions[i]!.question.text, previousTurn: questions[i]!.previousTurn }
        : null,
      answer: a ? { id: String(a._id), title: a.title, text: a.text, status: a.status } : null,
      customerName: nameById.get(String(m.conversationId)) ?? null,
    };
  });
}
