import type * as tf from "@tensorflow/tfjs";
import type { OpenWorldManifest } from "../artifact.js";
import { accuracy, coverageAtPrecision, expectedCalibrationError, macroF1 } from "../evals/metrics.js";
import type { AnyBaseModel, LayerOverrides, TensorData } from "../model/index.js";
import type { TrainExample } from "../types.js";
import { fitTemperature, nllAtTemperature, softmax, temperatureFloor } from "./calibration.js";
import {
  bankOf,
  fitOpenWorldThresholds,
  inScopeScore,
  nearestSimilarities,
  openSetThreshold,
  IN_SCOPE_BANK,
  OPEN_WORLD_FILE,
  OPEN_WORLD_SIGNAL,
  OUT_OF_SCOPE_BANK,
} from "./openWorld.js";
import type { ResolvedOptions, TrainProgress } from "./options.js";
import { seededRandom, shuffleInPlace } from "./random.js";
import { argmax, logitsFromStates, sentenceVectorsFromStates } from "./scoring.js";

/** Trains answer prototypes alone (frozen encoder) on `rows`, as the final head was trained; the caller disposes them. */
export type HeadFitter = (
  rows: TrainExample[],
  states: Float32Array[],
  labelIndex: Map<string, number>,
  fromLayer: number,
  epochs: number,
) => Promise<tf.Variable<tf.Rank.R2>>;

export const isPositive = (e: TrainExample) => !e.outOfScope && e.polarity !== "negative";

export interface CalibrationInput {
  state: { overrides: LayerOverrides | undefined; prototypes: tf.Variable<tf.Rank.R2> };
  labels: string[];
  labelIndex: Map<string, number>;
  fromLayer: number;
  /** Cached states of trainRows, then valRows, then valOutOfScope. */
  allStates: Float32Array[];
  trainRows: TrainExample[];
  valRows: TrainExample[];
  valOutOfScope: TrainExample[];
  /** Epochs each fold's head trains (as many as the final run kept). */
  epochs: number;
  /** Set the in-scope calibration on out-of-fold predictions of every example instead of the validation split. */
  crossFit: boolean;
}

export interface CalibrationResult {
  threshold: number;
  temperature: number;
  openWorld: OpenWorldManifest;
  banks: Record<string, TensorData>;
  metrics: Record<string, number>;
}

/**
 * Out-of-fold predictions. A fold's head may know fewer answers than the version: `logits` are over the fold's
 * answers and `truth` indexes them (−1 when the fold has no answer for the question); `label` and `predicted` are
 * indices into the version's labels.
 */
interface Scored {
  logits: Float32Array[];
  scores: number[];
  truth: number[];
  label: number[];
  predicted: number[];
}
const emptyScored = (): Scored => ({ logits: [], scores: [], truth: [], label: [], predicted: [] });

const FOLDS = 5;
// Below the lowest possible score (nearest cosine −1, minus a "not for the bot" question 2 closer): no filter.
const NO_FILTER = -4;

/**
 * Temperature, answer threshold and in-scope threshold of a new version, from out-of-fold predictions:
 * - in-scope cases: K folds that each hold out a fifth of every answer's questions (head recipe), or the validation
 *   split (other recipes);
 * - out-of-scope cases: G folds that each hold out *whole answers*, so their questions play the part of questions
 *   with no answer, plus questions agents marked "not for the bot", held out like the in-scope ones.
 * The thresholds then answer the most in-scope questions right with the target precision over all traffic and at
 * most maxOutOfScopeAnswered of the out-of-scope questions answered (fitOpenWorldThresholds).
 */
export async function calibrate(
  base: AnyBaseModel,
  cfg: ResolvedOptions,
  input: CalibrationInput,
  fitHead: HeadFitter,
  onProgress: (p: TrainProgress) => void,
): Promise<CalibrationResult> {
  const { state, labels, labelIndex, fromLayer } = input;
  const hidden = base.config.hiddenSize;
  const rows = [...input.trainRows, ...input.valRows, ...input.valOutOfScope];
  const vectors = await sentenceVectorsFromStates(base, input.allStates, fromLayer, state.overrides);
  const positives = rows.map((_, i) => i).filter((i) => isPositive(rows[i]) && labelIndex.has(rows[i].label));
  const marked = rows.map((_, i) => i).filter((i) => rows[i].outOfScope);
  const vectorLayer = base.config.numLayers;

  const valStart = input.trainRows.length;
  const valStates = input.allStates.slice(valStart, valStart + input.valRows.length);
  const valLogits = await logitsFromStates(base, valStates, fromLayer, state.overrides, state.prototypes, cfg.logitScale);
  const valTruth = input.valRows.map((e) => labelIndex.get(e.label)!);

  let inScope: Scored | null = null;
  let markedScored: Scored | null = null;
  let novel: Scored | null = null;
  if (input.crossFit) {
    const folds = await crossFitted(
      base,
      rows,
      input.allStates,
      vectors,
      positives,
      marked,
      labelIndex,
      labels,
      fromLayer,
      hidden,
      input.epochs,
      cfg,
      fitHead,
      onProgress,
    );
    if (folds) ({ inScope, marked: markedScored, novel } = folds);
  }
  if (!inScope) {
    // the final model on the validation split, its neighbours among the training questions
    const trainPos = input.trainRows.map((e, i) => (isPositive(e) ? i : -1)).filter((i) => i >= 0);
    const trainMarked = input.trainRows.map((e, i) => (e.outOfScope ? i : -1)).filter((i) => i >= 0);
    const banks = {
      in: bankOf(
        trainPos.map((i) => vectors[i]),
        hidden,
      ),
      out: bankOf(
        trainMarked.map((i) => vectors[i]),
        hidden,
      ),
    };
    const valVectors = vectors.slice(valStart, valStart + input.valRows.length);
    inScope = {
      logits: valLogits,
      truth: valTruth,
      label: valTruth,
      predicted: valLogits.map(argmax),
      scores: await scoresAgainst(valVectors, banks, hidden),
    };
    const oosVectors = vectors.slice(valStart + input.valRows.length);
    const oosLogits = await logitsFromStates(
      base,
      input.allStates.slice(valStart + input.valRows.length),
      fromLayer,
      state.overrides,
      state.prototypes,
      cfg.logitScale,
    );
    markedScored = {
      logits: oosLogits,
      truth: oosLogits.map(() => -1),
      label: oosLogits.map(() => -1),
      predicted: oosLogits.map(argmax),
      scores: await scoresAgainst(oosVectors, banks, hidden),
    };
    novel = await leaveAnswersOut(
      base,
      rows,
      vectors,
      positives,
      marked,
      labels,
      labelIndex,
      vectorLayer,
      hidden,
      input.epochs,
      cfg,
      fitHead,
      onProgress,
    );
  }

  const rawCorrect = inScope.logits.map((l, i) => argmax(l) === inScope!.truth[i]);
  const rawAccuracy = rawCorrect.filter(Boolean).length / Math.max(1, rawCorrect.length);
  const temperature = fitTemperature(inScope.logits, inScope.truth, temperatureFloor(rawAccuracy));
  const confidence = (l: Float32Array) => Math.max(...softmax(l, temperature));
  const inCases = inScope.logits.map((l, i) => ({
    confidence: confidence(l),
    score: inScope!.scores[i],
    correct: rawCorrect[i],
    truth: inScope!.label[i],
    predicted: inScope!.predicted[i],
  }));
  const novelCases = [...(novel ? [novel] : []), ...(markedScored ? [markedScored] : [])].flatMap((s) =>
    s.logits.map((l, i) => ({ confidence: confidence(l), score: s.scores[i], predicted: s.predicted[i] })),
  );
  const fitted = fitOpenWorldThresholds(inCases, novelCases, {
    targetPrecision: cfg.targetPrecision,
    outOfScopeShare: cfg.outOfScopeShare,
    maxOutOfScopeAnswered: cfg.maxOutOfScopeAnswered,
  });
  const inScopeThreshold = Number.isFinite(fitted.inScopeThreshold) ? fitted.inScopeThreshold : NO_FILTER;
  const openSet = openSetThreshold(inCases, novelCases, labels.length);

  const novelAnsweredByLabel: Record<string, [number, number]> = {};
  novel?.logits.forEach((_, i) => {
    const label = labels[novel!.label[i]];
    const entry = (novelAnsweredByLabel[label] ??= [0, 0]);
    const c = novelCases[i];
    if (c.confidence >= fitted.threshold && c.score >= inScopeThreshold) entry[0]++;
    entry[1]++;
  });

  const bankIn = bankOf(
    positives.map((i) => vectors[i]),
    hidden,
  );
  const bankOut = bankOf(
    marked.map((i) => vectors[i]),
    hidden,
  );
  const banks: Record<string, TensorData> = { [IN_SCOPE_BANK]: { shape: [bankIn.rows, hidden], data: bankIn.data } };
  if (bankOut.rows) banks[OUT_OF_SCOPE_BANK] = { shape: [bankOut.rows, hidden], data: bankOut.data };

  const confidences = inCases.map((c) => c.confidence);
  const truthNames = valTruth.map((i) => labels[i]);
  const predNames = valLogits.map((l) => labels[argmax(l)]);
  return {
    threshold: fitted.threshold,
    temperature,
    banks,
    openWorld: {
      signal: OPEN_WORLD_SIGNAL,
      inScopeThreshold,
      openSetThreshold: Number.isFinite(openSet) ? openSet : NO_FILTER,
      file: OPEN_WORLD_FILE,
      inScopeBank: bankIn.rows,
      outOfScopeBank: bankOut.rows,
      outOfScopeShare: cfg.outOfScopeShare,
      maxOutOfScopeAnswered: cfg.maxOutOfScopeAnswered,
      estimates: fitted.estimates,
      novelExamples: novel?.logits.length ?? 0,
      markedExamples: markedScored?.logits.length ?? 0,
      novelAnsweredByLabel,
    },
    metrics: {
      valAccuracy: accuracy(truthNames, predNames),
      valMacroF1: macroF1(truthNames, predNames),
      valCoverageAtTarget: coverageAtPrecision(confidences, rawCorrect, cfg.targetPrecision),
      valEce: expectedCalibrationError(confidences, rawCorrect),
      valNll: nllAtTemperature(inScope.logits, inScope.truth, temperature),
      calibrationExamples: inScope.logits.length,
      ...(input.crossFit && inScope.logits !== valLogits ? { crossFitAccuracy: rawAccuracy } : {}),
      outOfScopeCalibrationExamples: novelCases.length,
      inScopeCoverageEstimate: fitted.estimates.inScopeCoverage,
      outOfScopeAnsweredEstimate: fitted.estimates.outOfScopeAnswered,
      precisionEstimate: fitted.estimates.precision,
    },
  };
}

async function scoresAgainst(
  queries: Float32Array[],
  banks: { in: ReturnType<typeof bankOf>; out: ReturnType<typeof bankOf> },
  hidden: number,
): Promise<number[]> {
  const near = await nearestSimilarities(queries, banks.in, hidden);
  const far = await nearestSimilarities(queries, banks.out, hidden);
  return Array.from(near, (n, i) => inScopeScore(n, far[i]));
}

/**
 * The head recipe's folds: K folds, each holding out a fifth of every answer's questions *and* every question of a
 * fifth of the answers (plus a fifth of the "not for the bot" questions). A fold's head learns the rest and scores
 * what it held out: questions of answers it knows are in-scope cases, those of answers it never saw are novel ones,
 * each with its neighbours searched among the fold's own training questions, so both kinds meet the same bank.
 * Every question is scored as novel once (by the fold of its answer's group) and, unless its own fold is that one,
 * once more as in scope. Answers with a single question are never held out as in-scope cases (the fold
 * could not learn them). Null when too few questions are held out.
 */
async function crossFitted(
  base: AnyBaseModel,
  rows: TrainExample[],
  states: Float32Array[],
  vectors: Float32Array[],
  positives: number[],
  marked: number[],
  labelIndex: Map<string, number>,
  labels: string[],
  fromLayer: number,
  hidden: number,
  epochs: number,
  cfg: ResolvedOptions,
  fitHead: HeadFitter,
  onProgress: (p: TrainProgress) => void,
): Promise<{ inScope: Scored; marked: Scored; novel: Scored | null } | null> {
  const random = seededRandom(cfg.seed ^ 0xf01d);
  const fold = new Array<number>(rows.length).fill(-1);
  const byLabel = new Map<string, number[]>();
  for (const i of positives) byLabel.set(rows[i].label, [...(byLabel.get(rows[i].label) ?? []), i]);
  for (const label of [...byLabel.keys()].sort()) {
    const list = byLabel.get(label)!;
    if (list.length < 2) continue;
    const offset = Math.floor(random() * FOLDS);
    shuffleInPlace(list, random).forEach((i, k) => (fold[i] = (k + offset) % FOLDS));
  }
  shuffleInPlace([...marked], random).forEach((i, k) => (fold[i] = k % FOLDS));
  if (positives.filter((i) => fold[i] >= 0).length < 2 * FOLDS) return null;
  // answer groups: with fewer than three answers a fold could not keep two to learn from
  const groupOf = new Map<string, number>();
  if (labels.length >= 3)
    shuffleInPlace([...labels], seededRandom(cfg.seed ^ 0x0be7)).forEach((l, k) => groupOf.set(l, k % Math.min(FOLDS, labels.length)));

  const inScope = emptyScored();
  const markedOut = emptyScored();
  const novel = groupOf.size ? emptyScored() : null;
  for (let f = 0; f < FOLDS; f++) {
    const unseen = (i: number) => groupOf.get(rows[i].label) === f && !rows[i].outOfScope;
    const foldLabels = labels.filter((l) => groupOf.get(l) !== f);
    const foldIndex = new Map(foldLabels.map((l, i) => [l, i]));
    const fit = rows.map((_, i) => i).filter((i) => fold[i] !== f && !unseen(i));
    const heldIn = positives.filter((i) => fold[i] === f && !unseen(i));
    const heldNovel = positives.filter(unseen);
    const heldMarked = marked.filter((i) => fold[i] === f);
    if (!heldIn.length && !heldMarked.length && !heldNovel.length) continue;
    onProgress({ phase: "calibrating", message: `cross-fitting fold ${f + 1}/${FOLDS}` });
    const prototypes = await fitHead(
      fit.map((i) => rows[i]),
      fit.map((i) => states[i]),
      foldIndex,
      fromLayer,
      epochs,
    );
    try {
      const banks = {
        in: bankOf(
          fit.filter((i) => isPositive(rows[i]) && foldIndex.has(rows[i].label)).map((i) => vectors[i]),
          hidden,
        ),
        out: bankOf(
          fit.filter((i) => rows[i].outOfScope).map((i) => vectors[i]),
          hidden,
        ),
      };
      for (const [held, into] of [
        [heldIn, inScope],
        [heldMarked, markedOut],
        [heldNovel, novel],
      ] as const) {
        if (!held.length || !into) continue;
        const logits = await logitsFromStates(
          base,
          held.map((i) => states[i]),
          fromLayer,
          undefined,
          prototypes,
          cfg.logitScale,
        );
        into.logits.push(...logits);
        into.predicted.push(...logits.map((l) => labelIndex.get(foldLabels[argmax(l)])!));
        into.truth.push(...held.map((i) => foldIndex.get(rows[i].label) ?? -1));
        into.label.push(...held.map((i) => labelIndex.get(rows[i].label) ?? -1));
        into.scores.push(
          ...(await scoresAgainst(
            held.map((i) => vectors[i]),
            banks,
            hidden,
          )),
        );
      }
    } finally {
      prototypes.dispose();
    }
  }
  return { inScope, marked: markedOut, novel };
}

/**
 * Leave-answers-out folds (recipes calibrated on the validation split): the answers are dealt into G groups; each fold's head learns every answer but one group's
 * (and the "not for the bot" questions) and scores that group's questions, which it has no answer for — each one
 * plays a customer whose question the bank cannot answer. Scored over the fold's own answers only. Null with fewer
 * than three answers (a fold must keep two to learn anything).
 */
async function leaveAnswersOut(
  base: AnyBaseModel,
  rows: TrainExample[],
  vectors: Float32Array[],
  positives: number[],
  marked: number[],
  labels: string[],
  labelIndex: Map<string, number>,
  vectorLayer: number,
  hidden: number,
  epochs: number,
  cfg: ResolvedOptions,
  fitHead: HeadFitter,
  onProgress: (p: TrainProgress) => void,
): Promise<Scored | null> {
  if (labels.length < 3) return null;
  const groups = Math.min(FOLDS, labels.length);
  const order = shuffleInPlace([...labels], seededRandom(cfg.seed ^ 0x0be7));
  const out = emptyScored();
  for (let g = 0; g < groups; g++) {
    const heldLabels = new Set(order.filter((_, k) => k % groups === g));
    const foldLabels = labels.filter((l) => !heldLabels.has(l));
    const foldIndex = new Map(foldLabels.map((l, i) => [l, i]));
    const fit = rows.map((_, i) => i).filter((i) => rows[i].outOfScope || foldIndex.has(rows[i].label));
    const held = positives.filter((i) => heldLabels.has(rows[i].label));
    if (!held.length) continue;
    onProgress({ phase: "calibrating", message: `leave-answers-out fold ${g + 1}/${groups}` });
    const prototypes = await fitHead(
      fit.map((i) => rows[i]),
      fit.map((i) => vectors[i]),
      foldIndex,
      vectorLayer,
      epochs,
    );
    try {
      const logits = await logitsFromStates(
        base,
        held.map((i) => vectors[i]),
        vectorLayer,
        undefined,
        prototypes,
        cfg.logitScale,
      );
      out.logits.push(...logits);
      out.predicted.push(...logits.map((l) => labelIndex.get(foldLabels[argmax(l)])!));
      out.truth.push(...held.map(() => -1));
      out.label.push(...held.map((i) => labelIndex.get(rows[i].label)!));
      const banks = {
        in: bankOf(
          fit.filter((i) => isPositive(rows[i])).map((i) => vectors[i]),
          hidden,
        ),
        out: bankOf(
          marked.map((i) => vectors[i]),
          hidden,
        ),
      };
      out.scores.push(
        ...(await scoresAgainst(
          held.map((i) => vectors[i]),
          banks,
          hidden,
        )),
      );
    } finally {
      prototypes.dispose();
    }
  }
  return out;
}
