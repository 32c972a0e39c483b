import type { ActivePointer } from "../registry/activeModel.js";

// The fields read here, as a lean query returns them.
interface VersionLike {
  version: string;
  status: string;
  runId?: string | null;
  parentVersion?: string | null;
  snapshotHash: string;
  codeVersion?: string | null;
  hyperParameters?: unknown;
  labels?: string[];
  artifact?: { totalBytes?: number | null } | null;
  metrics?: unknown;
  history?: unknown[];
  report?: unknown;
  gate?: { passed?: boolean | null; reasons?: string[]; comparedWith?: string | null } | null;
  integrityError?: string | null;
  promotedAt?: Date | null;
  createdAt?: Date | null;
}

const HEADLINE = [
  "heldout_accuracy",
  "heldout_macroF1",
  "golden_accuracy",
  "heldout_coverage",
  "heldout_ece",
  "heldout_bleu",
  "replay_accuracy",
];

function pick(metrics: unknown): Record<string, number> {
  const m = (metrics ?? {}) as Record<string, unknown>;
  return Object.fromEntries(HEADLINE.filter((k) => typeof m[k] === "number").map((k) => [k, m[k] as number]));
}

/** One row of the versions table; `diff` is this version's headline metrics minus the active version's. */
export function presentVersion(v: VersionLike, pointer: ActivePointer, active: VersionLike | null) {
  const metrics = pick(v.metrics);
  const activeMetrics = active ? pick(active.metrics) : null;
  const diff =
    activeMetrics && active?.version !== v.version
      ? Object.fromEntries(
          Object.entries(metrics)
            .filter(([k]) => k in activeMetrics)
            .map(([k, x]) => [k, x - activeMetrics[k]]),
        )
      : null;
  return {
    version: v.version,
    status: v.status,
    active: pointer.version === v.version,
    previous: pointer.previousVersion === v.version,
    canRollBackTo: !!v.promotedAt && v.status !== "broken" && pointer.version !== v.version,
    runId: v.runId,
    parentVersion: v.parentVersion,
    snapshotHash: v.snapshotHash,
    codeVersion: v.codeVersion,
    hyperParameters: v.hyperParameters ?? {},
    // versions trained before there were two base families are minilm
    baseModel: (v.hyperParameters as { baseModel?: string } | undefined)?.baseModel ?? "minilm",
    labels: v.labels?.length ?? 0,
    artifactBytes: v.artifact?.totalBytes ?? 0,
    metrics,
    diff,
    gate: { passed: !!v.gate?.passed, reasons: v.gate?.reasons ?? [], comparedWith: v.gate?.comparedWith ?? null },
    integrityError: v.integrityError ?? null,
    promotedAt: v.promotedAt ? new Date(v.promotedAt).toISOString() : null,
    createdAt: v.createdAt ? new Date(v.createdAt).toISOString() : null,
  };
}

export function presentVersionDetail(v: VersionLike, pointer: ActivePointer, active: VersionLike | null) {
  return { ...presentVersion(v, pointer, active), allMetrics: v.metrics ?? {}, history: v.history ?? [], report: v.report ?? null };
}

export function presentPointer(p: ActivePointer) {
  return {
    version: p.version,
    previousVersion: p.previousVersion,
    pinned: p.pinned,
    changedAt: p.changedAt ? new Date(p.changedAt).toISOString() : null,
    changedBy: p.changedBy,
    reason: p.reason,
  };
}
