import mongoose from "mongoose";
import { AppError } from "../errors.js";

// FerretDB (SQLite) does not make a conditional findOneAndUpdate or $inc atomic across concurrent
// requests: measured, four racing "claim if still waiting" updates can all succeed. An insert with a
// duplicate _id, however, fails atomically. So a read-check-write on one record runs under a lock that
// is (1) a promise chain in this process and (2) a row with a unique _id across processes.

const LOCK_TTL_MS = 10_000;
const WAIT_MS = 5_000;
const tails = new Map<string, Promise<unknown>>();
const locks = () => mongoose.connection.db!.collection<{ _id: string; expiresAt: Date }>("record_locks");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function acquire(key: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    try {
      await locks().insertOne({ _id: key, expiresAt: new Date(Date.now() + LOCK_TTL_MS) });
      return;
    } catch (err) {
      if ((err as { code?: number }).code !== 11000) throw err;
    }
    // A holder that crashed leaves its row; once expired anyone may clear it.
    await locks().deleteOne({ _id: key, expiresAt: { $lt: new Date() } });
    if (Date.now() > deadline) throw new AppError(503, "busy", "That record is busy; try again");
    await sleep(15 + Math.random() * 30);
  }
}

/** Runs `fn` while holding the lock named `key` (e.g. "conversation:<id>"). */
export async function withRecordLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const previous = tails.get(key) ?? Promise.resolve();
  const run = previous.then(
    () => locked(key, fn),
    () => locked(key, fn),
  );
  const tail = run.catch(() => undefined);
  tails.set(key, tail);
  try {
    return await run;
  } finally {
    if (tails.get(key) === tail) tails.delete(key);
  }
}

async function locked<T>(key: string, fn: () => Promise<T>): Promise<T> {
  await acquire(key);
  try {
    return await fn();
  } finally {
    await locks()
      .deleteOne({ _id: key })
      .catch(() => undefined);
  }
}
