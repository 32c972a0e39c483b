// Classification and calibration metrics shared by the trainer, the regression evals and the benchmarks.
// All functions take parallel arrays (index i = one example) and throw on mismatched lengths.

function sameLength(a: unknown[], b: unknown[], what: string): void {
  if (a.length !== b.length) throw new Error(`${what}: arrays differ in length (${a.length} vs ${b.length})`);
}

export function accuracy(truth: string[], predicted: string[]): number {
  sameLength(truth, predicted, "accuracy");
  if (truth.length === 0) return 0;
  let hits = 0;
  for (let i = 0; i < truth.length; i++) if (truth[i] === predicted[i]) hits++;
  return hits / truth.length;
}

export interface LabelScore {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/** Per-label precision/recall/F1 over every label seen in truth or predictions (0 where undefined). */
export function perLabelF1(truth: string[], predicted: string[]): Record<string, LabelScore> {
  sameLength(truth, predicted, "perLabelF1");
  const tp = new Map<string, number>();
  const fp = new Map<string, number>();
  const fn = new Map<string, number>();
  const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  const labels = new Set<string>([...truth, ...predicted]);
  for (let i = 0; i < truth.length; i++) {
    if (truth[i] === predicted[i]) bump(tp, truth[i]);
    else {
      bump(fp, predicted[i]);
      bump(fn, truth[i]);
    }
  }
  const out: Record<string, LabelScore> = {};
  for (const label of [...labels].sort()) {
    const t = tp.get(label) ?? 0;
    const p = t + (fp.get(label) ?? 0);
    const r = t + (fn.get(label) ?? 0);
    const precision = p === 0 ? 0 : t / p;
    const recall = r === 0 ? 0 : t / r;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    out[label] = { precision, recall, f1, support: r };
  }
  return out;
}

/** Unweighted mean F1 over the labels present in truth (labels only ever predicted count as false positives). */
export function macroF1(truth: string[], predicted: string[]): number {
  const scores = perLabelF1(truth, predicted);
  const present = [...new Set(truth)];
  if (present.length === 0) return 0;
  return present.reduce((s, l) => s + scores[l].f1, 0) / present.length;
}

export interface ConfusionPair {
  truth: string;
  predicted: string;
  count: number;
}

/** Most frequent (truth → predicted) mistakes, largest first; ties broken by label names for stable output. */
export function confusionPairs(truth: string[], predicted: string[], top = 10): ConfusionPair[] {
  sameLength(truth, predicted, "confusionPairs");
  const counts = new Map<string, ConfusionPair>();
  for (let i = 0; i < truth.length; i++) {
    if (truth[i] === predicted[i]) continue;
    const key = JSON.stringify([truth[i], predicted[i]]);
    const pair = counts.get(key) ?? { truth: truth[i], predicted: predicted[i], count: 0 };
    pair.count++;
    counts.set(key, pair);
  }
  return [...counts.values()]
    .sort((a, b) => b.count - a.count || a.truth.localeCompare(b.truth) || a.predicted.localeCompare(b.predicted))
    .slice(0, top);
}

/**
 * Lowest confidence threshold t such that the predictions with confidence ≥ t have precision ≥ target,
 * choosing the t that answers the most examples. Returns null when no non-empty set reaches the target.
 */
export function thresholdForPrecision(confidences: number[], correct: boolean[], targetPrecision: number): number | null {
  sameLength(confidences, correct, "thresholdForPrecision");
  if (!(targetPrecision > 0 && targetPrecision <= 1)) throw new Error(`targetPrecision must be in (0, 1], got ${targetPrecision}`);
  const order = confidences.map((c, i) => i).sort((a, b) => confidences[b] - confidences[a]);
  let hits = 0;
  let best: number | null = null;
  for (let k = 0; k < order.length; k++) {
    if (correct[order[k]]) hits++;
    const c = confidences[order[k]];
    // Only cut between distinct confidences: a threshold cannot split tied examples.
    const nextIsTie = k + 1 < order.length && confidences[order[k + 1]] === c;
    if (!nextIsTie && hits / (k + 1) >= targetPrecision) best = c;
  }
  return best;
}

/** Share of examples answered (confidence ≥ threshold) at the threshold that reaches the target precision. */
export function coverageAtPrecision(confidences: number[], correct: boolean[], targetPrecision: number): number {
  const t = thresholdForPrecision(confidences, correct, targetPrecision);
  if (t === null || confidences.length === 0) return 0;
  return confidences.filter((c) => c >= t).length / confidences.length;
}

/** Expected calibration error with equal-width confidence bins: Σ |bin| / n · |accuracy(bin) − mean confidence(bin)|. */
export function expectedCalibrationError(confidences: number[], correct: boolean[], bins = 15): number {
  sameLength(confidences, correct, "expectedCalibrationError");
  if (confidences.length === 0) return 0;
  const count = new Array(bins).fill(0);
  const confSum = new Array(bins).fill(0);
  const hitSum = new Array(bins).fill(0);
  for (let i = 0; i < confidences.length; i++) {
    const b = Math.min(bins - 1, Math.max(0, Math.ceil(confidences[i] * bins) - 1));
    count[b]++;
    confSum[b] += confidences[i];
    hitSum[b] += correct[i] ? 1 : 0;
  }
  let ece = 0;
  for (let b = 0; b < bins; b++) {
    if (count[b] === 0) continue;
    ece += (count[b] / confidences.length) * Math.abs(hitSum[b] / count[b] - confSum[b] / count[b]);
  }
  return ece;
}
