import * as tf from "@tensorflow/tfjs";
import { forward } from "./bert.js";
import type { BaseModel } from "./load.js";
import { isUse, type AnyBaseModel } from "./family.js";
import { useForward, useTokens } from "./use/forward.js";
import type { LayerOverrides } from "./overrides.js";

export interface EmbedOptions {
  batchSize?: number;
  pairs?: (string | null)[];
  maxLength?: number;
  overrides?: LayerOverrides;
}

/**
 * Sentence embeddings in input order. Texts are sorted by token length and batched so each batch pads only to
 * its own longest text: attention and dense costs follow real lengths, not the longest text of the whole call.
 */
export async function embed(model: AnyBaseModel, texts: string[], opts: EmbedOptions = {}): Promise<Float32Array[]> {
  const batchSize = opts.batchSize ?? 32;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batchSize must be a positive integer, got ${batchSize}`);
  if (opts.pairs && opts.pairs.length !== texts.length) throw new Error(`embed: ${texts.length} texts but ${opts.pairs.length} pairs`);
  if (isUse(model)) return embedUse(model, texts, opts.pairs ?? null, batchSize);
  return embedBert(model, texts, opts, batchSize);
}

async function embedUse(
  model: Extract<AnyBaseModel, { family: "use-multilingual" }>,
  texts: string[],
  pairs: (string | null)[] | null,
  batchSize: number,
): Promise<Float32Array[]> {
  const ids = texts.map((t, i) => useTokens(model, t, pairs?.[i] ?? null));
  const order = ids.map((_, i) => i).sort((a, b) => ids[a].length - ids[b].length);
  const out: Float32Array[] = new Array(texts.length);
  const h = model.config.hiddenSize;
  for (let s = 0; s < order.length; s += batchSize) {
    const idx = order.slice(s, s + batchSize);
    const t = useForward(
      model,
      idx.map((j) => ids[j]),
    );
    const data = (await t.data()) as Float32Array;
    t.dispose();
    idx.forEach((j, r) => (out[j] = data.slice(r * h, (r + 1) * h)));
  }
  return out;
}

async function embedBert(model: BaseModel, texts: string[], opts: EmbedOptions, batchSize: number): Promise<Float32Array[]> {
  const maxLength = Math.min(opts.maxLength ?? 128, model.config.maxPositions);
  const tok = model.tokenizer;
  const encs = texts.map((t, i) => tok.encode(t, { pair: opts.pairs?.[i] ?? null, maxLength }));
  const order = encs.map((_, i) => i).sort((a, b) => encs[a].ids.length - encs[b].ids.length);
  const out: Float32Array[] = new Array(texts.length);
  const h = model.config.hiddenSize;
  for (let s = 0; s < order.length; s += batchSize) {
    const idx = order.slice(s, s + batchSize);
    const len = encs[idx[idx.length - 1]].ids.length;
    const ids = new Int32Array(idx.length * len);
    const typeIds = new Int32Array(idx.length * len);
    const mask = new Int32Array(idx.length * len);
    idx.forEach((j, r) => {
      ids.set(encs[j].ids, r * len);
      typeIds.set(encs[j].typeIds, r * len);
      mask.fill(1, r * len, r * len + encs[j].ids.length);
    });
    const pooled = tf.tidy(() => {
      const shape: [number, number] = [idx.length, len];
      const batch = {
        ids: tf.tensor2d(ids, shape, "int32"),
        typeIds: tf.tensor2d(typeIds, shape, "int32"),
        mask: tf.tensor2d(mask, shape, "int32"),
      };
      return forward(model, batch, opts.overrides);
    });
    const data = (await pooled.data()) as Float32Array;
    pooled.dispose();
    idx.forEach((j, r) => (out[j] = data.slice(r * h, (r + 1) * h)));
  }
  return out;
}
