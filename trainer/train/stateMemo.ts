import type { AnyBaseModel } from "../model/index.js";
import type { ModelInput } from "./features.js";
import { parallelBaseStates } from "./parallelStates.js";

// Sentence vectors of the frozen base, kept for the life of the process: a benchmark or a CLI session that trains
// several heads on overlapping questions (seeds, known-intent draws, nightly retries) encodes each question once.
// Only pooled vectors (the head recipe) are kept: 1.5 KB each, against a whole token sequence for the others.
const MAX_ENTRIES = 60_000;
const memo = new Map<string, Float32Array>();

const keyOf = (base: AnyBaseModel, x: ModelInput) => `${base.weightsSha256}\u0000${x.previousTurn ?? ""}\u0000${x.text}`;

export async function memoizedBaseStates(
  base: AnyBaseModel,
  inputs: ModelInput[],
  opts: Parameters<typeof parallelBaseStates>[2],
): Promise<Float32Array[]> {
  if (!opts.pool || opts.toLayer < base.config.numLayers) return parallelBaseStates(base, inputs, opts);
  const out = new Array<Float32Array>(inputs.length);
  const missing: number[] = [];
  inputs.forEach((x, i) => {
    const hit = memo.get(keyOf(base, x));
    if (hit) out[i] = hit;
    else missing.push(i);
  });
  const cached = inputs.length - missing.length;
  if (missing.length) {
    const fresh = await parallelBaseStates(
      base,
      missing.map((i) => inputs[i]),
      { ...opts, onProgress: (done) => opts.onProgress?.(cached + done) },
    );
    missing.forEach((i, k) => {
      out[i] = fresh[k];
      const key = keyOf(base, inputs[i]);
      if (memo.size >= MAX_ENTRIES) memo.delete(memo.keys().next().value!);
      memo.set(key, fresh[k]);
    });
  } else opts.onProgress?.(inputs.length);
  return out;
}
