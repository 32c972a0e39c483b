import * as tf from '@tensorflow/tfjs';
import { embeddings, encodeBatch, meanPool, runLayers, type BaseModel, type LayerOverrides } from '../model/index.js';

export interface ModelInput { text: string; previousTurn?: string | null }

export const MAX_TOKENS = 128;

/** Tokens including [CLS]/[SEP]: the previous turn rides along as the second segment. */
export function tokenLength(base: BaseModel, input: ModelInput): number {
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
 * Runs the frozen base from the embeddings up to layer `toLayer` and returns each input's states unpadded
 * (Float32Array of length × hidden), or with `pool` the mean-pooled sentence vector at `toLayer`.
 */
export async function baseStates(
  base: BaseModel,
  inputs: ModelInput[],
  opts: { toLayer: number; pool: boolean; batchSize?: number; onBatch?: (done: number) => void },
): Promise<Float32Array[]> {
  const hidden = base.config.hiddenSize;
  const lengths = inputs.map((x) => tokenLength(base, x));
  const out = new Array<Float32Array>(inputs.length);
  let done = 0;
  for (const batch of lengthSortedBatches(lengths, opts.batchSize ?? 32)) {
    const result = tf.tidy(() => {
      const enc = encodeBatch(base, batch.map((i) => inputs[i].text), {
        pairs: batch.map((i) => inputs[i].previousTurn ?? null),
        maxLength: MAX_TOKENS,
      });
      const h = runLayers(base, embeddings(base, enc), enc.mask, 0, opts.toLayer);
      return opts.pool ? meanPool(h, enc.mask) : h;
    });
    const data = (await result.data()) as Float32Array;
    const seqLen = opts.pool ? 1 : result.shape[1]!;
    result.dispose();
    batch.forEach((idx, row) => {
      const start = row * seqLen * hidden;
      const len = opts.pool ? 1 : lengths[idx];
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
  return { h: tf.tensor3d(h, [states.length, maxLen, hidden]), mask: tf.tensor2d(mask, [states.length, maxLen], 'int32') };
}

/**
 * Sentence vectors from cached states at `fromLayer`, through the remaining layers (with overrides). Leaves its
 * intermediates to the caller's tf.tidy / variableGrads, which need them alive for the backward pass.
 */
export function sentenceFromStates(
  base: BaseModel,
  states: Float32Array[],
  fromLayer: number,
  overrides: LayerOverrides | undefined,
): tf.Tensor2D {
  const hidden = base.config.hiddenSize;
  if (fromLayer >= base.config.numLayers) return tf.tensor2d(concat(states), [states.length, hidden]);
  const { h, mask } = padStates(states, hidden);
  const top = runLayers(base, h, mask, fromLayer, base.config.numLayers, overrides);
  return meanPool(top, mask) as tf.Tensor2D;
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}
