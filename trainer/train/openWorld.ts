import * as tf from "@tensorflow/tfjs";

// The out-of-scope signal: how close a question is to the nearest question the version was trained on (cosine of
// sentence vectors), lowered when a question marked "not for the bot" is closer still. Chosen by measurement on
// BANKING77 (trainer/README.md, "Open world"): on leave-answers-out folds of the training data its AUROC for
// "has an answer" was 0.96 / 0.91 / 0.90 with 25 / 50 / 75 % of the intents known, against 0.91 / 0.83 / 0.81 for
// the similarity to the answer prototypes, 0.86 / 0.82 / 0.81 for the softmax confidence and 0.90 / 0.83 / 0.78
// for a Mahalanobis distance with a shrunk shared covariance.
export const OPEN_WORLD_SIGNAL = "nearest-question-cosine";
export const OPEN_WORLD_FILE = "openworld.safetensors";
export const IN_SCOPE_BANK = "inScope";
export const OUT_OF_SCOPE_BANK = "outOfScope";

/** Rows of unit vectors, [n, hidden] row-major. */
export interface VectorBank {
  data: Float32Array;
  rows: number;
  hidden: number;
}

export function bankOf(vectors: Float32Array[], hidden: number): VectorBank {
  const data = new Float32Array(vectors.length * hidden);
  vectors.forEach((v, i) => data.set(v.subarray(0, hidden), i * hidden));
  return { data, rows: vectors.length, hidden };
}

/** Max cosine of each query row to the bank's rows (−1 for an empty bank). Inputs are L2-normalised. */
export function nearestSimilarity(queries: tf.Tensor2D, bankT: tf.Tensor2D | null): tf.Tensor1D {
  if (!bankT || bankT.shape[1] === 0) return tf.fill([queries.shape[0]], -1) as tf.Tensor1D;
  // the bank is stored transposed once: matMul's transpose flags take a much slower path on wasm
  return tf.max(tf.matMul(queries, bankT), 1) as tf.Tensor1D;
}

/** The in-scope score: nearest trained question, minus how much closer a "not for the bot" question is. */
export function inScopeScore(nearestIn: number, nearestOut: number): number {
  return nearestIn - Math.max(0, nearestOut - nearestIn);
}

export async function nearestSimilarities(queries: Float32Array[], bank: VectorBank | null, hidden: number): Promise<Float32Array> {
  if (queries.length === 0) return new Float32Array(0);
  if (!bank || bank.rows === 0) return new Float32Array(queries.length).fill(-1);
  const bankT = tf.tidy(() => tf.transpose(tf.tensor2d(bank.data, [bank.rows, bank.hidden])) as tf.Tensor2D);
  try {
    const out = new Float32Array(queries.length);
    for (let s = 0; s < queries.length; s += 256) {
      const part = queries.slice(s, s + 256);
      const t = tf.tidy(() => nearestSimilarity(tf.tensor2d(bankOf(part, hidden).data, [part.length, hidden]), bankT));
      out.set((await t.data()) as Float32Array, s);
      t.dispose();
    }
    return out;
  } finally {
    bankT.dispose();
  }
}

/** One out-of-fold decision input: the calibrated confidence and in-scope score, and whether the label was right. */
export interface InScopeCase {
  confidence: number;
  score: number;
  correct: boolean;
}
export interface NovelCase {
  confidence: number;
  score: number;
}

export interface OpenWorldTargets {
  /** Of what the bot answers, at least this share is right; an answer to an out-of-scope question counts as wrong. */
  targetPrecision: number;
  /** The share of traffic assumed to have no answer in the bank, for that precision over all traffic. */
  outOfScopeShare: number;
  /** The largest share of out-of-scope questions the bot may answer. */
  maxOutOfScopeAnswered: number;
}

export interface OpenWorldThresholds {
  /** Answer only when confidence ≥ threshold … */
  threshold: number;
  /** … and in-scope score ≥ inScopeThreshold. */
  inScopeThreshold: number;
  /** What the out-of-fold data says the pair does (estimates, not guarantees). */
  estimates: { inScopeCoverage: number; inScopePrecision: number; outOfScopeAnswered: number; precision: number };
}

const NEVER = 1.000001;

/**
 * Picks the (confidence, in-scope) threshold pair that answers the most in-scope questions right while (1) the
 * precision over all traffic — in-scope answers weighted by 1 − outOfScopeShare, out-of-scope answers (all wrong)
 * by outOfScopeShare — reaches the target and (2) at most maxOutOfScopeAnswered of the out-of-scope questions are
 * answered. Both come from out-of-fold predictions: in-scope cases from folds that held out some of each answer's
 * questions, out-of-scope cases from folds that held out whole answers (and from questions marked "not for the
 * bot"). When nothing is feasible the bot answers nothing.
 */
export function fitOpenWorldThresholds(inScope: InScopeCase[], novel: NovelCase[], t: OpenWorldTargets): OpenWorldThresholds {
  const pi = novel.length ? t.outOfScopeShare : 0;
  const nIn = Math.max(1, inScope.length);
  const nNov = Math.max(1, novel.length);
  const scoreCandidates = novel.length
    ? quantileCandidates([...novel.map((c) => c.score), ...inScope.map((c) => c.score)], 160)
    : [-Infinity];
  let best: OpenWorldThresholds | null = null;
  let bestValue = -1;
  for (const ts of scoreCandidates) {
    const ins = inScope.filter((c) => c.score >= ts).sort((a, b) => b.confidence - a.confidence);
    const nov = novel
      .filter((c) => c.score >= ts)
      .map((c) => c.confidence)
      .sort((a, b) => b - a);
    let hits = 0;
    let novelAbove = 0;
    for (let k = 0; k < ins.length; k++) {
      if (ins[k].correct) hits++;
      const tc = ins[k].confidence;
      if (k + 1 < ins.length && ins[k + 1].confidence === tc) continue; // a threshold cannot split ties
      while (novelAbove < nov.length && nov[novelAbove] >= tc) novelAbove++;
      const answeredIn = (k + 1) / nIn;
      const rightIn = hits / nIn;
      const novelAnswered = novelAbove / nNov;
      const answered = (1 - pi) * answeredIn + pi * novelAnswered;
      const precision = answered > 0 ? ((1 - pi) * rightIn) / answered : 0;
      if (precision < t.targetPrecision || (novel.length > 0 && novelAnswered > t.maxOutOfScopeAnswered)) continue;
      // most right answers first; then fewer novel questions answered, then fewer wrong answers
      const better =
        rightIn > bestValue + 1e-12 ||
        (Math.abs(rightIn - bestValue) <= 1e-12 &&
          best !== null &&
          (novelAnswered < best.estimates.outOfScopeAnswered - 1e-12 ||
            (novelAnswered <= best.estimates.outOfScopeAnswered + 1e-12 && answeredIn < best.estimates.inScopeCoverage)));
      if (better) {
        bestValue = rightIn;
        best = {
          threshold: tc,
          inScopeThreshold: ts,
          estimates: { inScopeCoverage: answeredIn, inScopePrecision: hits / (k + 1), outOfScopeAnswered: novelAnswered, precision },
        };
      }
    }
  }
  return (
    best ?? {
      threshold: NEVER,
      inScopeThreshold: Number.isFinite(scoreCandidates[0]) ? NEVER : -Infinity,
      estimates: { inScopeCoverage: 0, inScopePrecision: 0, outOfScopeAnswered: 0, precision: 0 },
    }
  );
}

/**
 * The in-scope threshold alone that maximises macro-F1 over the known answers plus "open" on the out-of-fold data:
 * the operating point of open-intent classification benchmarks (argmax label when in scope, else open). Reported,
 * not used by the bot, which also needs the answer to be confident.
 */
export function openSetThreshold(
  inScope: (InScopeCase & { truth: number; predicted: number })[],
  novel: (NovelCase & { predicted: number })[],
  numLabels: number,
): number {
  if (!novel.length || !inScope.length) return -Infinity;
  let bestT = -Infinity;
  let bestF1 = -1;
  for (const ts of quantileCandidates([...novel.map((c) => c.score), ...inScope.map((c) => c.score)], 120)) {
    const tp = new Float64Array(numLabels + 1);
    const fp = new Float64Array(numLabels + 1);
    const fn = new Float64Array(numLabels + 1);
    const open = numLabels;
    for (const c of inScope) {
      const p = c.score >= ts ? c.predicted : open;
      if (p === c.truth) tp[p]++;
      else {
        fp[p]++;
        fn[c.truth]++;
      }
    }
    for (const c of novel) {
      if (c.score >= ts) {
        fp[c.predicted]++;
        fn[open]++;
      } else tp[open]++;
    }
    let f1 = 0;
    let present = 0;
    for (let l = 0; l <= numLabels; l++) {
      if (tp[l] + fp[l] + fn[l] === 0) continue;
      present++;
      f1 += (2 * tp[l]) / (2 * tp[l] + fp[l] + fn[l]);
    }
    const macro = present ? f1 / present : 0;
    if (macro > bestF1) {
      bestF1 = macro;
      bestT = ts;
    }
  }
  return bestT;
}

function quantileCandidates(values: number[], count: number): number[] {
  const sorted = [...values].filter(Number.isFinite).sort((a, b) => a - b);
  if (!sorted.length) return [-Infinity];
  const out = new Set<number>([-Infinity]);
  for (let k = 0; k < count; k++) out.add(sorted[Math.min(sorted.length - 1, Math.floor((k / count) * sorted.length))]);
  return [...out].sort((a, b) => a - b);
}
