import * as tf from "@tensorflow/tfjs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import {
  disposeOverrides,
  familyOf,
  getTrainableWeights,
  setTrainableWeights,
  trainableVariables,
  writeSafetensors,
  type AnyBaseModel,
  type LayerOverrides,
} from "../model/index.js";
import { verifyArtifact, writeArtifact, ARTIFACT_FORMAT_VERSION, type EpochRecord, type Manifest } from "../artifact.js";
import { sharedBaseModel } from "../baseModels.js";
import type { TrainExample } from "../types.js";
import { createOverrides, loadVersionWeights, topLayerIndices, weightsToSave, WEIGHTS_FILE, type EncoderShape } from "../versionWeights.js";
import { nllAtTemperature } from "./calibration.js";
import { sentenceFromStates } from "./features.js";
import { recipeLoss } from "./objective.js";
import { resolveOptions, type ResolvedOptions, type TrainOptions, type TrainProgress, type TrainResult } from "./options.js";
import { memoizedBaseStates } from "./stateMemo.js";
import { OPEN_WORLD_FILE } from "./openWorld.js";
import { calibrate, isPositive, type HeadFitter } from "./versionCalibration.js";
import { seededRandom, shuffleInPlace } from "./random.js";
import { argmax, logitsFromStates } from "./scoring.js";
import { splitValidation } from "./split.js";

type Progress = (p: TrainProgress) => void;

function checkExamples(examples: TrainExample[], what: string): void {
  if (!Array.isArray(examples)) throw new Error(`invalid TrainOptions: ${what} must be an array`);
  examples.forEach((e, i) => {
    if (typeof e?.text !== "string" || !e.text.trim())
      throw new Error(`invalid TrainOptions: ${what}[${i}].text must be a non-empty string`);
    if (e.outOfScope !== undefined && typeof e.outOfScope !== "boolean")
      throw new Error(`invalid TrainOptions: ${what}[${i}].outOfScope must be a boolean`);
    if (!e.outOfScope && (typeof e.label !== "string" || !e.label))
      throw new Error(`invalid TrainOptions: ${what}[${i}].label must be a non-empty string`);
    if (e.polarity !== undefined && e.polarity !== "positive" && e.polarity !== "negative") {
      throw new Error(`invalid TrainOptions: ${what}[${i}].polarity must be "positive" or "negative"`);
    }
  });
}

export function datasetHash(train: TrainExample[], validation: TrainExample[] | undefined): string {
  const canon = (list: TrainExample[]) =>
    list.map((e) =>
      e.outOfScope
        ? [e.text, e.previousTurn ?? null, null, "outOfScope"]
        : [e.text, e.previousTurn ?? null, e.label, e.polarity ?? "positive"],
    );
  return createHash("sha256")
    .update(JSON.stringify({ train: canon(train), validation: validation ? canon(validation) : null }))
    .digest("hex");
}

/** Length-bucketed batches in a seeded random order: shuffle, sort within windows of 8 batches, shuffle batches. */
function epochBatches(indices: number[], lengths: number[], batchSize: number, random: () => number): number[][] {
  const shuffled = shuffleInPlace([...indices], random);
  const window = batchSize * 8;
  const batches: number[][] = [];
  for (let w = 0; w < shuffled.length; w += window) {
    const chunk = shuffled.slice(w, w + window).sort((a, b) => lengths[a] - lengths[b]);
    for (let i = 0; i < chunk.length; i += batchSize) batches.push(chunk.slice(i, i + batchSize));
  }
  // a lone example gives the contrastive term nothing to compare with: fold it into the previous batch
  if (batches.length > 1 && batches[batches.length - 1].length < 2) batches[batches.length - 2].push(...batches.pop()!);
  return shuffleInPlace(batches, random);
}

/** Class means of the current sentence vectors: a starting point where every prototype already sits on its data. */
async function centroidPrototypes(
  base: AnyBaseModel,
  states: Float32Array[],
  labelIdx: number[],
  fromLayer: number,
  overrides: LayerOverrides | undefined,
  numLabels: number,
): Promise<Float32Array> {
  const h = base.config.hiddenSize;
  const sums = new Float32Array(numLabels * h);
  for (let s = 0; s < states.length; s += 64) {
    const part = states.slice(s, s + 64);
    const t = tf.tidy(() => sentenceFromStates(base, part, fromLayer, overrides));
    const data = (await t.data()) as Float32Array;
    t.dispose();
    part.forEach((_, r) => {
      const l = labelIdx[s + r];
      for (let k = 0; k < h; k++) sums[l * h + k] += data[r * h + k];
    });
  }
  return sums;
}

interface WarmStart {
  manifest: Manifest;
  overridesWeights: ReturnType<typeof loadVersionWeights>;
}

async function loadWarmStart(dir: string, base: AnyBaseModel, shape: EncoderShape): Promise<WarmStart> {
  const manifest = await verifyArtifact(dir);
  const family = manifest.baseModel.family ?? "minilm";
  if (family !== familyOf(base))
    throw new Error(
      `warm start ${dir} was trained on base family ${family}, this run is ${familyOf(base)}: a change of base model starts a new lineage`,
    );
  if (manifest.baseModel.weightsSha256 !== base.weightsSha256) throw new Error(`warm start ${dir} was trained on a different base model`);
  if (manifest.method !== shape.method || manifest.trainedLayers.join(",") !== shape.trainedLayers.join(",")) {
    throw new Error(
      `warm start ${dir} is method ${manifest.method} on layers [${manifest.trainedLayers}], this run is ${shape.method} on [${shape.trainedLayers}]`,
    );
  }
  if (shape.method === "lora" && Number(manifest.hyperParameters.loraRank) !== shape.loraRank) {
    throw new Error(`warm start ${dir} has LoRA rank ${manifest.hyperParameters.loraRank}, this run asks for ${shape.loraRank}`);
  }
  return { manifest, overridesWeights: loadVersionWeights(dir, base, manifest) };
}

export async function trainModel(opts: TrainOptions, onProgress: Progress = () => {}): Promise<TrainResult> {
  const started = Date.now();
  checkExamples(opts.examples, "examples");
  if (opts.validation) checkExamples(opts.validation, "validation");
  if (!opts.outDir) throw new Error("invalid TrainOptions: outDir is required");
  if (!opts.baseModelDir) throw new Error("invalid TrainOptions: baseModelDir is required");
  onProgress({ phase: "loading", message: `loading base model from ${opts.baseModelDir}` });
  const base = await sharedBaseModel(opts.baseModelDir, opts.backend);
  const numLayers = base.config.numLayers;
  const cfg = resolveOptions(opts, numLayers, familyOf(base));
  const shape: EncoderShape = {
    method: cfg.method,
    trainedLayers: topLayerIndices(numLayers, cfg.topLayers),
    loraRank: cfg.loraRank,
    loraAlpha: cfg.loraAlpha,
    seed: cfg.seed,
  };
  const warm = opts.warmStartDir ? await loadWarmStart(opts.warmStartDir, base, shape) : null;

  const { train, validation } = opts.validation
    ? { train: opts.examples, validation: opts.validation.filter((e) => e.polarity !== "negative") }
    : splitValidation(opts.examples, cfg.validationFraction, cfg.seed);
  const labels = [...new Set(train.filter(isPositive).map((e) => e.label))].sort();
  if (labels.length < 2) throw new Error(`need positive examples of at least 2 labels to train, got ${labels.length}`);
  const labelIndex = new Map(labels.map((l, i) => [l, i]));
  // a rejection of an answer the model never learned cannot move anything
  const trainRows = train.filter((e) => e.outOfScope || labelIndex.has(e.label));
  const valRows = validation.filter((e) => !e.outOfScope && labelIndex.has(e.label));
  const valOutOfScope = validation.filter((e) => e.outOfScope);
  const cachedRows = [...trainRows, ...valRows, ...valOutOfScope];

  const fromLayer = numLayers - cfg.topLayers;
  onProgress({ phase: "caching", step: 0, steps: cachedRows.length, message: `caching layer ${fromLayer} states` });
  const allStates = await memoizedBaseStates(base, cachedRows, {
    toLayer: fromLayer,
    pool: cfg.method === "head",
    workers: cfg.cacheWorkers,
    backend: opts.backend,
    onProgress: (done) => onProgress({ phase: "caching", step: done, steps: cachedRows.length }),
  });
  const trainStates = allStates.slice(0, trainRows.length);
  const valStates = allStates.slice(trainRows.length, trainRows.length + valRows.length);
  const cacheSeconds = (Date.now() - started) / 1000;

  const overrides = createOverrides(base, shape);
  const state = { overrides, prototypes: tf.variable(tf.zeros([labels.length, base.config.hiddenSize]), true) as tf.Variable<tf.Rank.R2> };
  try {
    if (warm && overrides && warm.overridesWeights.overrides) {
      setTrainableWeights(overrides, getTrainableWeights(warm.overridesWeights.overrides));
    }
    await initPrototypes(base, state, trainRows, trainStates, labelIndex, fromLayer, warm);
    const history = await trainLoop({
      base,
      cfg,
      state,
      rows: trainRows,
      states: trainStates,
      valRows,
      valStates,
      labelIndex,
      fromLayer,
      started,
      onProgress,
    });

    onProgress({ phase: "calibrating" });
    const fitHead: HeadFitter = async (rows, states, index, layer, epochs) => {
      const fold = {
        overrides: undefined,
        prototypes: tf.variable(tf.zeros([index.size, base.config.hiddenSize]), true) as tf.Variable<tf.Rank.R2>,
      };
      try {
        await initPrototypes(base, fold, rows, states, index, layer, null);
        await trainLoop({
          base,
          cfg: { ...cfg, epochs, patience: epochs },
          state: fold,
          rows,
          states,
          valRows: [],
          valStates: [],
          labelIndex: index,
          fromLayer: layer,
          started: Date.now(),
          onProgress: () => {},
        });
        return fold.prototypes;
      } catch (err) {
        fold.prototypes.dispose();
        throw err;
      }
    };
    const calibration = await calibrate(
      base,
      cfg,
      {
        state,
        labels,
        labelIndex,
        fromLayer,
        allStates,
        trainRows,
        valRows,
        valOutOfScope,
        epochs: keptEpochs(history),
        crossFit: cfg.method === "head" && Date.now() < started + cfg.maxMinutes * 60_000,
      },
      fitHead,
      onProgress,
    );
    const { threshold, temperature, openWorld, banks } = calibration;
    const metrics: Record<string, number> = {
      ...calibration.metrics,
      trainExamples: trainRows.length,
      valExamples: valRows.length,
      outOfScopeExamples: cachedRows.filter((e) => e.outOfScope).length,
      cacheSeconds,
      trainSeconds: (Date.now() - started) / 1000,
    };

    onProgress({ phase: "saving", message: opts.outDir });
    const manifest = await writeArtifact(
      opts.outDir,
      {
        formatVersion: ARTIFACT_FORMAT_VERSION,
        baseModel: {
          name: base.dir.split(/[\\/]/).filter(Boolean).pop() ?? base.dir,
          weightsSha256: base.weightsSha256,
          family: familyOf(base),
        },
        method: cfg.method,
        trainedLayers: shape.trainedLayers,
        hyperParameters: hyperParameters(cfg),
        seed: cfg.seed,
        datasetHash: datasetHash(opts.examples, opts.validation),
        labels,
        threshold,
        targetPrecision: cfg.targetPrecision,
        calibrationTemperature: temperature,
        metrics,
        openWorld,
        history,
        parent: warm ? { dir: opts.warmStartDir!, datasetHash: warm.manifest.datasetHash, createdAt: warm.manifest.createdAt } : null,
        createdAt: new Date().toISOString(),
      },
      (dir) => {
        writeSafetensors(join(dir, WEIGHTS_FILE), weightsToSave(state.overrides, state.prototypes));
        writeSafetensors(join(dir, OPEN_WORLD_FILE), banks);
      },
    );
    return { outDir: opts.outDir, manifest };
  } finally {
    if (state.overrides) disposeOverrides(state.overrides);
    if (warm?.overridesWeights.overrides) disposeOverrides(warm.overridesWeights.overrides);
    state.prototypes.dispose();
  }
}

/** The epoch whose weights trainLoop kept (best validation score), or all of them without validation. */
function keptEpochs(history: EpochRecord[]): number {
  let best = history.length;
  let bestScore = -Infinity;
  for (const h of history) {
    const score = h.valAccuracy - h.valLoss * 1e-3;
    if (Number.isFinite(score) && score > bestScore) {
      bestScore = score;
      best = h.epoch;
    }
  }
  return Math.max(1, best);
}

function hyperParameters(cfg: ResolvedOptions): Manifest["hyperParameters"] {
  const { seed: _seed, targetPrecision: _t, ...rest } = cfg;
  return { ...rest, loraTargets: cfg.method === "lora" ? "q,v" : null };
}

async function initPrototypes(
  base: AnyBaseModel,
  state: { overrides: LayerOverrides | undefined; prototypes: tf.Variable<tf.Rank.R2> },
  rows: TrainExample[],
  states: Float32Array[],
  labelIndex: Map<string, number>,
  fromLayer: number,
  warm: WarmStart | null,
): Promise<void> {
  const h = base.config.hiddenSize;
  const positive = rows.map((e, i) => (isPositive(e) && labelIndex.has(e.label) ? i : -1)).filter((i) => i >= 0);
  const sums = await centroidPrototypes(
    base,
    positive.map((i) => states[i]),
    positive.map((i) => labelIndex.get(rows[i].label)!),
    fromLayer,
    state.overrides,
    labelIndex.size,
  );
  if (warm) {
    const parentLabels = new Map(warm.manifest.labels.map((l, i) => [l, i]));
    const parent = warm.overridesWeights.prototypes.data;
    for (const [label, idx] of labelIndex) {
      const p = parentLabels.get(label);
      if (p !== undefined) sums.set(parent.subarray(p * h, (p + 1) * h), idx * h);
    }
  }
  state.prototypes.assign(tf.tensor2d(sums, [labelIndex.size, h]));
}

interface TrainLoopOptions {
  base: AnyBaseModel;
  cfg: ResolvedOptions;
  /** What the loop trains: the encoder's overrides (none for a head-only fit) and the answer prototypes. */
  state: { overrides: LayerOverrides | undefined; prototypes: tf.Variable<tf.Rank.R2> };
  /** Training rows and their cached base states at `fromLayer`, index for index. */
  rows: TrainExample[];
  states: Float32Array[];
  /** Validation rows and states; empty means no early stopping on a validation score. */
  valRows: TrainExample[];
  valStates: Float32Array[];
  labelIndex: Map<string, number>;
  fromLayer: number;
  /** When training started (ms), for the time budget. */
  started: number;
  onProgress: Progress;
}

async function trainLoop(opts: TrainLoopOptions): Promise<EpochRecord[]> {
  const { base, cfg, state, rows, states, valRows, valStates, labelIndex, fromLayer, started, onProgress } = opts;
  const random = seededRandom(cfg.seed);
  const hidden = base.config.hiddenSize;
  const lengths = states.map((s) => s.length / hidden);
  const encoderVars = state.overrides ? trainableVariables(state.overrides) : [];
  const encoderOpt = encoderVars.length ? tf.train.adam(cfg.learningRate) : null;
  const headOpt = tf.train.adam(cfg.headLearningRate);
  const deadline = started + cfg.maxMinutes * 60_000;
  const valTruth = valRows.map((e) => labelIndex.get(e.label)!);
  const history: EpochRecord[] = [];
  let best: { score: number; weights: Float32Array[] } | null = null;
  let sinceBest = 0;
  const allVars: tf.Variable[] = [...encoderVars, state.prototypes];
  const snapshot = () => allVars.map((v) => v.dataSync().slice() as Float32Array);

  try {
    outer: for (let epoch = 1; epoch <= cfg.epochs; epoch++) {
      const epochStart = Date.now();
      const batches = epochBatches(
        rows.map((_, i) => i),
        lengths,
        cfg.batchSize,
        random,
      );
      let lossSum = 0;
      for (let step = 0; step < batches.length; step++) {
        const batch = batches[step];
        const targets = {
          labels: batch.map((i) => (rows[i].outOfScope ? 0 : labelIndex.get(rows[i].label)!)),
          negative: batch.map((i) => !rows[i].outOfScope && rows[i].polarity === "negative"),
          outOfScope: batch.map((i) => !!rows[i].outOfScope),
        };
        const loss = tf.tidy(() => {
          const { value, grads } = tf.variableGrads(() => {
            const sentence = sentenceFromStates(
              base,
              batch.map((i) => states[i]),
              fromLayer,
              state.overrides,
            );
            return recipeLoss(sentence, state.prototypes, cfg.logitScale, targets, {
              contrastive: cfg.contrastiveWeight,
              negative: cfg.negativeWeight,
              outOfScope: cfg.negativeWeight,
            });
          }, allVars);
          if (encoderOpt) encoderOpt.applyGradients(encoderVars.map((v) => ({ name: v.name, tensor: grads[v.name] })));
          headOpt.applyGradients([{ name: state.prototypes.name, tensor: grads[state.prototypes.name] }]);
          return value;
        });
        const lossValue = (await loss.data())[0];
        loss.dispose();
        if (!Number.isFinite(lossValue)) throw new Error(`training diverged: loss ${lossValue} at epoch ${epoch} step ${step + 1}`);
        lossSum += lossValue;
        onProgress({ phase: "training", epoch, epochs: cfg.epochs, step: step + 1, steps: batches.length, loss: lossValue });
        if (Date.now() > deadline) {
          onProgress({ phase: "training", message: `maxMinutes ${cfg.maxMinutes} reached in epoch ${epoch}` });
          history.push(await epochRecord(epoch, lossSum / (step + 1), epochStart));
          break outer;
        }
      }
      const record = await epochRecord(epoch, lossSum / batches.length, epochStart);
      history.push(record);
      onProgress({
        phase: "training",
        epoch,
        epochs: cfg.epochs,
        step: batches.length,
        steps: batches.length,
        loss: record.loss,
        valAccuracy: record.valAccuracy,
      });
      if (sinceBest >= cfg.patience) break;
    }
  } finally {
    encoderOpt?.dispose();
    headOpt.dispose();
  }
  if (best) allVars.forEach((v, i) => v.assign(tf.tensor(best!.weights[i], v.shape)));
  return history;

  // Scores the current weights on validation and keeps them if they are the best so far.
  async function epochRecord(epoch: number, loss: number, epochStart: number): Promise<EpochRecord> {
    let valAccuracy = NaN;
    let valLoss = NaN;
    if (valRows.length) {
      const logits = await logitsFromStates(base, valStates, fromLayer, state.overrides, state.prototypes, cfg.logitScale);
      valAccuracy = logits.filter((l, i) => argmax(l) === valTruth[i]).length / logits.length;
      valLoss = nllAtTemperature(logits, valTruth, 1);
    }
    // accuracy first, lower loss breaks ties: with tiny validation sets accuracy alone rarely moves
    const score = valRows.length ? valAccuracy - valLoss * 1e-3 : -loss;
    if (!best || score > best.score) {
      best = { score, weights: snapshot() };
      sinceBest = 0;
    } else sinceBest++;
    return { epoch, loss, valAccuracy, valLoss, seconds: (Date.now() - epochStart) / 1000 };
  }
}
