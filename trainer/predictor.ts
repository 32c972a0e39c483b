import * as tf from "@tensorflow/tfjs";
import { baseModelDirFor, disposeOverrides, mergeLora, type BackendName, type BaseFamily, type LayerOverrides } from "./model/index.js";
import { verifyArtifact, type Manifest } from "./artifact.js";
import { sharedBaseModel } from "./baseModels.js";
import type { Prediction } from "./types.js";
import { loadVersionWeights } from "./versionWeights.js";
import { bertOnly, lengthSortedBatches, sentenceVectors, tokenLength, type ModelInput } from "./train/features.js";
import { prototypeLogits } from "./train/objective.js";
import { softmax } from "./train/calibration.js";
import { inScopeScore, nearestSimilarity, IN_SCOPE_BANK, OUT_OF_SCOPE_BANK } from "./train/openWorld.js";
import { readSafetensors } from "./model/index.js";
import { join } from "node:path";

export interface Predictor {
  manifest: Manifest;
  labels: string[];
  threshold: number;
  /** Null for versions trained before the out-of-scope signal: they take every question as in scope. */
  inScopeThreshold: number | null;
  predict(text: string, previousTurn?: string | null): Promise<Prediction>;
  predictBatch(items: ModelInput[]): Promise<Prediction[]>;
  dispose(): void;
}

export interface LoadPredictorOptions {
  /** The configured base (BASE_MODEL_DIR): used for versions of its family; the other family's comes from setup. */
  baseModelDir: string;
  /** A folder per family, overriding the above. */
  baseModelDirs?: Partial<Record<BaseFamily, string>>;
  backend?: BackendName;
  /** How many runner-up answers each prediction lists. Default 3. */
  alternatives?: number;
}

const BATCH_SIZE = 32;

/**
 * Verifies the artifact's hashes, then builds a predictor on the process-wide shared base model. LoRA adapters are
 * folded into plain weights once here, so serving a LoRA version costs the same as serving the base.
 */
export async function loadPredictor(artifactDir: string, opts: LoadPredictorOptions): Promise<Predictor> {
  const manifest = await verifyArtifact(artifactDir);
  // a version names its base family: one trained on the other family than opts.baseModelDir gets its own base
  const family = manifest.baseModel.family ?? "minilm";
  const base = await sharedBaseModel(opts.baseModelDirs?.[family] ?? baseModelDirFor(family, opts.baseModelDir), opts.backend);
  if (manifest.baseModel.weightsSha256 !== base.weightsSha256) {
    throw new Error(
      `${artifactDir} was trained on base weights ${manifest.baseModel.weightsSha256.slice(0, 12)}…, ${base.dir} has ${base.weightsSha256.slice(0, 12)}…`,
    );
  }
  const loaded = loadVersionWeights(artifactDir, base, manifest);
  let overrides: LayerOverrides | undefined = loaded.overrides;
  if (loaded.overrides?.kind === "lora") {
    overrides = mergeLora(bertOnly(base, "a LoRA version"), loaded.overrides);
    disposeOverrides(loaded.overrides);
  }
  const prototypes = tf.tensor2d(loaded.prototypes.data, loaded.prototypes.shape as [number, number]);
  const scale = Number(manifest.hyperParameters.logitScale);
  const temperature = manifest.calibrationTemperature;
  const labels = manifest.labels;
  const topK = opts.alternatives ?? 3;
  const open = manifest.openWorld ? loadBanks(artifactDir, manifest.openWorld.file, base.config.hiddenSize) : null;
  const inScopeThreshold = manifest.openWorld?.inScopeThreshold ?? null;
  let disposed = false;

  const toPrediction = (logits: Float32Array, score: number): Prediction => {
    const probs = softmax(logits, temperature);
    const ranked = probs.map((p, i) => [p, i] as const).sort((a, b) => b[0] - a[0]);
    const [confidence, best] = ranked[0];
    const confident = confidence >= manifest.threshold;
    const inScope = inScopeThreshold === null || score >= inScopeThreshold;
    return {
      label: labels[best],
      confidence,
      confident,
      inScope,
      inScopeScore: score,
      answer: confident && inScope,
      alternatives: ranked.slice(1, 1 + topK).map(([p, i]) => ({ label: labels[i], confidence: p })),
    };
  };

  const predictBatch = async (items: ModelInput[]): Promise<Prediction[]> => {
    if (disposed) throw new Error("predictor was disposed");
    items.forEach((it, i) => {
      if (typeof it?.text !== "string") throw new Error(`predictBatch: items[${i}].text must be a string`);
    });
    const out = new Array<Prediction>(items.length);
    if (items.length === 0) return out;
    const logitsOf = new Array<Float32Array>(items.length);
    const scoreOf = new Array<number>(items.length);
    const pass = async (inputs: ModelInput[], indices: number[], withLogits: boolean) => {
      for (const batch of lengthSortedBatches(
        inputs.map((it) => tokenLength(base, it)),
        BATCH_SIZE,
      )) {
        const [logits, nearIn, nearOut] = tf.tidy(() => {
          const sentence = sentenceVectors(
            base,
            batch.map((i) => inputs[i]),
            overrides,
          );
          return [
            withLogits ? prototypeLogits(sentence, prototypes, scale) : tf.zeros([1, 1]),
            nearestSimilarity(sentence, open?.inScopeT ?? null),
            nearestSimilarity(sentence, open?.outOfScopeT ?? null),
          ];
        });
        const [data, near, far] = (await Promise.all([logits.data(), nearIn.data(), nearOut.data()])) as Float32Array[];
        tf.dispose([logits, nearIn, nearOut]);
        batch.forEach((k, row) => {
          const idx = indices[k];
          if (withLogits) logitsOf[idx] = data.slice(row * labels.length, (row + 1) * labels.length);
          scoreOf[idx] = Math.max(scoreOf[idx] ?? -Infinity, inScopeScore(near[row], far[row]));
        });
      }
    };
    await pass(
      items,
      items.map((_, i) => i),
      true,
    );
    // A follow-up is encoded with the turn before it, which the trained questions mostly lack: a question is in scope
    // when it is near them with or without that context (the answer still comes from the contextual pass). Only the
    // follow-ups the contextual pass found out of scope pay for the second pass.
    const followUps =
      open && inScopeThreshold !== null
        ? items.map((it, i) => (it.previousTurn && scoreOf[i] < inScopeThreshold ? i : -1)).filter((i) => i >= 0)
        : [];
    if (followUps.length)
      await pass(
        followUps.map((i) => ({ text: items[i].text, previousTurn: null })),
        followUps,
        false,
      );
    items.forEach((_, i) => (out[i] = toPrediction(logitsOf[i], scoreOf[i])));
    return out;
  };

  return {
    manifest,
    labels,
    threshold: manifest.threshold,
    inScopeThreshold,
    predictBatch,
    predict: async (text, previousTurn = null) => (await predictBatch([{ text, previousTurn }]))[0],
    dispose: () => {
      if (disposed) return;
      disposed = true;
      if (overrides) disposeOverrides(overrides);
      prototypes.dispose();
      open?.inScopeT.dispose();
      open?.outOfScopeT?.dispose();
    },
  };
}

/** The trained questions' vectors, transposed once for the nearest-question search. */
function loadBanks(dir: string, file: string, hidden: number): { inScopeT: tf.Tensor2D; outOfScopeT: tf.Tensor2D | null } {
  const { tensors } = readSafetensors(join(dir, file));
  const asT = (name: string) => {
    const t = tensors[name];
    if (!t) return null;
    if (t.shape.length !== 2 || t.shape[1] !== hidden) throw new Error(`${dir}: ${file} ${name} is [${t.shape}], expected [n, ${hidden}]`);
    return tf.tidy(() => tf.transpose(tf.tensor2d(t.data, t.shape as [number, number])) as tf.Tensor2D);
  };
  const inScopeT = asT(IN_SCOPE_BANK);
  if (!inScopeT) throw new Error(`${dir}: ${file} has no ${IN_SCOPE_BANK} bank`);
  return { inScopeT, outOfScopeT: asT(OUT_OF_SCOPE_BANK) };
}
