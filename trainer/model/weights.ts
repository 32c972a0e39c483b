import * as tf from "@tensorflow/tfjs";
import type { TensorData } from "./safetensors.js";

export interface BertConfig {
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  intermediateSize: number;
  vocabSize: number;
  maxPositions: number;
  typeVocabSize: number;
  layerNormEps: number;
}

/** Kernels are [in, out]; q, k and v are fused column-wise into qkvW [hidden, 3·hidden] = q | k | v. */
export interface LayerWeights {
  qkvW: tf.Tensor2D;
  qkvB: tf.Tensor1D;
  oW: tf.Tensor2D;
  oB: tf.Tensor1D;
  ln1G: tf.Tensor1D;
  ln1B: tf.Tensor1D;
  ffInW: tf.Tensor2D;
  ffInB: tf.Tensor1D;
  ffOutW: tf.Tensor2D;
  ffOutB: tf.Tensor1D;
  ln2G: tf.Tensor1D;
  ln2B: tf.Tensor1D;
}

export const LAYER_PARAMS = [
  "qkvW",
  "qkvB",
  "oW",
  "oB",
  "ln1G",
  "ln1B",
  "ffInW",
  "ffInB",
  "ffOutW",
  "ffOutB",
  "ln2G",
  "ln2B",
] as const satisfies readonly (keyof LayerWeights)[];

export interface EmbeddingWeights {
  word: tf.Tensor2D;
  position: tf.Tensor2D;
  tokenType: tf.Tensor2D;
  lnG: tf.Tensor1D;
  lnB: tf.Tensor1D;
}

export interface BertWeights {
  embeddings: EmbeddingWeights;
  layers: LayerWeights[];
}

/** Reads the HF config.json fields this encoder needs; rejects what it cannot run. */
export function parseBertConfig(raw: Record<string, unknown>, source = "config.json"): BertConfig {
  const num = (key: string, fallback?: number): number => {
    const v = raw[key] ?? fallback;
    if (typeof v !== "number" || !Number.isFinite(v)) throw new Error(`${source}: '${key}' must be a number, got ${JSON.stringify(v)}`);
    return v;
  };
  if (raw.model_type !== undefined && raw.model_type !== "bert") {
    throw new Error(`${source}: model_type '${raw.model_type}' is not supported (only 'bert')`);
  }
  const act = raw.hidden_act ?? "gelu";
  if (act !== "gelu") throw new Error(`${source}: hidden_act '${act}' is not supported (only 'gelu', the erf form)`);
  const pe = raw.position_embedding_type ?? "absolute";
  if (pe !== "absolute") throw new Error(`${source}: position_embedding_type '${pe}' is not supported`);
  const config: BertConfig = {
    hiddenSize: num("hidden_size"),
    numLayers: num("num_hidden_layers"),
    numHeads: num("num_attention_heads"),
    intermediateSize: num("intermediate_size"),
    vocabSize: num("vocab_size"),
    maxPositions: num("max_position_embeddings"),
    typeVocabSize: num("type_vocab_size", 2),
    layerNormEps: num("layer_norm_eps", 1e-12),
  };
  if (config.hiddenSize % config.numHeads !== 0) {
    throw new Error(`${source}: hidden_size ${config.hiddenSize} is not divisible by num_attention_heads ${config.numHeads}`);
  }
  return config;
}

/** Builds tensors from HF BertModel weights (with or without a 'bert.' prefix), transposing Linear kernels. */
export function bertWeightsFromTensors(tensors: Record<string, TensorData>, config: BertConfig, source: string): BertWeights {
  const prefix = "embeddings.word_embeddings.weight" in tensors ? "" : "bert.";
  const get = (name: string, shape: number[]): TensorData => {
    const t = tensors[prefix + name];
    if (!t) throw new Error(`${source}: missing tensor '${prefix + name}'`);
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new Error(`${source}: tensor '${prefix + name}' has shape [${t.shape}], expected [${shape}]`);
    }
    return t;
  };
  const { hiddenSize: h, intermediateSize: ff } = config;
  const vec = (name: string, n: number) => tf.tensor1d(get(name, [n]).data);
  const mat = (name: string, rows: number, cols: number) => tf.tensor2d(get(name, [rows, cols]).data, [rows, cols]);
  // PyTorch Linear stores [out, in]; keeping [in, out] lets the forward pass use plain matMul (no transpose flags).
  const linear = (name: string, out: number, inp: number) => tf.tidy(() => tf.transpose(mat(name, out, inp)) as tf.Tensor2D);
  const embeddings: EmbeddingWeights = {
    word: mat("embeddings.word_embeddings.weight", config.vocabSize, h),
    position: mat("embeddings.position_embeddings.weight", config.maxPositions, h),
    tokenType: mat("embeddings.token_type_embeddings.weight", config.typeVocabSize, h),
    lnG: vec("embeddings.LayerNorm.weight", h),
    lnB: vec("embeddings.LayerNorm.bias", h),
  };
  const layers: LayerWeights[] = [];
  for (let i = 0; i < config.numLayers; i++) {
    const p = `encoder.layer.${i}.`;
    layers.push(
      tf.tidy(() => ({
        qkvW: tf.concat(
          ["query", "key", "value"].map((n) => linear(`${p}attention.self.${n}.weight`, h, h)),
          1,
        ) as tf.Tensor2D,
        qkvB: tf.concat(["query", "key", "value"].map((n) => vec(`${p}attention.self.${n}.bias`, h))) as tf.Tensor1D,
        oW: linear(`${p}attention.output.dense.weight`, h, h),
        oB: vec(`${p}attention.output.dense.bias`, h),
        ln1G: vec(`${p}attention.output.LayerNorm.weight`, h),
        ln1B: vec(`${p}attention.output.LayerNorm.bias`, h),
        ffInW: linear(`${p}intermediate.dense.weight`, ff, h),
        ffInB: vec(`${p}intermediate.dense.bias`, ff),
        ffOutW: linear(`${p}output.dense.weight`, h, ff),
        ffOutB: vec(`${p}output.dense.bias`, h),
        ln2G: vec(`${p}output.LayerNorm.weight`, h),
        ln2B: vec(`${p}output.LayerNorm.bias`, h),
      })),
    );
  }
  return { embeddings, layers };
}

export function disposeBertWeights(w: BertWeights): void {
  tf.dispose(Object.values(w.embeddings));
  for (const l of w.layers) tf.dispose(Object.values(l));
}
