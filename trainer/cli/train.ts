// npm run model:train -- --data file.jsonl|.csv --out dir [--method head|lora|full] [--epochs N] [--warm-start dir] [--base dir]
import cliProgress from "cli-progress";
import { existsSync } from "node:fs";
import { importDataFile } from "../data/index.js";
import type { TrainOptions, TrainProgress } from "../index.js";
import { baseModelDirFrom, numberFlag, parseArgs, requireFlag, runCli, UsageError } from "./args.js";

const USAGE = `usage: npm run model:train -- --data file.jsonl|file.csv --out dir
  [--method head|lora|full] [--top-layers N] [--epochs N] [--batch-size N] [--lr X] [--lora-rank N]
  [--seed N] [--target-precision 0.95] [--validation file] [--warm-start dir] [--max-minutes N]
  [--base dir (default $BASE_MODEL_DIR or .local/models/all-MiniLM-L6-v2)]`;

const FLAGS = [
  "data",
  "out",
  "method",
  "top-layers",
  "epochs",
  "batch-size",
  "lr",
  "lora-rank",
  "seed",
  "target-precision",
  "validation",
  "warm-start",
  "max-minutes",
  "base",
  "backend",
];

/** One progress bar per phase; epochs restart the bar so its ETA is per epoch. */
function progressBar(): { update: (p: TrainProgress) => void; stop: () => void } {
  const bar = new cliProgress.SingleBar(
    { format: "{phase} [{bar}] {value}/{total} {info}", hideCursor: true, etaBuffer: 50 },
    cliProgress.Presets.shades_classic,
  );
  let key = "";
  return {
    update: (p) => {
      if (p.steps === undefined) {
        if (key) bar.stop();
        key = "";
        process.stderr.write(`${p.phase}${p.message ? `: ${p.message}` : ""}\n`);
        return;
      }
      const k = `${p.phase}:${p.epoch ?? ""}`;
      const phase = p.epoch ? `${p.phase} ${p.epoch}/${p.epochs}` : p.phase;
      const info = [
        p.loss !== undefined && `loss ${p.loss.toFixed(3)}`,
        p.valAccuracy !== undefined && `val ${(p.valAccuracy * 100).toFixed(1)}%`,
      ]
        .filter(Boolean)
        .join(" ");
      if (k !== key) {
        if (key) bar.stop();
        key = k;
        bar.start(p.steps, p.step ?? 0, { phase, info });
      }
      bar.update(p.step ?? 0, { phase, info });
    },
    stop: () => {
      if (key) bar.stop();
    },
  };
}

async function main(): Promise<void> {
  const { flags, positional } = parseArgs(process.argv.slice(2), FLAGS);
  if (positional.length) throw new UsageError(`unexpected argument "${positional[0]}"`);
  const data = requireFlag(flags, "data");
  const outDir = requireFlag(flags, "out");
  const method = flags.method as TrainOptions["method"];
  if (method !== undefined && !["head", "lora", "full"].includes(method))
    throw new UsageError(`--method must be head, lora or full, got "${method}"`);
  const warmStartDir = flags["warm-start"] ?? null;
  if (warmStartDir && !existsSync(warmStartDir)) throw new UsageError(`--warm-start ${warmStartDir} does not exist`);
  const opts: TrainOptions = {
    examples: await importDataFile(data),
    validation: flags.validation ? await importDataFile(flags.validation) : undefined,
    outDir,
    baseModelDir: baseModelDirFrom(flags),
    warmStartDir,
    method,
    topLayers: numberFlag(flags, "top-layers", { integer: true, min: 1 }),
    epochs: numberFlag(flags, "epochs", { integer: true, min: 1 }),
    batchSize: numberFlag(flags, "batch-size", { integer: true, min: 2 }),
    learningRate: numberFlag(flags, "lr", { min: 0 }),
    loraRank: numberFlag(flags, "lora-rank", { integer: true, min: 1 }),
    seed: numberFlag(flags, "seed", { integer: true }),
    targetPrecision: numberFlag(flags, "target-precision", { min: 0.01, max: 1 }),
    maxMinutes: numberFlag(flags, "max-minutes", { min: 0.01 }),
    backend: flags.backend as TrainOptions["backend"],
  };
  // TensorFlow.js loads only once the flags and data are known to be good: usage errors answer at once
  const { trainModel } = await import("../index.js");
  const bar = progressBar();
  let result;
  try {
    result = await trainModel(opts, bar.update);
  } finally {
    bar.stop();
  }
  const m = result.manifest;
  console.log(
    `saved ${result.outDir}: ${m.labels.length} labels, method ${m.method}, validation accuracy ${(m.metrics.valAccuracy * 100).toFixed(1)} %, ` +
      `threshold ${m.threshold.toFixed(3)} for ${(m.targetPrecision * 100).toFixed(0)} % precision (covers ${(m.metrics.valCoverageAtTarget * 100).toFixed(1)} %)`,
  );
}

runCli(main, USAGE);
