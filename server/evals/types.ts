import type { ConfusionPair, LabelScore } from "../../trainer/index.js";

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

/** How much of the out-of-scope part each version answered (lower is better). */
export interface OutOfScopeRates {
  count: number;
  answered: number;
  answeredRate: number;
}

/**
 * Questions no answer should get: those agents marked "not for the bot" (held-out split), and — when there is an
 * active version — the questions of answers written after it was trained ("novel"): the active version meets them
 * as real customers with no answer did; the candidate, which has those answers, is scored on them by its
 * leave-answers-out folds, which never saw them.
 */
export interface OutOfScopeReport {
  marked: number;
  novel: number;
  novelAnswers: number;
  candidate: OutOfScopeRates;
  active: OutOfScopeRates | null;
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
  outOfScope?: OutOfScopeReport;
}
