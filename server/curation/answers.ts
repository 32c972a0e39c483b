import type { SessionUser } from "../auth/types.js";
import { Answer, type AnswerDoc } from "../models/answer.js";
import { audit } from "../audit/index.js";
import { conflict, notFound } from "../errors.js";
import { presentAnswer } from "../presenters/answer.js";
import { assertValidAnswerText } from "./placeholders.js";
import { withRecordLock } from "../db/recordLock.js";
import { actionPlaceholders } from "../actions/answerBinding.js";
import type { AnswerAction } from "../models/answer.js";

/** An answer that can take new examples: active, or merged (followed to where it went). */
export async function resolveAnswer(id: unknown): Promise<AnswerDoc> {
  let answer = await Answer.findById(id);
  // Follow merge chains, bounded in case of a cycle written by hand.
  for (let hops = 0; answer?.status === "merged" && answer.mergedInto && hops < 10; hops++)
    answer = await Answer.findById(answer.mergedInto);
  if (!answer) throw notFound("Answer");
  if (answer.status !== "active") throw conflict("That answer is retired; pick another", { answer: presentAnswer(answer) });
  return answer;
}

async function staleOr404(id: string, what: string) {
  const current = await Answer.findById(id);
  if (!current) return notFound("Answer");
  return conflict(`The answer changed meanwhile (${what}); review the current version and retry`, { current: presentAnswer(current) });
}

type Translation = { language: string; text: string };

export async function answerCreator(
  actor: SessionUser,
  input: { title: string; text: string; translations?: Translation[]; action?: AnswerAction | null },
): Promise<AnswerDoc> {
  const allowed = await actionPlaceholders(input.action);
  assertValidAnswerText(input.text, allowed);
  for (const t of input.translations ?? []) assertValidAnswerText(t.text, allowed);
  const answer = await Answer.create({ ...input, createdBy: actor.id });
  await audit(actor, "answer.create", { type: "answer", id: String(answer._id) }, { title: input.title });
  return answer;
}

/**
 * Rename and/or reword; `version` is the one the agent saw, a stale one is 409 with the current answer.
 * A null actor is the system (the demo workspace).
 */
export async function answerUpdater(
  actor: SessionUser | null,
  id: string,
  input: { version: number; title?: string; text?: string; translations?: Translation[]; action?: AnswerAction | null },
): Promise<AnswerDoc> {
  if (input.text !== undefined || input.action !== undefined || input.translations !== undefined) {
    // The texts are checked against the action they will be sent with: the new one, or the one it has.
    const current =
      input.text === undefined || input.action === undefined || input.translations === undefined
        ? await Answer.findById(id, { text: 1, action: 1, translations: 1 }).lean()
        : null;
    const allowed = await actionPlaceholders(input.action !== undefined ? input.action : current?.action);
    assertValidAnswerText(input.text ?? current?.text ?? "", allowed);
    for (const t of input.translations ?? current?.translations ?? []) assertValidAnswerText(t.text, allowed);
  }
  const { version, ...changes } = input;
  const updated = await withRecordLock(`answer:${id}`, () =>
    Answer.findOneAndUpdate({ _id: id, version, status: "active" }, { $set: changes, $inc: { version: 1 } }, { new: true }),
  );
  if (!updated) throw await staleOr404(id, "edited, merged or retired");
  await audit(actor, "answer.update", { type: "answer", id }, changes);
  return updated;
}

export async function answerRetirer(actor: SessionUser, id: string, version: number): Promise<AnswerDoc> {
  const retired = await withRecordLock(`answer:${id}`, () =>
    Answer.findOneAndUpdate({ _id: id, version, status: "active" }, { $set: { status: "retired" }, $inc: { version: 1 } }, { new: true }),
  );
  if (!retired) throw await staleOr404(id, "edited, merged or retired");
  await audit(actor, "answer.retire", { type: "answer", id });
  return retired;
}
