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
 * Records who did what to which thing. Called after the action succeeded, so the log never claims
 * something that did not happen; a failed write is logged and does not undo the action.
 */
export async function audit(actor: Actor | null, action: string, target: AuditTarget | null, details: Record<string, unknown> = {}): Promise<void> {
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
