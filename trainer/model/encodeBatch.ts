import * as tf from "@tensorflow/tfjs";
import type { BaseModel } from "./load.js";

/** int32 tensors [batch, seqLen], padded to the longest sequence of the batch; mask is 1 on real tokens. */
export interface EncodedBatch {
  ids: tf.Tensor2D;
  typeIds: tf.Tensor2D;
  mask: tf.Tensor2D;
}

export interface EncodeBatchOptions {
  /** Per text: a second segment (e.g. the previous turn) or null. */
  pairs?: (string | null)[];
  maxLength?: number;
}

export function encodeBatch(model: BaseModel, texts: string[], opts: EncodeBatchOptions = {}): EncodedBatch {
  // the position table caps the usable length whatever the caller asks for
  const maxLength = Math.min(opts.maxLength ?? 128, model.config.maxPositions);
  const b = model.tokenizer.encodeBatch(texts, { ...opts, maxLength });
  const shape: [number, number] = [b.batchSize, b.seqLen];
  return {
    ids: tf.tensor2d(b.ids, shape, "int32"),
    typeIds: tf.tensor2d(b.typeIds, shape, "int32"),
    mask: tf.tensor2d(b.mask, shape, "int32"),
  };
}

export function disposeBatch(batch: EncodedBatch): void {
  tf.dispose([batch.ids, batch.typeIds, batch.mask]);
}
