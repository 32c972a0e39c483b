import mongoose from "mongoose";
import { logger } from "../logger.js";

export const SESSIONS_COLLECTION = "sessions";

export interface SessionSweeper {
  /** Deletes the sessions that have expired; resolves to how many. */
  sweep(): Promise<number>;
  stop(): void;
}

/**
 * Removes expired sessions on a timer, with acknowledged deletes. FerretDB has no TTL monitor, so a TTL
 * index would never fire; and connect-mongo's own "interval" mode deletes with `w: 0`, which FerretDB 1.24
 * (unpatched) answers anyway: the driver then reads that reply as the answer to the next command on the
 * same pooled connection, and every later reply on it is one off (wrong users, missing sessions).
 */
export function startSessionSweeper(everyMs: number): SessionSweeper {
  const sweep = async () => {
    const db = mongoose.connection.db;
    if (!db) return 0;
    const { deletedCount } = await db.collection(SESSIONS_COLLECTION).deleteMany({ expires: { $lt: new Date() } });
    return deletedCount;
  };
  const timer = setInterval(() => {
    sweep().catch((err: Error) => logger.warn({ err: err.message }, "expired-session sweep failed; retrying next interval"));
  }, everyMs);
  timer.unref();
  return { sweep, stop: () => clearInterval(timer) };
}
