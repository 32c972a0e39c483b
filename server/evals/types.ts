import type { ConfusionPair, LabelScore } from "../../trainer/evals/metrics.js";

export interface SuiteMetrics {
  count: number;
  accuracy: number;
  macroF1: number;
  /** Share answered (not handed off) at the version's own threshold: what the bot would do live. */
  coverage: number;
  /** Share of those answers that were right; null when it answered none. */
  answeredPrecision: number | null;
  /** Share answerable at the threshold that would reach the target precision on this suite (hindsight; not gated). */
  coverageAtTarget: number;
  /** Expected calibration error. */
  ece: number;
  /** Mean sentence BLEU of the chosen reply's text against the approved reply. */
  bleu: number;
  perLabelF1: Record<string, LabelScore>;
  confusionPairs: ConfusionPair[];
}

export interface SuiteResult {
  candidate: SuiteMetrics;
  active: SuiteMetrics | null;
}

export interface FailedCase {
  exampleId: string;
  text: string;
  expected: string;
  predicted: string;
  confidence: number;
  mustPass: boolean;
}

export interface EvalReport {
  candidateVersion: string;
  activeVersion: string | null;
  targetPrecision: number;
  suites: Record<string, SuiteResult>;
  /** Per-answer F1 change on the held-out suite (candidate − active), largest change first. */
  perLabelDelta: { answerId: string; title: string | null; candidate: number; active: number | null; delta: number | null }[];
  failedGolden: FailedCase[];
  failedMustPass: FailedCase[];
}
