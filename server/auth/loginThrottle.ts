import crypto from "node:crypto";
import { LoginThrottle } from "../models/loginThrottle.js";
import { withRecordLock } from "../db/recordLock.js";

// Sign-in throttling that neither reveals which accounts exist nor lets anyone lock an account out.
// - Per (account, address): a few free failures, then each failure doubles the wait before the next try
//   from that address for that email (1 s, 2 s, 4 s … 15 min). Known and unknown emails are counted alike.
//   A legitimate user elsewhere is not slowed by someone guessing their password from another address.
// - Per address: past ADDRESS_LIMIT failures in ADDRESS_WINDOW_MS every pair from it loses its free tries and
//   a wrong password answers 429 instead of 401, but the right password still signs in: one abuser behind a
//   shared proxy does not keep everyone behind it out.
export const FREE_FAILURES = 3;
export const BASE_DELAY_MS = 1000;
export const MAX_DELAY_MS = 15 * 60 * 1000;
export const ADDRESS_LIMIT = 20;
export const ADDRESS_WINDOW_MS = 15 * 60 * 1000;
const FORGET_MS = 24 * 60 * 60 * 1000;
const SWEEP_EVERY_MS = 60 * 1000;

export type Admission = { admitted: true; addressLimited: boolean } | { admitted: false; retryAfterMs: number };

const pairKey = (email: string, address: string) =>
  `pair:${crypto.createHash("sha256").update(email.trim().toLowerCase()).digest("hex").slice(0, 32)}:${address}`;
const addressKey = (address: string) => `addr:${address}`;

/** The wait after the n-th counted failure of a pair (n counted from 1). */
export function delayAfter(failures: number, free: number): number {
  return failures <= free ? 0 : Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.min(30, failures - free - 1));
}

async function addressLimited(address: string, now: number): Promise<boolean> {
  const doc = await LoginThrottle.findById(addressKey(address)).lean();
  return !!doc && doc.windowStart.getTime() + ADDRESS_WINDOW_MS > now && doc.failures >= ADDRESS_LIMIT;
}

let lastSweep = 0;

export const loginThrottle = {
  /**
   * Whether a sign-in for `email` from `address` may be checked now. An admitted attempt is counted as a
   * failure at once (and forgiven by `succeeded`), under a lock, so that parallel guesses cannot all slip
   * through before the first one is counted.
   */
  async admit(email: string, address: string, now = Date.now()): Promise<Admission> {
    const key = pairKey(email, address);
    return withRecordLock(`login:${key}`, async () => {
      const limited = await addressLimited(address, now);
      const pair = await LoginThrottle.findById(key).lean();
      const wait = pair?.nextAllowedAt ? pair.nextAllowedAt.getTime() - now : 0;
      if (wait > 0) return { admitted: false, retryAfterMs: wait };
      const failures = (pair?.failures ?? 0) + 1;
      const delay = delayAfter(failures, limited ? 0 : FREE_FAILURES);
      await LoginThrottle.updateOne(
        { _id: key },
        {
          $set: {
            failures,
            windowStart: pair?.windowStart ?? new Date(now),
            nextAllowedAt: delay ? new Date(now + delay) : null,
            expiresAt: new Date(now + FORGET_MS),
          },
        },
        { upsert: true },
      );
      return { admitted: true, addressLimited: limited };
    });
  },

  /** A wrong email or password from `address`: counts towards the per-address limit. */
  async failed(address: string, now = Date.now()): Promise<void> {
    const key = addressKey(address);
    await withRecordLock(`login:${key}`, async () => {
      const doc = await LoginThrottle.findById(key).lean();
      const fresh = !doc || doc.windowStart.getTime() + ADDRESS_WINDOW_MS <= now;
      await LoginThrottle.updateOne(
        { _id: key },
        {
          $set: {
            failures: fresh ? 1 : doc.failures + 1,
            windowStart: fresh ? new Date(now) : doc.windowStart,
            expiresAt: new Date(now + FORGET_MS),
          },
        },
        { upsert: true },
      );
    });
    if (now - lastSweep > SWEEP_EVERY_MS) {
      lastSweep = now;
      await LoginThrottle.deleteMany({ expiresAt: { $lt: new Date(now) } });
    }
  },

  /** The right password: the pair's count is forgiven (the address's is not: it counts failures only). */
  async succeeded(email: string, address: string): Promise<void> {
    await LoginThrottle.deleteOne({ _id: pairKey(email, address) });
  },
};
