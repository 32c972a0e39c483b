import * as tf from "@tensorflow/tfjs";
import type { BaseModel } from "./load.js";
import type { LoraAdapters, LoraLayer } from "./lora.js";
import { LAYER_PARAMS, type LayerWeights } from "./weights.js";
import type { TensorData } from "./safetensors.js";

/**
 * A fine-tuned version's own copies of some encoder layers. The base model stays untouched and shared;
 * runLayers uses these in place of the base weights for the layers they hold.
 */
export interface TopLayerWeights {
  kind: "top";
  layers: Map<number, LayerWeights>;
}

/** What runLayers accepts on top of the base: top-layer copies, LoRA, or both (applied in array order). */
export type LayerOverrides = TopLayerWeights | LoraAdapters | (TopLayerWeights | LoraAdapters)[];

function checkLayers(model: BaseModel, layers: number[]): void {
  for (const l of layers) {
    if (!Number.isInteger(l) || l < 0 || l >= model.config.numLayers) {
      throw new Error(`layer ${l} is out of range: the model has layers 0..${model.config.numLayers - 1}`);
    }
  }
}

/** Trainable tf.Variable copies of the given layers (e.g. [4, 5] to train the top two of six). */
export function createTopLayers(model: BaseModel, layers: number[], trainable = true): TopLayerWeights {
  checkLayers(model, layers);
  const out = new Map<number, LayerWeights>();
  for (const l of layers) {
    const base = model.weights.layers[l];
    const copy = {} as Record<keyof LayerWeights, tf.Tensor>;
    // A variable starts out sharing the base tensor's buffer; training assigns new buffers, the base never changes.
    for (const p of LAYER_PARAMS) copy[p] = tf.variable(base[p], trainable);
    out.set(l, copy as unknown as LayerWeights);
  }
  return { kind: "top", layers: out };
}

export function flattenOverrides(o?: LayerOverrides): (TopLayerWeights | LoraAdapters)[] {
  if (!o) return [];
  return Array.isArray(o) ? o : [o];
}

/** Weights of layer i after the top-layer overrides (last one wins); LoRA is applied separately. */
export function layerWeights(model: BaseModel, i: number, overrides: (TopLayerWeights | LoraAdapters)[]): LayerWeights {
  let w = model.weights.layers[i];
  for (const o of overrides) if (o.kind === "top" && o.layers.has(i)) w = o.layers.get(i)!;
  return w;
}

export function loraFor(i: number, overrides: (TopLayerWeights | LoraAdapters)[]): { layer: LoraLayer; scale: number }[] {
  const out: { layer: LoraLayer; scale: number }[] = [];
  for (const o of overrides) if (o.kind === "lora" && o.layers.has(i)) out.push({ layer: o.layers.get(i)!, scale: o.scale });
  return out;
}

function namedTensors(o: TopLayerWeights | LoraAdapters): [string, tf.Tensor][] {
  const out: [string, tf.Tensor][] = [];
  if (o.kind === "top") {
    for (const [l, w] of o.layers) for (const p of LAYER_PARAMS) out.push([`layer.${l}.${p}`, w[p]]);
  } else {
    for (const [l, targets] of o.layers) {
      for (const [t, ab] of Object.entries(targets)) {
        out.push([`lora.layer.${l}.${t}.A`, ab!.A], [`lora.layer.${l}.${t}.B`, ab!.B]);
      }
    }
  }
  return out;
}

/** The trainable variables, for optimizer.minimize(f, true, varList). */
export function trainableVariables(o: LayerOverrides): tf.Variable[] {
  return flattenOverrides(o)
    .flatMap(namedTensors)
    .map(([, t]) => t)
    .filter((t): t is tf.Variable => t instanceof tf.Variable && t.trainable);
}

/** name → {shape, data}: pass straight to writeSafetensors. */
export function getTrainableWeights(o: LayerOverrides): Record<string, TensorData> {
  const out: Record<string, TensorData> = {};
  for (const [name, t] of flattenOverrides(o).flatMap(namedTensors)) {
    if (name in out) throw new Error(`two overrides both hold '${name}'`);
    out[name] = { shape: t.shape.slice(), data: t.dataSync() as Float32Array };
  }
  return out;
}

/** Loads values saved by getTrainableWeights; every name must match and no override may be left unset. */
export function setTrainableWeights(o: LayerOverrides, weights: Record<string, TensorData | Float32Array>): void {
  const targets = new Map(flattenOverrides(o).flatMap(namedTensors));
  const missing = [...targets.keys()].filter((n) => !(n in weights));
  const unknown = Object.keys(weights).filter((n) => !targets.has(n));
  if (missing.length || unknown.length) {
    throw new Error(
      `setTrainableWeights: names do not match` +
        (missing.length ? `; missing ${missing.slice(0, 5).join(", ")}${missing.length > 5 ? ", …" : ""}` : "") +
        (unknown.length ? `; unexpected ${unknown.slice(0, 5).join(", ")}${unknown.length > 5 ? ", …" : ""}` : ""),
    );
  }
  for (const [name, t] of targets) {
    const w = weights[name];
    const data = w instanceof Float32Array ? w : w.data;
    if (!(w instanceof Float32Array) && w.shape.join(",") !== t.shape.join(",")) {
      throw new Error(`setTrainableWeights: '${name}' has shape [${w.shape}], expected [${t.shape}]`);
    }
    if (data.length !== t.size) throw new Error(`setTrainableWeights: '${name}' has ${data.length} values, expected ${t.size}`);
    if (!(t instanceof tf.Variable)) throw new Error(`setTrainableWeights: '${name}' is not a variable (a merged adapter?)`);
    tf.tidy(() => t.assign(tf.tensor(data, t.shape)));
  }
}

/** Frees a fine-tuned version's tensors; the shared base stays loaded. */
export function disposeOverrides(o: LayerOverrides): void {
  for (const [, t] of flattenOverrides(o).flatMap(namedTensors)) t.dispose();
}
