import type { BackendName } from "../model/index.js";
import type { Manifest, TrainMethod } from "../artifact.js";
import type { TrainExample } from "../types.js";

export interface TrainOptions {
  examples: TrainExample[];
  /** Held-out examples for early stopping, calibration and the threshold; default: a stratified 10 % of `examples`. */
  validation?: TrainExample[];
  outDir: string;
  baseModelDir: string;
  /** Artifact to continue from (same method and layers); its labels keep their trained prototypes. */
  warmStartDir?: string | null;
  /** head: frozen encoder; lora: adapters on the top `topLayers`; full: train copies of the top `topLayers`. */
  method?: TrainMethod;
  /** Encoder layers trained from the top (lora/full); the layers below are frozen and their outputs cached once. */
  topLayers?: number;
  epochs?: number;
  batchSize?: number;
  /** Encoder (top layers / adapters) learning rate. */
  learningRate?: number;
  /** Answer-prototype learning rate. */
  headLearningRate?: number;
  loraRank?: number;
  loraAlpha?: number;
  /** Cosine-logit scale (inverse softmax temperature during training). */
  logitScale?: number;
  contrastiveWeight?: number;
  negativeWeight?: number;
  /** Epochs without validation improvement before stopping. */
  patience?: number;
  validationFraction?: number;
  seed?: number;
  targetPrecision?: number;
  /** Share of traffic assumed to have no answer in the bank: the target precision holds over all traffic. */
  outOfScopeShare?: number;
  /** The largest share of out-of-scope questions the bot may answer. */
  maxOutOfScopeAnswered?: number;
  /** Wall-clock budget for the whole run, caching included: training stops there and keeps the best epoch so far. */
  maxMinutes?: number;
  /** Processes used to build the cache (this one plus helpers). */
  cacheWorkers?: number;
  backend?: BackendName;
}

export interface TrainProgress {
  phase: "loading" | "caching" | "training" | "calibrating" | "saving";
  epoch?: number;
  epochs?: number;
  step?: number;
  steps?: number;
  loss?: number;
  valAccuracy?: number;
  message?: string;
}

export interface TrainResult {
  outDir: string;
  manifest: Manifest;
}

export interface ResolvedOptions {
  method: TrainMethod;
  topLayers: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  headLearningRate: number;
  loraRank: number;
  loraAlpha: number;
  logitScale: number;
  contrastiveWeight: number;
  negativeWeight: number;
  patience: number;
  validationFraction: number;
  seed: number;
  targetPrecision: number;
  outOfScopeShare: number;
  maxOutOfScopeAnswered: number;
  maxMinutes: number;
  cacheWorkers: number;
}

const METHODS: TrainMethod[] = ["head", "lora", "full"];

// Defaults chosen by measurement on BANKING77 (bench/model.ts; see bench/results/model.json).
const SHARED_DEFAULTS = {
  headLearningRate: 5e-3,
  logitScale: 20,
  negativeWeight: 1,
  validationFraction: 0.1,
  seed: 1,
  targetPrecision: 0.95,
  outOfScopeShare: 0.2,
  maxOutOfScopeAnswered: 0.05,
  maxMinutes: 60,
  cacheWorkers: 2,
};

export const DEFAULTS: Record<TrainMethod, Omit<ResolvedOptions, "method">> = {
  head: {
    ...SHARED_DEFAULTS,
    topLayers: 0,
    epochs: 30,
    batchSize: 64,
    learningRate: 0,
    loraRank: 0,
    loraAlpha: 0,
    contrastiveWeight: 0,
    patience: 5,
  },
  lora: {
    ...SHARED_DEFAULTS,
    topLayers: 2,
    epochs: 6,
    batchSize: 32,
    learningRate: 1e-3,
    loraRank: 8,
    loraAlpha: 16,
    contrastiveWeight: 0.3,
    patience: 2,
  },
  full: {
    ...SHARED_DEFAULTS,
    topLayers: 1,
    epochs: 3,
    batchSize: 32,
    learningRate: 1e-4,
    loraRank: 0,
    loraAlpha: 0,
    contrastiveWeight: 0.3,
    patience: 2,
  },
};

export const DEFAULT_METHOD: TrainMethod = "full";

function check(cond: boolean, message: string): void {
  if (!cond) throw new Error(`invalid TrainOptions: ${message}`);
}

/**
 * Per base family, what differs from DEFAULTS. USE multilingual has only the head recipe (no attention layers to
 * adapt), so that is its default method.
 */
export const FAMILY_DEFAULTS: Record<
  "minilm" | "use-multilingual",
  { method: TrainMethod; head?: Partial<Omit<ResolvedOptions, "method">> }
> = {
  minilm: { method: DEFAULT_METHOD },
  // USE's cosines between questions of different intents sit closer together than MiniLM's: a sharper softmax
  // separates them. Chosen on a 10 % validation split of BANKING77's training set (accuracy at logitScale 20 / 30 /
  // 45: 90.05 / 91.44 / 92.04 %; 30 with headLearningRate 1e-2: 91.74 %).
  "use-multilingual": { method: "head", head: { logitScale: 45 } },
};

export function resolveOptions(opts: TrainOptions, numLayers: number, family: "minilm" | "use-multilingual" = "minilm"): ResolvedOptions {
  const fam = FAMILY_DEFAULTS[family];
  const method = opts.method ?? fam.method;
  check(METHODS.includes(method), `method must be one of ${METHODS.join(", ")}, got "${method}"`);
  const d = { ...DEFAULTS[method], ...(method === "head" ? fam.head : undefined) };
  const pick = <K extends keyof typeof d>(k: K): (typeof d)[K] =>
    ((opts as unknown as Record<string, unknown>)[k] ?? d[k]) as (typeof d)[K];
  const r: ResolvedOptions = {
    method,
    topLayers: method === "head" ? 0 : pick("topLayers"),
    epochs: pick("epochs"),
    batchSize: pick("batchSize"),
    learningRate: pick("learningRate"),
    headLearningRate: pick("headLearningRate"),
    loraRank: method === "lora" ? pick("loraRank") : 0,
    loraAlpha: method === "lora" ? (opts.loraAlpha ?? 2 * pick("loraRank")) : 0,
    logitScale: pick("logitScale"),
    contrastiveWeight: pick("contrastiveWeight"),
    negativeWeight: pick("negativeWeight"),
    patience: pick("patience"),
    validationFraction: pick("validationFraction"),
    seed: pick("seed"),
    targetPrecision: pick("targetPrecision"),
    outOfScopeShare: pick("outOfScopeShare"),
    maxOutOfScopeAnswered: pick("maxOutOfScopeAnswered"),
    maxMinutes: pick("maxMinutes"),
    cacheWorkers: pick("cacheWorkers"),
  };
  const int = (v: number) => Number.isInteger(v);
  check(
    method === "head" || (int(r.topLayers) && r.topLayers >= 1 && r.topLayers <= numLayers),
    `topLayers must be an integer in 1..${numLayers}`,
  );
  check(int(r.epochs) && r.epochs >= 1, "epochs must be a positive integer");
  check(int(r.batchSize) && r.batchSize >= 2, "batchSize must be an integer ≥ 2");
  check(method === "head" || r.learningRate > 0, "learningRate must be > 0");
  check(r.headLearningRate >= 0, "headLearningRate must be ≥ 0");
  check(method !== "lora" || (int(r.loraRank) && r.loraRank >= 1), "loraRank must be a positive integer");
  check(r.logitScale > 0, "logitScale must be > 0");
  check(r.contrastiveWeight >= 0 && r.negativeWeight >= 0, "loss weights must be ≥ 0");
  check(int(r.patience) && r.patience >= 1, "patience must be a positive integer");
  check(r.validationFraction > 0 && r.validationFraction < 1, "validationFraction must be in (0, 1)");
  check(int(r.seed), "seed must be an integer");
  check(r.targetPrecision > 0 && r.targetPrecision <= 1, "targetPrecision must be in (0, 1]");
  check(r.outOfScopeShare >= 0 && r.outOfScopeShare < 1, "outOfScopeShare must be in [0, 1)");
  check(r.maxOutOfScopeAnswered >= 0 && r.maxOutOfScopeAnswered <= 1, "maxOutOfScopeAnswered must be in [0, 1]");
  check(r.maxMinutes > 0, "maxMinutes must be > 0");
  check(int(r.cacheWorkers) && r.cacheWorkers >= 1, "cacheWorkers must be a positive integer");
  return r;
}
