import * as tf from "@tensorflow/tfjs";
import type { AnyBaseModel, LayerOverrides } from "../model/index.js";
import { lengthSortedBatches } from "./features.js";
import { sentenceFromStates } from "./features.js";
import { prototypeLogits } from "./objective.js";

/** Raw (uncalibrated) logits for cached states, in input order. */
export async function logitsFromStates(
  base: AnyBaseModel,
  states: Float32Array[],
  fromLayer: number,
  overrides: LayerOverrides | undefined,
  prototypes: tf.Tensor2D,
  scale: number,
  batchSize = 64,
): Promise<Float32Array[]> {
  const hidden = base.config.hiddenSize;
  const out = new Array<Float32Array>(states.length);
  const numLabels = prototypes.shape[0];
  for (const batch of lengthSortedBatches(
    states.map((s) => s.length / hidden),
    batchSize,
  )) {
    const logits = tf.tidy(() =>
      prototypeLogits(
        sentenceFromStates(
          base,
          batch.map((i) => states[i]),
          fromLayer,
          overrides,
        ),
        prototypes,
        scale,
      ),
    );
    const data = (await logits.data()) as Float32Array;
    logits.dispose();
    batch.forEach((idx, row) => (out[idx] = data.slice(row * numLabels, (row + 1) * numLabels)));
  }
  return out;
}

export function argmax(row: Float32Array | number[]): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
}

/** Sentence vectors (L2-normalised) for cached states, in input order: the states themselves when fully pooled. */
export async function sentenceVectorsFromStates(
  base: AnyBaseModel,
  states: Float32Array[],
  fromLayer: number,
  overrides: LayerOverrides | undefined,
  batchSize = 64,
): Promise<Float32Array[]> {
  const hidden = base.config.hiddenSize;
  if (fromLayer >= base.config.numLayers) return states;
  const out = new Array<Float32Array>(states.length);
  for (const batch of lengthSortedBatches(
    states.map((s) => s.length / hidden),
    batchSize,
  )) {
    const t = tf.tidy(() =>
      sentenceFromStates(
        base,
        batch.map((i) => states[i]),
        fromLayer,
        overrides,
      ),
    );
    const data = (await t.data()) as Float32Array;
    t.dispose();
    batch.forEach((idx, row) => (out[idx] = data.slice(row * hidden, (row + 1) * hidden)));
  }
  return out;
}
