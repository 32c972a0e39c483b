/** Mean negative log-likelihood of the true class under softmax(logits / temperature). */
export function nllAtTemperature(logits: Float32Array[], truth: number[], temperature: number): number {
  let total = 0;
  for (let i = 0; i < logits.length; i++) {
    const row = logits[i];
    let max = -Infinity;
    for (const v of row) max = Math.max(max, v / temperature);
    let sum = 0;
    for (const v of row) sum += Math.exp(v / temperature - max);
    total += -(row[truth[i]] / temperature - max - Math.log(sum));
  }
  return total / Math.max(1, logits.length);
}

/**
 * On a validation set the model gets entirely right, NLL keeps falling as T → 0, and the fitted T would
 * make every confidence ≈ 1: the answer threshold then lands at ≈ 0.9999 and the bot hands off any
 * rephrasing it was not trained on. The floor keeps T from sharpening past what the data can show.
 */
export function temperatureFloor(validationAccuracy: number): number {
  return validationAccuracy >= 1 ? 1 : 0.5;
}

/**
 * Temperature scaling (Guo et al. 2017): the single T ≥ minTemperature minimising validation NLL, found by
 * golden-section search on log T (NLL is unimodal in T for fixed logits). Returns 1 when there is nothing to fit on.
 */
export function fitTemperature(logits: Float32Array[], truth: number[], minTemperature = 0.5): number {
  if (logits.length === 0) return 1;
  let lo = Math.log(minTemperature);
  let hi = Math.log(20);
  const phi = (Math.sqrt(5) - 1) / 2;
  const f = (logT: number) => nllAtTemperature(logits, truth, Math.exp(logT));
  let x1 = hi - phi * (hi - lo);
  let x2 = lo + phi * (hi - lo);
  let f1 = f(x1);
  let f2 = f(x2);
  for (let iter = 0; iter < 60; iter++) {
    if (f1 < f2) {
      hi = x2;
      x2 = x1;
      f2 = f1;
      x1 = hi - phi * (hi - lo);
      f1 = f(x1);
    } else {
      lo = x1;
      x1 = x2;
      f1 = f2;
      x2 = lo + phi * (hi - lo);
      f2 = f(x2);
    }
  }
  return Math.exp((lo + hi) / 2);
}

export function softmax(logits: Float32Array | number[], temperature = 1): number[] {
  let max = -Infinity;
  for (const v of logits) max = Math.max(max, v / temperature);
  const exps = Array.from(logits, (v) => Math.exp(v / temperature - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}
