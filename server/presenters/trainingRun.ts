import type { SnapshotAttrs } from "../models/snapshot.js";

// The fields read here, as a lean query returns them.
interface RunLike {
  _id: unknown;
  trigger: string;
  requestedBy?: string | null;
  state: string;
  transitions?: { state?: string | null; at?: Date | null }[];
  logs?: { at?: Date | null; level?: string | null; message?: string | null }[];
  snapshotHash?: string | null;
  parentVersion?: string | null;
  candidateVersion?: string | null;
  progress?: ({ at?: Date | null } & Record<string, unknown>) | null;
  epochs?: unknown[];
  reasons?: string[];
  error?: string | null;
  createdAt?: Date | null;
  startedAt?: Date | null;
  finishedAt?: Date | null;
}
const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);

export function presentRun(r: RunLike, opts: { logs?: boolean } = {}) {
  return {
    id: String(r._id),
    trigger: r.trigger,
    requestedBy: r.requestedBy,
    state: r.state,
    transitions: (r.transitions ?? []).map((t) => ({ state: t.state, at: iso(t.at) })),
    snapshotHash: r.snapshotHash,
    parentVersion: r.parentVersion,
    candidateVersion: r.candidateVersion,
    progress: r.progress ? { ...r.progress, at: iso(r.progress.at) } : null,
    epochs: r.epochs ?? [],
    reasons: r.reasons ?? [],
    error: r.error,
    createdAt: iso(r.createdAt),
    startedAt: iso(r.startedAt),
    finishedAt: iso(r.finishedAt),
    ...(opts.logs ? { logs: (r.logs ?? []).map((l) => ({ at: iso(l.at), level: l.level, message: l.message })) } : {}),
  };
}

/** What agents need from a snapshot: its size, what was removed and why, the conflicts to resolve. */
export function presentSnapshot(s: Pick<SnapshotAttrs, "hash" | "name" | "counts" | "removed" | "conflicts" | "balance" | "warnings">) {
  // Empty arrays may be absent from the stored document (insert-only upsert), so default them here.
  return {
    hash: s.hash,
    name: s.name,
    counts: s.counts ?? {},
    removed: s.removed ?? {},
    conflicts: s.conflicts ?? [],
    balance: s.balance ?? [],
    warnings: s.warnings ?? [],
  };
}
