import type { Types } from "mongoose";
import type { ExampleAttrs } from "../models/example.js";
import { Answer } from "../models/answer.js";
import { User } from "../models/user.js";

type ExampleLike = ExampleAttrs & { _id: Types.ObjectId; createdAt?: Date | null; updatedAt?: Date | null };

const id = (v: unknown) => (v == null ? null : String(v));

export function presentExample(e: ExampleLike, names: { answers?: Map<string, string>; users?: Map<string, string> } = {}) {
  const source: Partial<NonNullable<ExampleLike["source"]>> = e.source ?? { kind: "manual" };
  return {
    id: String(e._id),
    question: e.question,
    previousTurn: e.previousTurn ?? null,
    answerId: id(e.answerId),
    answerTitle: e.answerId ? (names.answers?.get(String(e.answerId)) ?? null) : null,
    polarity: e.polarity,
    // "Not for the bot": no answer should answer this question.
    outOfScope: !!e.outOfScope,
    golden: e.golden,
    mustPass: e.mustPass,
    status: e.status,
    // Where the pair came from and who vouched for it.
    lineage: {
      kind: source.kind ?? "manual",
      newAnswer: !!source.newAnswer,
      conversationId: id(source.conversationId),
      questionMessageId: id(source.questionMessageId),
      replyMessageId: id(source.replyMessageId),
      customerId: source.customerId ?? null,
      modelVersion: source.modelVersion ?? null,
      approvedBy: id(e.approvedBy),
      approvedByName: e.approvedBy ? (names.users?.get(String(e.approvedBy)) ?? null) : null,
      approvedAt: e.approvedAt ? new Date(e.approvedAt).toISOString() : null,
      // Only imported examples have a file and a line to trace back to.
      ...(source.importId ? { importId: id(source.importId), fileSha256: source.fileSha256 ?? null, line: source.line ?? null } : {}),
    },
    version: e.version,
    createdAt: e.createdAt ? new Date(e.createdAt).toISOString() : null,
    updatedAt: e.updatedAt ? new Date(e.updatedAt).toISOString() : null,
  };
}

/** Presents many, with answer titles and approver names looked up in two queries. */
export async function presentExamples(examples: ExampleLike[]) {
  const answerIds = [...new Set(examples.filter((e) => e.answerId).map((e) => String(e.answerId)))];
  const userIds = [
    ...new Set(
      examples
        .map((e) => e.approvedBy)
        .filter(Boolean)
        .map(String),
    ),
  ];
  const [answers, users] = await Promise.all([
    answerIds.length
      ? Answer.find({ _id: { $in: answerIds } })
          .select("title")
          .lean()
      : [],
    userIds.length
      ? User.find({ _id: { $in: userIds } })
          .select("name")
          .lean()
      : [],
  ]);
  const names = {
    answers: new Map(answers.map((a) => [String(a._id), a.title])),
    users: new Map(users.map((u) => [String(u._id), u.name])),
  };
  return examples.map((e) => presentExample(e, names));
}

export async function presentOneExample(e: ExampleLike) {
  return (await presentExamples([e]))[0];
}
