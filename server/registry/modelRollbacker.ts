import { ModelVersion } from "../models/modelVersion.js";
import { audit, type Actor } from "../audit/index.js";
import { readActivePointer, swapPointer } from "./activeModel.js";
import { RegistryConflictError, UnknownVersionError } from "./errors.js";
import { modelEvent } from "../webhooks/events.js";

/**
 * Puts back the previous version (or a named one that has been active before). The bots keep the previous
 * version loaded, so the switch takes effect as soon as they see the pointer: at once in this process,
 * within a poll interval elsewhere.
 */
export async function modelRollbacker(opts: {
  actor: Actor | null;
  toVersion?: string;
  reason?: string;
}): Promise<{ version: string; from: string | null }> {
  const current = await readActivePointer();
  const target = opts.toVersion ?? current.previousVersion;
  if (!target) throw new RegistryConflictError("there is no previous version to roll back to");
  if (target === current.version) throw new RegistryConflictError(`version ${target} is already active`);
  const mv = await ModelVersion.findOne({ version: target }).lean();
  if (!mv) throw new UnknownVersionError(target);
  if (mv.status === "broken") throw new RegistryConflictError(`version ${target} failed its integrity check`);
  if (!mv.promotedAt) throw new RegistryConflictError(`version ${target} was never active; promote it instead`);

  const before = await swapPointer(
    {
      version: target,
      previousVersion: current.version,
      changedAt: new Date(),
      changedBy: opts.actor?.email ?? null,
      reason: opts.reason ?? "rollback",
    },
    { version: current.version },
  );
  if (!before) throw new RegistryConflictError("the active version changed meanwhile; reload and try again");
  await modelEvent("model.rolled_back", {
    version: target,
    previousVersion: current.version,
    by: opts.actor?.email ?? null,
    reason: opts.reason ?? null,
  });
  await audit(opts.actor, "model.rollback", { type: "modelVersion", id: target }, { from: current.version, reason: opts.reason ?? null });
  return { version: target, from: current.version };
}
