import * as tf from "@tensorflow/tfjs";
import type { BaseModel } from "./load.js";
import type { TopLayerWeights } from "./overrides.js";
import { layerWeights, flattenOverrides } from "./overrides.js";
import type { LayerWeights } from "./weights.js";

export type LoraTarget = "q" | "k" | "v" | "o";
const TARGETS: readonly LoraTarget[] = ["q", "k", "v", "o"];

/** ΔW = (alpha/rank)·A·B with A [in, rank], B [rank, out]; B starts at zero so training starts from the base. */
export interface LoraPair {
  A: tf.Variable;
  B: tf.Variable;
}
export type LoraLayer = Partial<Record<LoraTarget, LoraPair>>;

export interface LoraAdapters {
  kind: "lora";
  rank: number;
  alpha: number;
  /** alpha / rank */
  scale: number;
  targets: LoraTarget[];
  layers: Map<number, LoraLayer>;
}

export interface LoraOptions {
  rank: number;
  alpha: number;
  targets: LoraTarget[];
  layers: number[];
  seed: number;
}

export function createLora(model: BaseModel, opts: LoraOptions): LoraAdapters {
  const { rank, alpha, targets, layers, seed } = opts;
  if (!Number.isInteger(rank) || rank < 1) throw new Error(`LoRA rank must be a positive integer, got ${rank}`);
  if (!(alpha > 0)) throw new Error(`LoRA alpha must be > 0, got ${alpha}`);
  if (!targets.length || targets.some((t) => !TARGETS.includes(t))) {
    throw new Error(`LoRA targets must be a non-empty subset of q, k, v, o; got [${targets}]`);
  }
  if (!layers.length) throw new Error("LoRA needs at least one layer");
  for (const l of layers) {
    if (!Number.isInteger(l) || l < 0 || l >= model.config.numLayers) {
      throw new Error(`LoRA layer ${l} is out of range: the model has layers 0..${model.config.numLayers - 1}`);
    }
  }
  const h = model.config.hiddenSize;
  const out = new Map<number, LoraLayer>();
  let n = 0;
  for (const l of layers) {
    const layer: LoraLayer = {};
    for (const t of targets) {
      // Kaiming-uniform-like A (as in the LoRA reference code), deterministic per (seed, position)
      const bound = 1 / Math.sqrt(h);
      const A = tf.variable(tf.randomUniform([h, rank], -bound, bound, "float32", seed * 1000 + n++), true);
      const B = tf.variable(tf.zeros([rank, h]), true);
      layer[t] = { A, B };
    }
    out.set(l, layer);
  }
  return { kind: "lora", rank, alpha, scale: alpha / rank, targets: [...targets], layers: out };
}

/** Column range of a target inside the fused qkv kernel. */
function qkvColumns(t: "q" | "k" | "v", h: number): number {
  return { q: 0, k: h, v: 2 * h }[t];
}

/**
 * Folds the adapters into plain (non-trainable) layer weights: W' = W + scale·A·B, for serving at base speed.
 * `under` gives the layer weights the adapters were trained on (top-layer copies), default the base.
 */
export function mergeLora(model: BaseModel, lora: LoraAdapters, under?: TopLayerWeights): TopLayerWeights {
  const h = model.config.hiddenSize;
  const layers = new Map<number, LayerWeights>();
  for (const [l, adapters] of lora.layers) {
    const merged = tf.tidy((): tf.TensorContainer => {
      const w = layerWeights(model, l, flattenOverrides(under));
      const delta = (t: LoraTarget) => tf.mul(tf.matMul(adapters[t]!.A, adapters[t]!.B), lora.scale);
      let qkvW: tf.Tensor2D = w.qkvW;
      const parts = (["q", "k", "v"] as const).map((t) => {
        const cols = tf.slice(w.qkvW, [0, qkvColumns(t, h)], [h, h]);
        return adapters[t] ? tf.add(cols, delta(t)) : cols;
      });
      if (adapters.q || adapters.k || adapters.v) qkvW = tf.concat(parts, 1) as tf.Tensor2D;
      const oW = adapters.o ? (tf.add(w.oW, delta("o")) as tf.Tensor2D) : w.oW;
      // clone so the merged version owns every tensor it holds (disposeOverrides must not free the base)
      const copy = { ...w, qkvW, oW } as Record<keyof LayerWeights, tf.Tensor>;
      for (const k of Object.keys(copy) as (keyof LayerWeights)[]) copy[k] = tf.clone(copy[k]);
      return copy;
    });
    layers.set(l, merged as unknown as LayerWeights);
  }
  return { kind: "top", layers };
}
