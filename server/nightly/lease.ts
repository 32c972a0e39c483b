import { randomUUID } from "node:crypto";
import os from "node:os";
import { Lease } from "../models/lease.js";
import { TrainingRun, ACTIVE_RUN_STATES } from "../models/trainingRun.js";
import { logger } from "../logger.js";
import { withRecordLock } from "../db/recordLock.js";

export const TRAINER_LEASE = "trainer";

/** Identifies this process in lease and run documents, so a log line can be traced to a host and pid. */
export function processOwnerId(): string {
  return `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

export interface LeaseHandle {
  name: string;
  owner: string;
  /** This acquisition's fencing token (see the Lease model). */
  token: number;
  /** Resolves false once the lease was lost (another process took it after it expired). */
  renew(): Promise<boolean>;
  setRun(runId: string): Promise<void>;
  /** Whether this acquisition still holds the lease, unexpired: checked before each irreversible step. */
  held(): Promise<boolean>;
  release(): Promise<void>;
}

export class LeaseLostError extends Error {}

function isDuplicateKey(err: unknown): boolean {
  return (err as { code?: number }).code === 11000;
}

/**
 * Takes the named lease if it is free or expired. The filter only matches a lease this owner may take;
 * when someone else holds it, the upsert collides on _id and we get a duplicate-key error instead,
 * so two processes asking at once cannot both win.
 */
export async function acquireLease(
  name: string,
  owner: string,
  ttlMs: number,
  now: () => Date = () => new Date(),
): Promise<LeaseHandle | null> {
  const at = now();
  let previous;
  try {
    // FerretDB does not make a conditional findOneAndUpdate atomic against a concurrent one, so two
    // trainers could both match an expired lease; the record lock serialises the check-and-take.
    previous = await withRecordLock(`lease:${name}`, () =>
      Lease.findOneAndUpdate(
        { _id: name, $or: [{ expiresAt: { $lte: at } }, { owner }] },
        { $set: { owner, acquiredAt: at, expiresAt: new Date(at.getTime() + ttlMs), runId: null }, $inc: { token: 1 } },
        { upsert: true, new: false },
      ).lean(),
    );
  } catch (err) {
    if (isDuplicateKey(err)) return null;
    throw err;
  }
  // A previous holder whose lease ran out died mid-run (or hung): its run can never finish now.
  if (previous && previous.owner !== owner && previous.runId) {
    await failOrphanedRun(previous.runId, `trainer process ${previous.owner} stopped renewing its lease; run abandoned`);
  }
  await failStaleRuns(name);
  // Taken under the record lock, so the token is the previous one plus the $inc above (1 for a new lease).
  const token = (previous?.token ?? 0) + 1;
  const mine = { _id: name, owner, token };

  const handle: LeaseHandle = {
    name,
    owner,
    token,
    async renew() {
      const t = now();
      const res = await Lease.updateOne({ ...mine, expiresAt: { $gt: t } }, { $set: { expiresAt: new Date(t.getTime() + ttlMs) } });
      return res.matchedCount === 1;
    },
    async setRun(runId: string) {
      await Lease.updateOne(mine, { $set: { runId } });
    },
    async held() {
      return (await Lease.exists({ ...mine, expiresAt: { $gt: now() } })) !== null;
    },
    async release() {
      await Lease.deleteOne(mine);
    },
  };
  return handle;
}

export async function failOrphanedRun(runId: string, reason: string): Promise<boolean> {
  const at = new Date();
  const res = await TrainingRun.updateOne(
    { _id: runId, state: { $in: [...ACTIVE_RUN_STATES] } },
    {
      $set: { state: "failed", error: reason, finishedAt: at },
      $push: { transitions: { state: "failed", at }, logs: { at, level: "error", message: reason } },
    },
  );
  if (res.modifiedCount) logger.warn({ runId, reason }, "marked abandoned run failed");
  return res.modifiedCount === 1;
}

/**
 * Whoever holds the lease is the only one allowed to have a run in progress; any other run still marked
 * in progress belongs to a process that died before it recorded its run id on the lease.
 */
async function failStaleRuns(name: string): Promise<void> {
  const lease = await Lease.findById(name).lean();
  const stale = await TrainingRun.find({ state: { $in: [...ACTIVE_RUN_STATES] } }, { _id: 1 }).lean();
  for (const run of stale) {
    if (lease?.runId === String(run._id)) continue;
    await failOrphanedRun(String(run._id), "trainer process stopped before the run finished; run abandoned");
  }
}

/**
 * Holds a lease while `work` runs, renewing it at a third of its TTL. If renewal finds the lease lost (or
 * `supervised` says the server that started this trainer is gone), `onLost` is told so the work stops
 * rather than race a new holder.
 */
export function keepAlive(lease: LeaseHandle, ttlMs: number, onLost: () => void, supervised: () => boolean = () => true): () => void {
  const timer = setInterval(
    () => {
      // A trainer whose server is gone lets its lease go rather than keep it for a run nobody supervises.
      (supervised() ? lease.renew() : Promise.resolve(false))
        .then((ok) => {
          if (!ok) {
            clearInterval(timer);
            onLost();
          }
        })
        .catch((err) => logger.warn({ err }, "lease renewal failed; will retry"));
    },
    Math.max(50, Math.floor(ttlMs / 3)),
  );
  timer.unref();
  return () => clearInterval(timer);
}
