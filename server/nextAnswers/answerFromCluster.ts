import type { SessionUser } from "../auth/types.js";
import { Message } from "../models/message.js";
import { Example } from "../models/example.js";
import { audit } from "../audit/index.js";
import { badRequest } from "../errors.js";
import { answerCreator } from "../curation/answers.js";

/**
 * Writes the answer a cluster of handed-off questions was missing, and takes the questions along as its
 * phrasings, pending: they join training once an agent approves them in the review queue.
 */
export async function answerFromCluster(actor: SessionUser, input: { title: string; text: string; questionIds: string[] }) {
  const questions = await Message.find({ _id: { $in: input.questionIds }, role: "customer" }, { text: 1, conversationId: 1 }).lean();
  if (questions.length === 0) throw badRequest("None of those questions exist");
  const answer = await answerCreator(actor, { title: input.title, text: input.text });
  let examples;
  try {
    examples = await Example.insertMany(
      questions.map((q) => ({
        question: q.text,
        answerId: answer._id,
        status: "pending",
        source: { kind: "manual", conversationId: q.conversationId, questionMessageId: q._id },
        approvedBy: null,
      })),
    );
  } catch (err) {
    // No answer without the questions it was written for.
    await Example.deleteMany({ answerId: answer._id });
    await answer.deleteOne();
    throw err;
  }
  await audit(actor, "answer.create_from_questions", { type: "answer", id: String(answer._id) }, { questions: examples.length });
  return { answer, examples: examples.length };
}
