// Public API of the model library: the server and the nightly trainer import exactly this.
export type { TrainExample, Prediction } from './types.js';
export type { TrainOptions, TrainProgress, TrainResult } from './train/options.js';
export type { Manifest, EpochRecord, TrainMethod } from './artifact.js';
export type { Predictor, LoadPredictorOptions } from './predictor.js';
export { trainModel } from './train/trainModel.js';
export { trainInChildProcess } from './train/trainInChildProcess.js';
export { loadPredictor } from './predictor.js';
export { verifyArtifact, ArtifactIntegrityError } from './artifact.js';
export { importDataFile, importCsv, importJsonl, parseCsv, DataImportError } from './data/index.js';
// The base encoder alone, for embedding texts (duplicate detection, clustering) outside training:
export { initBackend, loadBaseModel, embed } from './model/index.js';
export type { BaseModel } from './model/index.js';
// metrics, for the regression evals and benchmarks:
export {
  accuracy, macroF1, perLabelF1, confusionPairs, thresholdForPrecision, coverageAtPrecision, expectedCalibrationError,
} from './evals/metrics.js';
