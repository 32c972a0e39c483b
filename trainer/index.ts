// Public API of the model library: the server, the nightly trainer, the benchmarks and the scripts import exactly
// this (tests/trainer/entry.test.ts fails when they reach past it), so the library's insides can move freely.
export type { TrainExample, Prediction } from "./types.js";
export type { TrainOptions, TrainProgress, TrainResult } from "./train/options.js";
export type { Manifest, EpochRecord, TrainMethod } from "./artifact.js";
export type { Predictor, LoadPredictorOptions } from "./predictor.js";
export { trainModel } from "./train/trainModel.js";
export { trainInChildProcess } from "./train/trainInChildProcess.js";
export { loadPredictor } from "./predictor.js";
export { verifyArtifact, ArtifactIntegrityError, MANIFEST_FILE, sha256File } from "./artifact.js";
export { importDataFile, importCsv, importJsonl, parseCsv, DataImportError } from "./data/index.js";
// The base encoder alone, for embedding texts (duplicate detection, clustering) outside training:
export { initBackend, loadBaseModel, embed, disposeOverrides } from "./model/index.js";
export type { BaseModel, BackendName } from "./model/index.js";
// Two base model families (minilm, use-multilingual): a version is trained on one and loads with it.
export { loadAnyBaseModel, baseModelDirFor, familyOfDir, parseFamily, BASE_FAMILIES } from "./model/index.js";
export type { BaseFamily, AnyBaseModel } from "./model/index.js";
// metrics, for the regression evals and benchmarks:
export type { ConfusionPair, LabelScore } from "./evals/metrics.js";
export {
  accuracy,
  macroF1,
  perLabelF1,
  confusionPairs,
  thresholdForPrecision,
  coverageAtPrecision,
  expectedCalibrationError,
} from "./evals/metrics.js";
// The pieces of a forward pass that bench:model times one by one, and the seeded PRNG every benchmark draws with:
export { sharedBaseModel } from "./baseModels.js";
export { loadVersionWeights } from "./versionWeights.js";
export { parallelBaseStates } from "./train/parallelStates.js";
export { logitsFromStates, argmax } from "./train/scoring.js";
export { softmax } from "./train/calibration.js";
export { seededRandom, shuffleInPlace } from "./train/random.js";
// The library's command-line conventions (flags, usage errors, exit codes), shared by the model benchmarks:
export { parseArgs, numberFlag, baseModelDirFrom, runCli, UsageError } from "./cli/args.js";
