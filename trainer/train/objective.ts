import * as tf from "@tensorflow/tfjs";

/** Cosine logits: scale · cos(sentence, prototype). `sentence` is already L2-normalised by meanPool. */
export function prototypeLogits(sentence: tf.Tensor2D, prototypes: tf.Tensor2D, scale: number): tf.Tensor2D {
  const unit = tf.div(prototypes, tf.add(tf.norm(prototypes, 2, 1, true), 1e-8));
  // explicit transpose: matMul's transpose flags take a much slower path on wasm
  return tf.mul(tf.matMul(sentence, tf.transpose(unit)), scale) as tf.Tensor2D;
}

export interface BatchTargets {
  /** Label index per row. */
  labels: number[];
  /** true: "this message is NOT this label" (an agent-rejected reply). */
  negative: boolean[];
  /** true: no answer fits this message (marked "not for the bot"); its label is ignored. */
  outOfScope?: boolean[];
}

export interface ObjectiveWeights {
  contrastive: number;
  negative: number;
  outOfScope?: number;
}

/**
 * Cross-entropy of the question against every answer prototype (the prototypes act as the in-batch negatives of a
 * question→answer contrastive loss), plus a supervised in-batch question↔question contrastive term (same-label pairs
 * are positives, all other rows negatives), plus −log(1 − p(label)) for rejected replies, which pushes the question
 * away from the answer an agent refused: a hard negative. A question no answer fits is pulled towards a uniform
 * distribution over all answers (outlier exposure, Hendrycks et al. 2019), so nothing near it looks confident.
 */
export function recipeLoss(
  sentence: tf.Tensor2D,
  prototypes: tf.Tensor2D,
  scale: number,
  targets: BatchTargets,
  weights: ObjectiveWeights,
): tf.Scalar {
  const b = targets.labels.length;
  const numLabels = prototypes.shape[0];
  const outOfScope = targets.outOfScope ?? targets.negative.map(() => false);
  const positive: number[] = targets.negative.map((n, i) => (n || outOfScope[i] ? 0 : 1));
  const nPos = positive.reduce((s, v) => s + v, 0);
  const nNeg = targets.negative.filter(Boolean).length;
  const nOut = outOfScope.filter(Boolean).length;
  const oneHot = tf.oneHot(tf.tensor1d(targets.labels, "int32"), numLabels).toFloat();
  const logProbs = tf.logSoftmax(prototypeLogits(sentence, prototypes, scale));
  const labelLogProb = tf.sum(tf.mul(oneHot, logProbs), 1);

  let loss: tf.Scalar = tf.scalar(0);
  if (nPos > 0) {
    loss = tf.add(loss, tf.div(tf.sum(tf.mul(tf.neg(labelLogProb), tf.tensor1d(positive))), nPos));
  }
  if (nNeg > 0 && weights.negative > 0) {
    const rejectLoss = tf.neg(tf.log(tf.add(tf.sub(1, tf.exp(labelLogProb)), 1e-6)));
    const mask = tf.tensor1d(targets.negative.map((n) => (n ? 1 : 0)));
    loss = tf.add(loss, tf.mul(weights.negative, tf.div(tf.sum(tf.mul(rejectLoss, mask)), nNeg)));
  }
  if (nOut > 0 && (weights.outOfScope ?? weights.negative) > 0) {
    const uniform = tf.neg(tf.mean(logProbs, 1));
    const mask = tf.tensor1d(outOfScope.map((o) => (o ? 1 : 0)));
    loss = tf.add(loss, tf.mul(weights.outOfScope ?? weights.negative, tf.div(tf.sum(tf.mul(uniform, mask)), nOut)));
  }
  const pairMask = new Float32Array(b * b);
  const rowHasPair = new Float32Array(b);
  const pairCount = new Float32Array(b);
  for (let i = 0; i < b; i++) {
    for (let j = 0; j < b; j++) {
      if (i !== j && positive[i] && positive[j] && targets.labels[i] === targets.labels[j]) {
        pairMask[i * b + j] = 1;
        pairCount[i]++;
      }
    }
    rowHasPair[i] = pairCount[i] > 0 ? 1 / pairCount[i] : 0;
  }
  const rows = rowHasPair.reduce((s, v) => s + (v > 0 ? 1 : 0), 0);
  if (rows > 0 && weights.contrastive > 0) {
    const self = tf.mul(tf.eye(b), 1e4);
    const sim = tf.sub(tf.mul(tf.matMul(sentence, tf.transpose(sentence)), scale), self);
    const pairLogProb = tf.sum(tf.mul(tf.logSoftmax(sim), tf.tensor2d(pairMask, [b, b])), 1);
    const perRow = tf.mul(tf.neg(pairLogProb), tf.tensor1d(rowHasPair));
    loss = tf.add(loss, tf.mul(weights.contrastive, tf.div(tf.sum(perRow), rows)));
  }
  return loss;
}
