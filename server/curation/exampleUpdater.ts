import type { SessionUser } from "../auth/types.js";
import { Example, type ExampleDoc } from "../models/example.js";
import { audit } from "../audit/index.js";
import { badRequest, conflict, notFound } from "../errors.js";
import { presentOneExample } from "../presenters/example.js";
import { resolveAnswer } from "./answers.js";
import { withRecordLock } from "../db/recordLock.js";

export interface ExampleChanges {
  version: number;
  question?: string;
  answerId?: string;
  golden?: boolean;
  mustPass?: boolean;
  status?: "active" | "excluded" | "deleted";
}

/**
 * Edits a training example. `version` is the one the agent saw: if someone else saved meanwhile the
 * update matches nothing and the caller gets 409 with the current example to merge by eye.
 */
export async function exampleUpdater(actor: SessionUser, id: string, input: ExampleChanges): Promise<ExampleDoc> {
  const { version, ...changes } = input;
  const set: Record<string, unknown> = { ...changes };
  if (changes.answerId) set.answerId = (await resolveAnswer(changes.answerId))._id;
  if (changes.golden) {
    const current = await Example.findById(id).select("polarity").lean();
    if (current?.polarity === "negative") throw badRequest("A negative example cannot be golden: the regression set holds right answers");
  }
  if (changes.status === "active") {
    // An imported phrasing waiting for review (pending) is approved by whoever activates it.
    const current = await Example.findById(id).select("status").lean();
    if (current?.status === "pending") Object.assign(set, { approvedBy: actor.id, approvedAt: new Date() });
  }
  const updated = await withRecordLock(`example:${id}`, () =>
    Example.findOneAndUpdate({ _id: id, version }, { $set: set, $inc: { version: 1 } }, { new: true }),
  );
  if (!updated) {
    const current = await Example.findById(id).lean();
    if (!current) throw notFound("Example");
    throw conflict("Someone else changed this example meanwhile; here is the current version", {
      current: await presentOneExample(current),
    });
  }
  const action = changes.golden === true ? "example.mark_golden" : changes.golden === false ? "example.unmark_golden" : "example.update";
  await audit(actor, action, { type: "example", id }, { ...changes, version: updated.version });
  return updated;
}
