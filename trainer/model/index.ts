/**
 * The encoder half of the model library. The rest of trainer/ imports it from here; code outside trainer/ goes
 * through trainer/index.ts, which re-exports the part of it that is public.
 *
 * Usage (recipe side):
 *   await initBackend();                                  // 'wasm' here; TFJS_BACKEND overrides
 *   const base = await loadBaseModel(dir);                // loaded once, shared read-only by every fine-tuned version
 *   const top = createTopLayers(base, [4, 5]);            // trainable copies of layers 4..5 (base untouched)
 *   const lora = createLora(base, { rank: 8, alpha: 16, targets: ['q', 'v'], layers: [4, 5], seed: 1 });
 *   const batch = encodeBatch(base, texts, { pairs });    // pads to the longest in the batch; disposeBatch(batch) after
 *   const h4 = runLayers(base, embeddings(base, batch), batch.mask, 0, 4);   // cache this per example
 *   const h6 = runLayers(base, h4, batch.mask, 4, 6, top);                   // or `lora`, or [top, lora]
 *   const sentence = meanPool(h6, batch.mask);            // L2-normalised [B, 384]
 *   trainableVariables(top) → tf.Variable[] for optimizer.minimize(..., varList)
 *   writeSafetensors(path, getTrainableWeights(top)); setTrainableWeights(top, readSafetensors(path).tensors)
 *   mergeLora(base, lora) → LayerOverrides with W + (alpha/rank)·A·B folded in (faster serving, not trainable)
 *   disposeOverrides(x) frees a fine-tuned version's tensors; base weights stay.
 *   forward(base, batch, overrides?) = embeddings → all layers → meanPool; embed(base, texts, { batchSize, pairs, overrides })
 *   sorts by token length and pads per batch, returning Float32Array[] in input order.
 *
 * Inference (outside a gradient tape) uses fused matmul+bias; under tf.grad/minimize plain matMul, whose gradient
 * initBackend re-registers with explicit transposes (fast on wasm). Train in a child process (see the wasm notes).
 *
 * Overrides: `LayerOverrides` (top layers or LoRA) replace/extend the base only for the layers they name;
 * several may be combined in an array, applied in order (a top-layer copy first, LoRA on top of it).
 *
 * Weight orientation: all dense kernels are [in, out] (PyTorch's Linear is [out, in]; transposed at load),
 * q/k/v are fused into one `qkv` kernel [hidden, 3·hidden] (q | k | v columns). Names in
 * getTrainableWeights: `layer.<i>.<param>` for top layers (param = one of LAYER_PARAMS) and
 * `lora.layer.<i>.<q|k|v|o>.<A|B>` for LoRA (A: [in, rank], B: [rank, out]).
 */
export { initBackend, type BackendName } from "./backend.js";
export { readSafetensors, writeSafetensors, type TensorData, type SafetensorsFile } from "./safetensors.js";
export { WordPieceTokenizer, type Encoding, type EncodeOptions, type BatchEncoding } from "./tokenizer.js";
export { loadBaseModel, type BaseModel } from "./load.js";
export type { BertConfig, BertWeights, LayerWeights, EmbeddingWeights } from "./weights.js";
export { LAYER_PARAMS } from "./weights.js";
export { encodeBatch, disposeBatch, type EncodedBatch, type EncodeBatchOptions } from "./encodeBatch.js";
export { embeddings, runLayers, meanPool, forward } from "./bert.js";
export { embed, type EmbedOptions } from "./embed.js";
export {
  createTopLayers,
  type TopLayerWeights,
  type LayerOverrides,
  trainableVariables,
  getTrainableWeights,
  setTrainableWeights,
  disposeOverrides,
} from "./overrides.js";
export { createLora, mergeLora, type LoraAdapters, type LoraOptions, type LoraTarget } from "./lora.js";
export {
  loadAnyBaseModel,
  familyOf,
  familyOfDir,
  baseModelDirFor,
  parseFamily,
  isUse,
  BASE_FAMILIES,
  FAMILY_DIRS,
  type AnyBaseModel,
  type BaseFamily,
} from "./family.js";
export type { UseModel } from "./use/model.js";
