import { AuditEntry } from "../models/auditEntry.js";
import { logger } from "../logger.js";

export interface Actor {
  id: string;
  email: string;
}

export interface AuditTarget {
  type: string;
  id: string;
}

/**
 * An admin change and its audit entry, so that no change is applied without one: the entry (built by the
 * caller from the validated change, never from the raw body) is written first; if that write fails the
 * change is not made. Then `apply` runs, and the entry is marked applied, or failed with the error.
 */
export async function auditedChange<T>(
  actor: Actor,
  action: string,
  target: AuditTarget,
  details: Record<string, unknown>,
  apply: () => Promise<T>,
  /** Details only known once applied (counts of what was erased), added to the entry. */
  resultDetails?: (result: T) => Record<string, unknown>,
): Promise<T> {
  const entry = await AuditEntry.create({
    actorId: actor.id,
    actorEmail: actor.email,
    action,
    targetType: target.type,
    targetId: target.id,
    details,
    outcome: "pending",
  });
  let result: T;
  try {
    result = await apply();
  } catch (err) {
    await AuditEntry.updateOne(
      { _id: entry._id },
      { $set: { outcome: "failed", error: String((err as Error).message ?? err).slice(0, 500) } },
    ).catch(() => {});
    throw err;
  }
  const more = resultDetails ? Object.fromEntries(Object.entries(resultDetails(result)).map(([k, v]) => [`details.${k}`, v])) : {};
  await AuditEntry.updateOne({ _id: entry._id }, { $set: { outcome: "applied", ...more } }).catch((err) =>
    logger.error({ err, action }, "audit entry left pending"),
  );
  return result;
}

/**
 * Records who did what to which thing. Called after the action succeeded, so the log never claims
 * something that did not happen; a failed write is logged and does not undo the action.
 */
export async function audit(
  actor: Actor | null,
  action: string,
  target: AuditTarget | null,
  details: Record<string, unknown> = {},
): Promise<void> {
  try {
    await AuditEntry.create({
      actorId: actor?.id ?? null,
      actorEmail: actor?.email ?? null,
      action,
      targetType: target?.type ?? null,
      targetId: target?.id ?? null,
      details,
    });
  } catch (err) {
    logger.error({ err, action }, "audit write failed");
  }
}
