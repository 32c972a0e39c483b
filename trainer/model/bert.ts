import * as tf from "@tensorflow/tfjs";
import type { EncodedBatch } from "./encodeBatch.js";
import type { BaseModel } from "./load.js";
import type { LoraLayer } from "./lora.js";
import { flattenOverrides, layerWeights, loraFor, type LayerOverrides } from "./overrides.js";
import type { LayerWeights } from "./weights.js";

/**
 * The native backend pays for every op with a call into TensorFlow (tens of µs: more than the arithmetic of a
 * one-question forward pass), and some tfjs ops are several there: a fused matMul is reshape ×3 + matMul + add,
 * a reshape uploads its shape, a mean casts and uploads its axes. On native, inference takes the path with the
 * fewest ops (~40 % fewer per layer); wasm and training keep theirs (wasm's matMul wants no transpose flags, and
 * the training path is the one the gradients were checked on).
 */
function nativeInference(): boolean {
  return tf.getBackend() === "tensorflow" && !recordingGradient();
}

// [hidden, 1] of 1/hidden, per backend: x · it is the mean over the last axis as one matMul, with no reshape.
const averagers = new Map<string, tf.Tensor2D>();
function averager(hidden: number): tf.Tensor2D {
  const key = `${tf.getBackend()}:${hidden}`;
  let a = averagers.get(key);
  if (!a || a.isDisposed) {
    a = tf.keep(tf.fill([hidden, 1], 1 / hidden)) as tf.Tensor2D;
    averagers.set(key, a);
  }
  return a;
}

/** Over the last axis. Written out rather than tf.moments, which adds a Cast and reshapes per call. */
function layerNorm(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number): tf.Tensor {
  if (nativeInference() && x.rank === 2) {
    const avg = averager(x.shape[1]!);
    const centered = tf.sub(x, tf.matMul(x as tf.Tensor2D, avg));
    const variance = tf.matMul(tf.square(centered) as tf.Tensor2D, avg);
    return tf.add(tf.mul(tf.mul(centered, tf.rsqrt(tf.add(variance, eps))), gamma), beta);
  }
  const centered = tf.sub(x, tf.mean(x, -1, true));
  const variance = tf.mean(tf.square(centered), -1, true);
  return tf.add(tf.mul(tf.mul(centered, tf.rsqrt(tf.add(variance, eps))), gamma), beta);
}

/** Exact GELU (BERT's 'gelu'), not the tanh approximation. */
function gelu(x: tf.Tensor): tf.Tensor {
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1));
}

/**
 * True while tfjs records a gradient (inside tf.grad / optimizer.minimize). Used to pick the fused matmul only
 * for inference: its gradient calls matMul with transpose flags, the slow path on wasm.
 */
function recordingGradient(): boolean {
  return tf.engine().state.gradientDepth > 0;
}

/** x [n, in] · w [in, out] + b */
function dense(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  if (!recordingGradient() && tf.getBackend() !== "tensorflow") return tf.fused.matMul({ a: x, b: w, bias: b }) as tf.Tensor2D;
  return tf.add(tf.matMul(x, w), b);
}

/** Layer-0 input: word + position + token-type embeddings, LayerNorm. [batch, seqLen, hidden] */
export function embeddings(model: BaseModel, batch: EncodedBatch): tf.Tensor3D {
  return tf.tidy(() => {
    const [n, len] = batch.ids.shape;
    const e = model.weights.embeddings;
    const words = tf.gather(e.word, tf.reshape(batch.ids, [-1]));
    const types = tf.gather(e.tokenType, tf.reshape(batch.typeIds, [-1]));
    const positions = tf.tile(tf.slice(e.position, [0, 0], [len, -1]), [n, 1]);
    const sum = tf.add(tf.add(words, types), positions);
    return tf.reshape(layerNorm(sum, e.lnG, e.lnB, model.config.layerNormEps), [n, len, model.config.hiddenSize]);
  });
}

/** 0 where attended, a large negative number on padding: [batch, 1, 1, seqLen] to add to attention scores. */
function attentionBias(mask: tf.Tensor2D): tf.Tensor {
  const [n, len] = mask.shape;
  return tf.reshape(tf.mul(tf.sub(1, tf.cast(mask, "float32")), -1e9), [n, 1, 1, len]);
}

function encoderLayer(
  model: BaseModel,
  x: tf.Tensor2D,
  n: number,
  len: number,
  bias: tf.Tensor,
  w: LayerWeights,
  lora: { layer: LoraLayer; scale: number }[],
): tf.Tensor2D {
  const { hiddenSize: h, numHeads: heads, layerNormEps: eps } = model.config;
  const d = h / heads;
  const loraDelta = (input: tf.Tensor2D, t: "q" | "k" | "v" | "o"): tf.Tensor2D | null => {
    let sum: tf.Tensor2D | null = null;
    for (const { layer, scale } of lora) {
      const ab = layer[t];
      if (!ab) continue;
      const delta = tf.mul(tf.matMul(tf.matMul(input, ab.A), ab.B), scale) as tf.Tensor2D;
      sum = sum ? (tf.add(sum, delta) as tf.Tensor2D) : delta;
    }
    return sum;
  };
  const qkv = dense(x, w.qkvW, w.qkvB);
  let [q, k, v] = tf.split(qkv, 3, 1) as tf.Tensor2D[];
  const dq = loraDelta(x, "q");
  const dk = loraDelta(x, "k");
  const dv = loraDelta(x, "v");
  if (dq) q = tf.add(q, dq) as tf.Tensor2D;
  if (dk) k = tf.add(k, dk) as tf.Tensor2D;
  if (dv) v = tf.add(v, dv) as tf.Tensor2D;
  let ctx: tf.Tensor2D;
  if (nativeInference()) {
    // rank-4 batched matMuls: one reshape per q, k, v and one for the context, instead of three each
    const q4 = tf.transpose(tf.reshape(q, [n, len, heads, d]), [0, 2, 1, 3]);
    const k4 = tf.transpose(tf.reshape(k, [n, len, heads, d]), [0, 2, 3, 1]);
    const v4 = tf.transpose(tf.reshape(v, [n, len, heads, d]), [0, 2, 1, 3]);
    const probs4 = tf.softmax(tf.add(tf.mul(tf.matMul(q4, k4), 1 / Math.sqrt(d)), bias));
    ctx = tf.reshape(tf.transpose(tf.matMul(probs4, v4), [0, 2, 1, 3]), [n * len, h]);
  } else {
    ctx = attentionContext(q, k, v, n, len, heads, d, bias);
  }
  let attnOut = dense(ctx, w.oW, w.oB);
  const dO = loraDelta(ctx, "o");
  if (dO) attnOut = tf.add(attnOut, dO) as tf.Tensor2D;
  const h1 = layerNorm(tf.add(attnOut, x), w.ln1G, w.ln1B, eps) as tf.Tensor2D;
  const ff = dense(gelu(dense(h1, w.ffInW, w.ffInB)) as tf.Tensor2D, w.ffOutW, w.ffOutB);
  return layerNorm(tf.add(ff, h1), w.ln2G, w.ln2B, eps) as tf.Tensor2D;
}

/** softmax(q·kᵀ/√d + bias)·v per head, as rank-3 batched matMuls with explicit transposes (fast on wasm). */
function attentionContext(
  q: tf.Tensor2D,
  k: tf.Tensor2D,
  v: tf.Tensor2D,
  n: number,
  len: number,
  heads: number,
  d: number,
  bias: tf.Tensor,
): tf.Tensor2D {
  const h = heads * d;
  // [n·len, h] → [n, heads, len, d]; k goes straight to [n, heads, d, len] so q·kᵀ needs no transpose flag
  const qh = tf.reshape(tf.transpose(tf.reshape(q, [n, len, heads, d]), [0, 2, 1, 3]), [n * heads, len, d]);
  const kt = tf.reshape(tf.transpose(tf.reshape(k, [n, len, heads, d]), [0, 2, 3, 1]), [n * heads, d, len]);
  const vh = tf.reshape(tf.transpose(tf.reshape(v, [n, len, heads, d]), [0, 2, 1, 3]), [n * heads, len, d]);
  const scores = tf.add(tf.reshape(tf.mul(tf.matMul(qh, kt), 1 / Math.sqrt(d)), [n, heads, len, len]), bias);
  const probs = tf.reshape(tf.softmax(scores), [n * heads, len, len]);
  return tf.reshape(tf.transpose(tf.reshape(tf.matMul(probs, vh), [n, heads, len, d]), [0, 2, 1, 3]), [n * len, h]) as tf.Tensor2D;
}

/**
 * Runs encoder layers [from, to) on hidden states [batch, seqLen, hidden] with the attention mask [batch, seqLen].
 * Cache runLayers(…, 0, k) of frozen lower layers, then train layers [k, numLayers) with `overrides`.
 */
export function runLayers(
  model: BaseModel,
  hidden: tf.Tensor3D,
  mask: tf.Tensor2D,
  from: number,
  to: number,
  overrides?: LayerOverrides,
): tf.Tensor3D {
  const L = model.config.numLayers;
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to > L || from > to) {
    throw new Error(`runLayers: need 0 ≤ from ≤ to ≤ ${L}, got from=${from} to=${to}`);
  }
  const [n, len, h] = hidden.shape;
  if (h !== model.config.hiddenSize) throw new Error(`runLayers: hidden size ${h}, model has ${model.config.hiddenSize}`);
  if (mask.shape[0] !== n || mask.shape[1] !== len) {
    throw new Error(`runLayers: mask shape [${mask.shape}] does not match hidden states [${hidden.shape}]`);
  }
  const list = flattenOverrides(overrides);
  return tf.tidy(() => {
    const bias = attentionBias(mask);
    let x = tf.reshape(hidden, [n * len, h]) as tf.Tensor2D;
    for (let i = from; i < to; i++) x = encoderLayer(model, x, n, len, bias, layerWeights(model, i, list), loraFor(i, list));
    return tf.reshape(x, [n, len, h]) as tf.Tensor3D;
  });
}

/** Mean over real tokens (mask 1), then L2-normalised unless normalize is false. [batch, hidden] */
export function meanPool(hidden: tf.Tensor3D, mask: tf.Tensor2D, normalize = true): tf.Tensor2D {
  return tf.tidy(() => {
    const m = tf.expandDims(tf.cast(mask, "float32"), 2);
    const summed = tf.sum(tf.mul(hidden, m), 1);
    const counts = tf.maximum(tf.sum(m, 1), 1e-9);
    const mean = tf.div(summed, counts) as tf.Tensor2D;
    if (!normalize) return mean;
    const norm = tf.maximum(tf.sqrt(tf.sum(tf.square(mean), 1, true)), 1e-12);
    return tf.div(mean, norm) as tf.Tensor2D;
  });
}

/** Full pass: embeddings → all layers → mean pool (normalised if the model's pipeline says so). */
export function forward(model: BaseModel, batch: EncodedBatch, overrides?: LayerOverrides): tf.Tensor2D {
  return tf.tidy(() => {
    const hidden = runLayers(model, embeddings(model, batch), batch.mask, 0, model.config.numLayers, overrides);
    return meanPool(hidden, batch.mask, model.normalize);
  });
}
