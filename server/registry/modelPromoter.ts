import { ModelVersion } from "../models/modelVersion.js";
import { audit, type Actor } from "../audit/index.js";
import { readActivePointer, swapPointer } from "./activeModel.js";
import { RegistryConflictError, UnknownVersionError } from "./errors.js";
import { modelEvent } from "../webhooks/events.js";

export interface PromoteOptions {
  version: string;
  actor: Actor | null;
  reason: string;
  /**
   * Set by the nightly run: promote only if the active version is still the one the candidate was compared
   * against and nobody pinned it meanwhile. An admin's manual promotion overrides both.
   */
  automatic?: { expectedActive: string | null };
}

/** Makes `version` the one answering customers. The switch is the single pointer update in swapPointer. */
export async function modelPromoter(opts: PromoteOptions): Promise<{ previousVersion: string | null }> {
  const mv = await ModelVersion.findOne({ version: opts.version }).lean();
  if (!mv) throw new UnknownVersionError(opts.version);
  if (mv.status === "broken") throw new RegistryConflictError(`version ${opts.version} failed its integrity check and cannot be promoted`);
  if (opts.automatic && mv.status === "rejected") throw new RegistryConflictError(`version ${opts.version} was rejected by the gate`);
  const current = await readActivePointer();
  if (current.version === opts.version) throw new RegistryConflictError(`version ${opts.version} is already active`);

  const expect = opts.automatic ? { version: opts.automatic.expectedActive, pinned: false } : { version: current.version };
  const before = await swapPointer(
    {
      version: opts.version,
      previousVersion: current.version,
      changedAt: new Date(),
      changedBy: opts.actor?.email ?? "trainer",
      reason: opts.reason,
    },
    expect,
  );
  if (!before) {
    throw new RegistryConflictError(
      opts.automatic
        ? "the active version was pinned or changed while the candidate was evaluated"
        : "the active version changed meanwhile; reload and try again",
    );
  }
  await ModelVersion.updateOne({ version: opts.version }, { $set: { status: "promoted", promotedAt: new Date() } });
  await modelEvent("model.promoted", {
    version: opts.version,
    previousVersion: before.version,
    by: opts.actor?.email ?? "trainer",
    reason: opts.reason ?? null,
  });
  await audit(
    opts.actor,
    "model.promote",
    { type: "modelVersion", id: opts.version },
    { previousVersion: before.version, reason: opts.reason, automatic: !!opts.automatic },
  );
  return { previousVersion: before.version };
}
