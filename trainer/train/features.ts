import * as tf from "@tensorflow/tfjs";
import {
  embeddings,
  encodeBatch,
  isUse,
  meanPool,
  runLayers,
  type AnyBaseModel,
  type BaseModel,
  type LayerOverrides,
} from "../model/index.js";
import { useForward, useTokens } from "../model/use/forward.js";

export interface ModelInput {
  text: string;
  previousTurn?: string | null;
}

export const MAX_TOKENS = 128;

/** Tokens including [CLS]/[SEP]: the previous turn rides along as the second segment. */
export function tokenLength(base: AnyBaseModel, input: ModelInput): number {
  if (isUse(base)) return useTokens(base, input.text, input.previousTurn).length;
  return base.tokenizer.encode(input.text, { pair: input.previousTurn ?? null, maxLength: MAX_TOKENS }).ids.length;
}

/**
 * Index batches of similar length: sorting by length before cutting batches means each batch is padded only to
 * its own longest item, which for short support messages roughly halves the work against a fixed pad length.
 */
export function lengthSortedBatches(lengths: number[], batchSize: number): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[a] - lengths[b] || a - b);
  const batches: number[][] = [];
  for (let i = 0; i < order.length; i += batchSize) batches.push(order.slice(i, i + batchSize));
  return batches;
}

/**
 * Sentence vectors of a batch through the whole frozen base, without overrides: [n, hidden], L2-normalised. The
 * one forward pass both families share (the predictor and the head recipe's cache).
 */
export function sentenceVectors(base: AnyBaseModel, inputs: ModelInput[], overrides?: LayerOverrides): tf.Tensor2D {
  if (isUse(base))
    return useForward(
      base,
      inputs.map((x) => useTokens(base, x.text, x.previousTurn)),
    );
  return tf.tidy(() => {
    const enc = encodeBatch(
      base,
      inputs.map((x) => x.text),
      { pairs: inputs.map((x) => x.previousTurn ?? null), maxLength: MAX_TOKENS },
    );
    const hidden = runLayers(base, embeddings(base, enc), enc.mask, 0, base.config.numLayers, overrides);
    return meanPool(hidden, enc.mask) as tf.Tensor2D;
  });
}

/** The BERT family's own model, for the recipes that train its layers (lora, full). */
export function bertOnly(base: AnyBaseModel, what: string): BaseModel {
  if (isUse(base))
    throw new Error(`${what} needs a BERT-family base model (minilm); ${base.dir} is use-multilingual: train it with method "head"`);
  return base;
}

/**
 * Runs the frozen base from the embeddings up to layer `toLayer` and returns each input's states unpadded
 * (Float32Array of length × hidden), or with `pool` the mean-pooled sentence vector at `toLayer`.
 */
export async function baseStates(
  base: AnyBaseModel,
  inputs: ModelInput[],
  opts: { toLayer: number; pool: boolean; batchSize?: number; onBatch?: (done: number) => void },
): Promise<Float32Array[]> {
  const hidden = base.config.hiddenSize;
  const lengths = inputs.map((x) => tokenLength(base, x));
  const out = new Array<Float32Array>(inputs.length);
  let done = 0;
  for (const batch of lengthSortedBatches(lengths, opts.batchSize ?? 32)) {
    const result = isUse(base)
      ? sentenceVectors(
          base,
          batch.map((i) => inputs[i]),
        )
      : tf.tidy(() => {
          const enc = encodeBatch(
            base,
            batch.map((i) => inputs[i].text),
            {
              pairs: batch.map((i) => inputs[i].previousTurn ?? null),
              maxLength: MAX_TOKENS,
            },
          );
          const h = runLayers(base, embeddings(base, enc), enc.mask, 0, opts.toLayer);
          return opts.pool ? meanPool(h, enc.mask) : h;
        });
    const data = (await result.data()) as Float32Array;
    const seqLen = opts.pool || isUse(base) ? 1 : result.shape[1]!;
    result.dispose();
    batch.forEach((idx, row) => {
      const start = row * seqLen * hidden;
      const len = opts.pool || isUse(base) ? 1 : lengths[idx];
      out[idx] = data.slice(start, start + len * hidden);
    });
    done += batch.length;
    opts.onBatch?.(done);
    // wasm's data() settles in a microtask: without a macrotask turn, IPC with a helper process (its job, its
    // progress) would wait until this whole loop is over
    await new Promise((resolve) => setImmediate(resolve));
  }
  return out;
}

/** Pads cached per-example token states into one [B, maxLen, hidden] tensor and its int32 mask. */
export function padStates(states: Float32Array[], hidden: number): { h: tf.Tensor3D; mask: tf.Tensor2D } {
  const lengths = states.map((s) => s.length / hidden);
  const maxLen = Math.max(...lengths);
  const h = new Float32Array(states.length * maxLen * hidden);
  const mask = new Int32Array(states.length * maxLen);
  states.forEach((s, r) => {
    h.set(s, r * maxLen * hidden);
    mask.fill(1, r * maxLen, r * maxLen + lengths[r]);
  });
  return { h: tf.tensor3d(h, [states.length, maxLen, hidden]), mask: tf.tensor2d(mask, [states.length, maxLen], "int32") };
}

/**
 * Sentence vectors from cached states at `fromLayer`, through the remaining layers (with overrides). Leaves its
 * intermediates to the caller's tf.tidy / variableGrads, which need them alive for the backward pass.
 */
export function sentenceFromStates(
  base: AnyBaseModel,
  states: Float32Array[],
  fromLayer: number,
  overrides: LayerOverrides | undefined,
): tf.Tensor2D {
  const hidden = base.config.hiddenSize;
  if (fromLayer >= base.config.numLayers) return tf.tensor2d(concat(states), [states.length, hidden]);
  const { h, mask } = padStates(states, hidden);
  const top = runLayers(bertOnly(base, "training encoder layers"), h, mask, fromLayer, base.config.numLayers, overrides);
  return meanPool(top, mask) as tf.Tensor2D;
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
