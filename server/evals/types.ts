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

/** One answer that calls an action: the candidate's mistakes on it in the golden and held-out suites. */
export interface ActionAnswerErrors {
  answerId: string;
  title: string | null;
  action: string;
  /** Questions of this answer scored. */
  cases: number;
  /** missed + wronglyPicked. */
  modelErrors: number;
  /** Its questions given another answer. */
  missed: number;
  /** Other answers' questions given this one (the action would be called for the wrong question). */
  wronglyPicked: number;
}

/** Live, over the eval window: what the action calls did, and whose the hand-offs were. */
export interface LiveActionOutcomes {
  /** Logged calls (previews left out). */
  calls: number;
  failedCalls: number;
  /** Failed calls by outcome: timeout, http_error, error, bad_response, blocked, unverified. */
  byOutcome: Record<string, number>;
  /** Hand-offs with an action_* reason: the model picked the answer, then the action (or its slot) failed. */
  actionHandoffs: number;
  actionHandoffsByReason: Record<string, number>;
  /** Hand-offs the model caused (out_of_scope, low_confidence, unknown_answer, model_error). */
  modelHandoffs: number;
}

/**
 * Answers that call actions are classes like any other, so the suites score them unchanged; this part keeps
 * what their actions did apart from what the model did. The gate reads none of it: a failing service is not a
 * worse model.
 */
export interface ActionsReport {
  days: number;
  since: string;
  answers: ActionAnswerErrors[];
  live: LiveActionOutcomes;
  /** Distinct golden and held-out cases the candidate got wrong that involve an action answer. */
  modelErrors: number;
  /** = live.actionHandoffs. */
  actionFailures: number;
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
  actions?: ActionsReport;
}
