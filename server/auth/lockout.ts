import { User, type UserDoc } from "../models/user.js";

// After this many wrong passwords in a row the account is locked for a while: the per-IP rate limit
// slows one attacker, this stops a distributed guess at one account.
export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MS = 15 * 60 * 1000;

export function isLocked(user: Pick<UserDoc, "lockedUntil">, now = new Date()): boolean {
  return user.lockedUntil != null && user.lockedUntil > now;
}

/** Counts a failure atomically and locks the account when it reaches the limit. */
export async function recordFailedLogin(userId: unknown): Promise<void> {
  const updated = await User.findOneAndUpdate({ _id: userId }, { $inc: { failedLogins: 1 } }, { new: true });
  if (updated && updated.failedLogins >= MAX_FAILED_LOGINS) {
    await User.updateOne({ _id: userId }, { $set: { lockedUntil: new Date(Date.now() + LOCKOUT_MS), failedLogins: 0 } });
  }
}

export async function recordSuccessfulLogin(userId: unknown): Promise<void> {
  await User.updateOne({ _id: userId }, { $set: { failedLogins: 0, lockedUntil: null, lastLoginAt: new Date() } });
}
