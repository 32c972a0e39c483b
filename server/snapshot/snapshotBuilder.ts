import { Example } from "../models/example.js";
import { Answer } from "../models/answer.js";
import { Snapshot, type SnapshotDoc } from "../models/snapshot.js";
import type { Embedder } from "./embedder.js";
import { planSnapshot, type SnapshotPlan, type SnapshotSettings } from "./stages.js";

export { InsufficientDataError, type Conflict } from "./stages.js";

/**
 * Builds (or finds) the immutable snapshot of today's approved examples: reads them and the answers, runs the
 * pure stages (stages.ts), and stores the result.
 */
export async function snapshotBuilder(opts: { settings: SnapshotSettings; embed: Embedder }): Promise<SnapshotDoc> {
  const answers = await Answer.find({}, { status: 1, mergedInto: 1 }).lean();
  const docs = await Example.find({ status: "active" }).sort({ approvedAt: 1, _id: 1 }).lean();
  return storeSnapshot(await planSnapshot(docs, answers, opts.settings, opts.embed));
}

/** Content-addressed and insert-only: the same content maps to the one existing document. */
export async function storeSnapshot(plan: SnapshotPlan): Promise<SnapshotDoc> {
  const { hash, settings, examples, counts, removed, conflicts, balance, warnings } = plan;
  const snap = await Snapshot.findOneAndUpdate(
    { hash },
    { $setOnInsert: { hash, name: `snap-${hash.slice(0, 12)}`, settings, examples, counts, removed, conflicts, balance, warnings } },
    { upsert: true, new: true },
  );
  return snap!;
}
