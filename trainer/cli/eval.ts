// npm run model:eval -- --model dir --data file.jsonl|.csv [--base dir]
import { importDataFile } from "../data/index.js";
import { accuracy, confusionPairs, coverageAtPrecision, expectedCalibrationError, macroF1 } from "../evals/metrics.js";
import { baseModelDirFrom, parseArgs, requireFlag, runCli, UsageError } from "./args.js";

const USAGE = "usage: npm run model:eval -- --model dir --data file.jsonl|file.csv [--base dir] [--json]";

async function main(): Promise<void> {
  const { flags, positional } = parseArgs(process.argv.slice(2), ["model", "data", "base", "backend"], ["json"]);
  if (positional.length) throw new UsageError(`unexpected argument "${positional[0]}"`);
  const modelDir = requireFlag(flags, "model");
  const examples = (await importDataFile(requireFlag(flags, "data"))).filter((e) => e.polarity !== "negative");
  const { loadPredictor } = await import("../predictor.js");
  const predictor = await loadPredictor(modelDir, { baseModelDir: baseModelDirFrom(flags), backend: flags.backend as never });
  const preds = await predictor.predictBatch(examples);
  predictor.dispose();
  const truth = examples.map((e) => e.label);
  const predicted = preds.map((p) => p.label);
  const confidences = preds.map((p) => p.confidence);
  const correct = predicted.map((p, i) => p === truth[i]);
  const answered = preds.map((p, i) => (p.confident ? i : -1)).filter((i) => i >= 0);
  const unknown = new Set(truth.filter((l) => !predictor.labels.includes(l)));
  const report = {
    examples: examples.length,
    accuracy: accuracy(truth, predicted),
    macroF1: macroF1(truth, predicted),
    expectedCalibrationError: expectedCalibrationError(confidences, correct),
    coverageAt95: coverageAtPrecision(confidences, correct, 0.95),
    threshold: predictor.threshold,
    answeredShare: answered.length / examples.length,
    precisionWhenAnswering: answered.length ? answered.filter((i) => correct[i]).length / answered.length : 0,
    labelsUnknownToModel: [...unknown],
    topConfusions: confusionPairs(truth, predicted, 5),
  };
  if (flags.json) {
    console.log(JSON.stringify(report, null, 2));
    return;
  }
  const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
  console.log(`examples            ${report.examples}`);
  console.log(`accuracy            ${pct(report.accuracy)}`);
  console.log(`macro-F1            ${pct(report.macroF1)}`);
  console.log(`ECE                 ${report.expectedCalibrationError.toFixed(4)}`);
  console.log(
    `threshold           ${report.threshold.toFixed(4)} → answers ${pct(report.answeredShare)} at ${pct(report.precisionWhenAnswering)} precision`,
  );
  console.log(`coverage @95 % prec ${pct(report.coverageAt95)}`);
  if (unknown.size) console.log(`labels the model does not know: ${[...unknown].slice(0, 5).join(", ")}${unknown.size > 5 ? ", …" : ""}`);
  for (const c of report.topConfusions) console.log(`  ${c.count}× ${c.truth} → ${c.predicted}`);
}

runCli(main, USAGE);
