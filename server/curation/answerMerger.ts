import type { SessionUser } from "../auth/types.js";
import { Answer, type AnswerDoc } from "../models/answer.js";
import { Example } from "../models/example.js";
import { audit } from "../audit/index.js";
import { badRequest, conflict, notFound } from "../errors.js";
import { presentAnswer } from "../presenters/answer.js";
import { withRecordLock } from "../db/recordLock.js";

/**
 * Merges `sourceId` into `targetId`: the source becomes "merged" (pointing at the target) and its
 * examples move to the target. Without transactions the source is marked first, so a crash in between
 * leaves examples on a merged answer, which readers follow; running the same merge again finishes the move.
 */
export async function answerMerger(actor: SessionUser, sourceId: string, targetId: string): Promise<{ target: AnswerDoc; moved: number }> {
  if (sourceId === targetId) throw badRequest("An answer cannot be merged into itself");
  const target = await Answer.findById(targetId);
  if (!target) throw notFound("Target answer");
  if (target.status !== "active") throw conflict("The target answer is not active", { current: presentAnswer(target) });

  const source = await withRecordLock(`answer:${sourceId}`, () =>
    Answer.findOneAndUpdate(
      { _id: sourceId, status: "active" },
      { $set: { status: "merged", mergedInto: target._id }, $inc: { version: 1 } },
      { new: true },
    ),
  );
  if (!source) {
    const current = await Answer.findById(sourceId);
    if (!current) throw notFound("Answer");
    const resuming = current.status === "merged" && String(current.mergedInto) === targetId;
    if (!resuming) throw conflict("The answer is no longer active", { current: presentAnswer(current) });
  }
  const moved = await Example.updateMany({ answerId: sourceId }, { $set: { answerId: target._id }, $inc: { version: 1 } });
  await audit(actor, "answer.merge", { type: "answer", id: sourceId }, { into: targetId, movedExamples: moved.modifiedCount });
  return { target, moved: moved.modifiedCount };
}
