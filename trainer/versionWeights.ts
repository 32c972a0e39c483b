import type * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import {
  createLora,
  createTopLayers,
  disposeOverrides,
  getTrainableWeights,
  readSafetensors,
  setTrainableWeights,
  type AnyBaseModel,
  type LayerOverrides,
  type LoraAdapters,
  type LoraTarget,
  type TensorData,
  type TopLayerWeights,
} from "./model/index.js";
import type { Manifest, TrainMethod } from "./artifact.js";
import { bertOnly } from "./train/features.js";

/** A version's weights: only what it trained (prototypes, plus top-layer copies or LoRA adapters), never the base. */
export const WEIGHTS_FILE = "weights.safetensors";
export const PROTOTYPES = "head.prototypes";
export const LORA_TARGETS: LoraTarget[] = ["q", "v"];

export interface EncoderShape {
  method: TrainMethod;
  trainedLayers: number[];
  loraRank: number;
  loraAlpha: number;
  seed: number;
}

export function topLayerIndices(numLayers: number, topLayers: number): number[] {
  return Array.from({ length: topLayers }, (_, k) => numLayers - topLayers + k);
}

/** Fresh trainable overrides for a method (top-layer copies start at the base values, LoRA B at zero). */
export function createOverrides(base: AnyBaseModel, shape: EncoderShape): TopLayerWeights | LoraAdapters | undefined {
  if (shape.method === "head") return undefined;
  const bert = bertOnly(base, `method ${shape.method}`);
  if (shape.method === "full") return createTopLayers(bert, shape.trainedLayers);
  return createLora(bert, {
    rank: shape.loraRank,
    alpha: shape.loraAlpha,
    targets: LORA_TARGETS,
    layers: shape.trainedLayers,
    seed: shape.seed,
  });
}

export function encoderShapeOf(manifest: Manifest): EncoderShape {
  const hp = manifest.hyperParameters;
  return {
    method: manifest.method,
    trainedLayers: manifest.trainedLayers,
    loraRank: Number(hp.loraRank ?? 0),
    loraAlpha: Number(hp.loraAlpha ?? 0),
    seed: manifest.seed,
  };
}

export function weightsToSave(overrides: LayerOverrides | undefined, prototypes: tf.Tensor2D): Record<string, TensorData> {
  return {
    ...(overrides ? getTrainableWeights(overrides) : {}),
    [PROTOTYPES]: { shape: prototypes.shape.slice(), data: prototypes.dataSync() as Float32Array },
  };
}

/** Reads an artifact's weights into fresh overrides; the caller owns (and disposes) them. */
export function loadVersionWeights(
  dir: string,
  base: AnyBaseModel,
  manifest: Manifest,
): { overrides: TopLayerWeights | LoraAdapters | undefined; prototypes: TensorData } {
  const { tensors } = readSafetensors(join(dir, WEIGHTS_FILE));
  const prototypes = tensors[PROTOTYPES];
  if (!prototypes || prototypes.shape[0] !== manifest.labels.length || prototypes.shape[1] !== base.config.hiddenSize) {
    throw new Error(`${dir}: ${PROTOTYPES} missing or not [${manifest.labels.length}, ${base.config.hiddenSize}]`);
  }
  const overrides = createOverrides(base, encoderShapeOf(manifest));
  if (overrides) {
    const rest = Object.fromEntries(Object.entries(tensors).filter(([name]) => name !== PROTOTYPES));
    try {
      setTrainableWeights(overrides, rest);
    } catch (err) {
      disposeOverrides(overrides);
      throw new Error(`${dir}: ${(err as Error).message}`, { cause: err });
    }
  }
  return { overrides, prototypes };
}
