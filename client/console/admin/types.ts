// Shapes of the models / runs / trainer / analytics API responses, as the console reads them.
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
  labels: number;
  metrics: Record<string, number>;
  diff: Record<string, number> | null;
  gate: { passed: boolean; reasons: string[]; comparedWith: string | null };
  integrityError: string | null;
  promotedAt: string | null;
  createdAt: string | null;
}

export interface SuiteMetrics {
  count: number;
  accuracy: number;
  macroF1: number;
  coverage: number;
  ece: number;
  bleu: number;
  confusionPairs: { truth: string; predicted: string; count: number }[];
}

export interface FailedCase {
  exampleId: string;
  text: string;
  expected: string;
  predicted: string;
  confidence: number;
  mustPass: boolean;
}

export interface Report {
  activeVersion: string | null;
  suites: Record<string, { candidate: SuiteMetrics; active: SuiteMetrics | null }>;
  perLabelDelta: { answerId: string; title: string | null; candidate: number; active: number | null; delta: number | null }[];
  failedGolden: FailedCase[];
}

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
  gate: { minAccuracy: number; minMacroF1: number; minGoldenAccuracy: number; epsilon: number };
  snapshot: { nearDuplicateThreshold: number; minPerAnswer: number };
  evals: { replayDays: number; targetPrecision: number };
  training: { method: string };
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
