import mongoose from "mongoose";
import { TrainingRun, ACTIVE_RUN_STATES, type TrainingRunDoc } from "../models/trainingRun.js";
import { Lease } from "../models/lease.js";
import { failOrphanedRun, TRAINER_LEASE } from "./lease.js";

export type Trigger = "schedule" | "manual" | "cli";

/**
 * Queues a run. `triggerKey` is unique: the scheduled slot "schedule:<time>" is enqueued once however many
 * trainer processes reach it. Returns the run and whether this call created it.
 */
export async function enqueueRun(
  trigger: Trigger,
  triggerKey: string | null,
  requestedBy: string | null = null,
): Promise<{ run: TrainingRunDoc; created: boolean }> {
  const _id = new mongoose.Types.ObjectId();
  const key = triggerKey ?? `${trigger}:${String(_id)}`;
  try {
    const run = await TrainingRun.create({
      _id,
      trigger,
      triggerKey: key,
      requestedBy,
      state: "queued",
      transitions: [{ state: "queued", at: new Date() }],
    });
    return { run, created: true };
  } catch (err) {
    if ((err as { code?: number }).code !== 11000) throw err;
    const run = await TrainingRun.findOne({ triggerKey: key });
    if (!run) throw err;
    return { run, created: false };
  }
}

/** "Train now": queues a run unless one is already queued or in progress, which is returned instead. */
export async function requestRunNow(requestedBy: string | null): Promise<{ run: TrainingRunDoc; created: boolean }> {
  const pending = await TrainingRun.findOne({ state: { $in: ["queued", ...ACTIVE_RUN_STATES] } }).sort({ createdAt: 1 });
  if (pending) return { run: pending, created: false };
  return enqueueRun("manual", null, requestedBy);
}

/** Takes the oldest queued run. Only called while holding the trainer lease, so no one else claims. */
export async function claimQueuedRun(owner: string, runId?: string): Promise<TrainingRunDoc | null> {
  return TrainingRun.findOneAndUpdate(
    { state: "queued", ...(runId ? { _id: runId } : {}) },
    { $set: { owner } },
    { sort: { createdAt: 1 }, new: true },
  );
}

/** A lease that ran out while naming a run means its trainer died: the run is failed for everyone to see. */
export async function reapExpiredLease(now: Date = new Date()): Promise<void> {
  const lease = await Lease.findOne({ _id: TRAINER_LEASE, expiresAt: { $lte: now } }).lean();
  if (lease?.runId) await failOrphanedRun(lease.runId, `trainer process ${lease.owner} stopped renewing its lease; run abandoned`);
}
