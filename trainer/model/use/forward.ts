import * as tf from "@tensorflow/tfjs";
import { ORDERS, type UseDense, type UseModel } from "./model.js";

const EMB = 512;
const CNN = 256;

/** Piece ids → dequantised 512-d rows, padded per sentence to `len` (zeros on padding). [n·len, 512] */
export function lookupRows(model: UseModel, ids: number[][], len: number): Float32Array {
  const { chunks, lo, scale, rows } = model.table;
  const out = new Float32Array(ids.length * len * EMB);
  ids.forEach((seq, s) => {
    seq.forEach((id, t) => {
      const c = id % chunks.length;
      const r = (id - c) / chunks.length;
      if (r >= rows) throw new Error(`piece id ${id} is outside the embedding table`);
      const src = chunks[c].subarray(r * EMB, (r + 1) * EMB);
      const o = (s * len + t) * EMB;
      const a = scale[c];
      const b = lo[c];
      for (let k = 0; k < EMB; k++) out[o + k] = src[k] * a + b;
    });
  });
  return out;
}

function layerNorm(x: tf.Tensor2D, g: tf.Tensor1D, b: tf.Tensor1D, eps: number): tf.Tensor2D {
  const centered = tf.sub(x, tf.mean(x, -1, true));
  const variance = tf.mean(tf.square(centered), -1, true);
  return tf.add(tf.mul(tf.mul(centered, tf.rsqrt(tf.add(variance, eps))), g), b) as tf.Tensor2D;
}

/** One n-gram convolution over [n, len, 256] with zeros outside each sentence (the input is masked first). */
function ngram(
  x: tf.Tensor2D,
  mask: tf.Tensor2D,
  n: number,
  len: number,
  order: number,
  left: number,
  w: tf.Tensor3D,
  bias: tf.Tensor1D,
): tf.Tensor2D {
  const padded = tf.pad(tf.reshape(tf.mul(x, mask), [n, len, CNN]) as tf.Tensor3D, [
    [0, 0],
    [left, order - 1 - left],
    [0, 0],
  ]);
  const conv = tf.conv1d(padded as tf.Tensor3D, w, 1, "valid");
  return tf.relu(tf.add(tf.reshape(conv, [n * len, CNN]), bias)) as tf.Tensor2D;
}

/**
 * Token features up to the pooled sum: [embedding | 3 CNN branches] layer-normed, summed over each sentence's
 * tokens and projected, / √length. [n, 512]: the input of the DAN, which `danHead` finishes.
 */
export function pooledFeatures(
  model: UseModel,
  emb: tf.Tensor2D,
  mask: tf.Tensor2D,
  n: number,
  len: number,
  lengths: tf.Tensor2D,
  dense: UseDense = model.dense,
): tf.Tensor2D {
  const eps = model.eps;
  const x = layerNorm(tf.add(tf.matMul(emb, dense.projW), dense.projB) as tf.Tensor2D, dense.lnG768, dense.lnB768, eps);
  const parts: tf.Tensor2D[] = [emb];
  ORDERS.forEach(([order, left], i) => {
    const br = dense.branches[i];
    const xs = tf.slice(x, [0, i * CNN], [-1, CNN]);
    const h = tf.add(ngram(xs, mask, n, len, order, left, br.w1, br.b1), xs) as tf.Tensor2D;
    parts.push(tf.add(ngram(h, mask, n, len, order, left, br.w2, br.b2), h) as tf.Tensor2D);
  });
  const feats = layerNorm(tf.concat(parts, 1), dense.lnG, dense.lnB, eps);
  const summed = tf.sum(tf.reshape(tf.mul(feats, mask), [n, len, EMB + 3 * CNN]), 1) as tf.Tensor2D;
  // the token sum commutes with the linear projection: project n sums instead of n·len tokens
  const projected = tf.add(tf.matMul(summed, dense.cnnW), tf.mul(lengths, dense.cnnB));
  return tf.div(projected, tf.sqrt(lengths)) as tf.Tensor2D;
}

/** The DAN on pooled features → L2-normalised sentence vectors [n, 512]. */
export function danHead(model: UseModel, mean: tf.Tensor2D, dense: UseDense = model.dense): tf.Tensor2D {
  const y0 = tf.relu(tf.matMul(mean, dense.d0));
  const y1 = tf.relu(tf.add(tf.matMul(mean, dense.p1), tf.matMul(y0, dense.d1))) as tf.Tensor2D;
  const y2 = tf.relu(tf.matMul(y1, dense.d2)) as tf.Tensor2D;
  const z = tf.tanh(tf.add(tf.matMul(y1, dense.p3), tf.matMul(y2, dense.d3)));
  return tf.mul(z, tf.rsqrt(tf.maximum(tf.sum(tf.square(z), 1, true), model.eps))) as tf.Tensor2D;
}

/** Sentence vectors of tokenised messages (piece ids with <s> … </s>), one batch padded to its longest. */
export function useForward(model: UseModel, ids: number[][], dense: UseDense = model.dense): tf.Tensor2D {
  const n = ids.length;
  const len = Math.max(...ids.map((s) => s.length));
  const maskData = new Float32Array(n * len);
  ids.forEach((s, i) => maskData.fill(1, i * len, i * len + s.length));
  const rows = lookupRows(model, ids, len);
  return tf.tidy(() => {
    const emb = tf.tensor2d(rows, [n * len, EMB]);
    const mask = tf.tensor2d(maskData, [n * len, 1]);
    const lengths = tf.tensor2d(
      ids.map((s) => s.length),
      [n, 1],
    );
    return danHead(model, pooledFeatures(model, emb, mask, n, len, lengths, dense), dense);
  });
}

/** Message (with the turn before it, when there is one) → piece ids. USE has no segment pairs: the turns are joined. */
export function useTokens(model: UseModel, text: string, previousTurn?: string | null): number[] {
  return model.tokenizer.encode(previousTurn ? `${previousTurn}\n${text}` : text);
}
