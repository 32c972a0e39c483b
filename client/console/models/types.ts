// Shapes of the models / runs / trainer / analytics API responses, as the console reads them.
import type { EvalReport } from "../../../server/evals/types.js";

export interface Pointer {
  version: string | null;
  previousVersion: string | null;
  pinned: boolean;
  changedAt: string | null;
  changedBy: string | null;
  reason: string | null;
}

export interface VersionRow {
  version: string;
  status: "candidate" | "promoted" | "rejected" | "broken";
  active: boolean;
  previous: boolean;
  canRollBackTo: boolean;
  runId: string | null;
  parentVersion: string | null;
  snapshotHash: string;
  codeVersion: string | null;
  hyperParameters: Record<string, unknown>;
  baseModel: BaseFamily;
  labels: number;
  metrics: Record<string, number>;
  diff: Record<string, number> | null;
  gate: { passed: boolean; reasons: string[]; comparedWith: string | null };
  integrityError: string | null;
  promotedAt: string | null;
  createdAt: string | null;
}

// The report is served as the evaluator stored it, so the server's type is the wire type. The import is
// type-only: esbuild drops it, and no server code reaches the browser bundle.
export type Report = Pick<EvalReport, "activeVersion" | "suites" | "perLabelDelta" | "failedGolden" | "outOfScope" | "actions">;

export interface VersionDetail extends VersionRow {
  history: { epoch: number; loss: number; valAccuracy: number; valLoss: number }[];
  report: Report | null;
}

export interface Run {
  id: string;
  trigger: string;
  state: string;
  requestedBy: string | null;
  candidateVersion: string | null;
  parentVersion: string | null;
  progress: { phase?: string; epoch?: number; epochs?: number; step?: number; steps?: number; loss?: number; valAccuracy?: number } | null;
  epochs: { epoch: number; loss: number; valAccuracy: number }[];
  reasons: string[];
  error: string | null;
  createdAt: string | null;
  finishedAt: string | null;
  logs?: { at: string; level: string; message: string }[];
}

export interface TrainerSettings {
  schedule: { cron: string; timezone: string; enabled: boolean };
  gate: {
    minAccuracy: number;
    minMacroF1: number;
    minGoldenAccuracy: number;
    epsilon: number;
    eceEpsilon: number;
    coverageEpsilon: number;
    noiseZ: number;
  };
  snapshot: { nearDuplicateThreshold: number; minPerAnswer: number };
  evals: { replayDays: number; replayMax: number; targetPrecision: number };
  training: { method: string; baseModel: BaseFamily };
}

export type BaseFamily = "minilm" | "use-multilingual";

export interface BaseModelSuggestion {
  family: BaseFamily;
  nonLatinShare: number;
  sampled: number;
  reason: string;
}

export interface DailyStats {
  day: string;
  version: string;
  replies: number;
  handoffs: number;
  handoffRate: number | null;
  containment: number | null;
  thumbsUpRate: number | null;
}
