// Open-intent benchmark of the model library (not a test): `npm run bench:open -- [--ratios 0.25,0.5,0.75] [--seeds 5]`.
// Protocol of Zhang et al., AAAI 2021 (ADB) and the TEXTOIR toolkit on BANKING77 (Casanueva et al. 2020, CC BY 4.0):
// a random 25 / 50 / 75 % of the 77 intents are known (drawn per seed); the version trains and calibrates on the
// known intents' training questions only (its validation split is drawn from them too); the test is all 3,080 test
// questions, those of unknown intents relabelled "open". Nothing is chosen on the test split.
import { mkdir, rm } from "node:fs/promises";
import { writeOutput } from "./lib/output.js";
import { join } from "node:path";
import { loadavg, cpus } from "node:os";
import {
  baseModelDirFrom,
  loadPredictor,
  numberFlag,
  parseArgs,
  runCli,
  seededRandom,
  shuffleInPlace,
  trainModel,
  type Prediction,
  type TrainExample,
} from "../trainer/index.js";
import { readSplit } from "./lib/banking77.js";

const RESULTS = "bench/results/open.json";
const ARTIFACTS = ".local/bench-artifacts/open";
const OPEN = "__open__";
const USAGE = `usage: npm run bench:open -- [--ratios 0.25,0.5,0.75] [--seeds 5] [--method head|lora|full]
  [--target-precision 0.95] [--base dir]`;

// Published best on this protocol (BERT-base, 10 seeds; accuracy / macro-F1 / open-F1), and this project's targets.
const PUBLISHED = {
  "0.25": { ADB: [78.85, 71.62, 84.56], KNNCL: [86.14, 77.01, 90.55] },
  "0.5": { ADB: [78.86, 80.9, 78.44], "DA-ADB": [81.51, 82.53, 81.93], "sentence-encoder ADB (Lorenc 2022)": [83.78, 84.93, 83.9] },
  "0.75": { ADB: [81.08, 85.96, 66.47], "sentence-encoder ADB (Lorenc 2022)": [84.4, 88.39, 73.1] },
};
const TARGETS = {
  "0.25": { macroF1: 79.0, openF1: 90.6 },
  "0.5": { macroF1: 85.0, openF1: 84.3 },
  "0.75": { macroF1: 88.5, openF1: 73.2 },
};

/** F1 of each label over truth/predicted (labels given, so an unpredicted label still counts). */
function f1PerLabel(truth: string[], predicted: string[], labels: string[]): Map<string, number> {
  const tp = new Map<string, number>();
  const fp = new Map<string, number>();
  const fn = new Map<string, number>();
  const inc = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  truth.forEach((t, i) => {
    if (predicted[i] === t) inc(tp, t);
    else {
      inc(fp, predicted[i]);
      inc(fn, t);
    }
  });
  return new Map(
    labels.map((l) => {
      const a = tp.get(l) ?? 0;
      const d = 2 * a + (fp.get(l) ?? 0) + (fn.get(l) ?? 0);
      return [l, d ? (2 * a) / d : 0];
    }),
  );
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const sd = (xs: number[]) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));
const pct = (x: number) => Math.round(x * 10000) / 100;

interface RunResult {
  ratio: number;
  seed: number;
  known: number;
  trainExamples: number;
  trainSeconds: number;
  accuracy: number;
  macroF1: number;
  openF1: number;
  knownF1: number;
  product: { openAnswered: number; inScopeCoverage: number; precision: number; closedSetOpenAnswered: number };
  thresholds: { confidence: number; inScope: number; openSet: number };
}

async function runOne(
  ratio: number,
  seed: number,
  intents: string[],
  train: TrainExample[],
  test: TrainExample[],
  common: { baseModelDir: string; method: "head" | "lora" | "full"; targetPrecision: number },
): Promise<RunResult> {
  const known = new Set(shuffleInPlace([...intents], seededRandom(1000 + seed)).slice(0, Math.round(intents.length * ratio)));
  const examples = train.filter((e) => known.has(e.label));
  const outDir = join(ARTIFACTS, `${ratio}-${seed}`);
  const t0 = Date.now();
  const { manifest } = await trainModel({
    examples,
    outDir,
    baseModelDir: common.baseModelDir,
    method: common.method,
    seed,
    targetPrecision: common.targetPrecision,
  });
  const trainSeconds = (Date.now() - t0) / 1000;
  const predictor = await loadPredictor(outDir, { baseModelDir: common.baseModelDir });
  const preds: Prediction[] = await predictor.predictBatch(test);
  predictor.dispose();
  await rm(outDir, { recursive: true, force: true });

  const openSet = manifest.openWorld!.openSetThreshold;
  const truth = test.map((e) => (known.has(e.label) ? e.label : OPEN));
  const predicted = preds.map((p) => (p.inScopeScore >= openSet ? p.label : OPEN));
  const knownLabels = [...known].sort();
  const f1 = f1PerLabel(truth, predicted, [...knownLabels, OPEN]);
  const isOpen = truth.map((t) => t === OPEN);
  const answered = preds.map((p) => p.answer);
  const openCount = isOpen.filter(Boolean).length;
  const answeredCount = answered.filter(Boolean).length;
  return {
    ratio,
    seed,
    known: known.size,
    trainExamples: examples.length,
    trainSeconds,
    accuracy: truth.filter((t, i) => t === predicted[i]).length / truth.length,
    macroF1: mean([...f1.values()]),
    openF1: f1.get(OPEN)!,
    knownF1: mean(knownLabels.map((l) => f1.get(l)!)),
    product: {
      openAnswered: answered.filter((a, i) => a && isOpen[i]).length / Math.max(1, openCount),
      inScopeCoverage: answered.filter((a, i) => a && !isOpen[i]).length / Math.max(1, truth.length - openCount),
      precision: answeredCount ? answered.filter((a, i) => a && preds[i].label === truth[i]).length / answeredCount : 0,
      // what the version would answer of the open questions on confidence alone (the closed-set softmax before)
      closedSetOpenAnswered: preds.filter((p, i) => p.confident && isOpen[i]).length / Math.max(1, openCount),
    },
    thresholds: { confidence: manifest.threshold, inScope: manifest.openWorld!.inScopeThreshold, openSet },
  };
}

async function main() {
  const { flags } = parseArgs(process.argv.slice(2), ["ratios", "seeds", "method", "target-precision", "base"]);
  const ratios = (flags.ratios ?? "0.25,0.5,0.75").split(",").map(Number);
  if (ratios.some((r) => !(r > 0 && r < 1))) throw new Error("--ratios: each must be in (0, 1)");
  const seeds = numberFlag(flags, "seeds", { integer: true, min: 1, max: 20 }) ?? 5;
  const method = (flags.method ?? "head") as "head" | "lora" | "full";
  const targetPrecision = numberFlag(flags, "target-precision", { min: 0.5, max: 1 }) ?? 0.95;
  const baseModelDir = baseModelDirFrom(flags);
  const asExample = (r: { text: string; intent: string }): TrainExample => ({ text: r.text, label: r.intent });
  const train = readSplit("train").map(asExample);
  const test = readSplit("test").map(asExample);
  const intents = [...new Set(train.map((e) => e.label))].sort();
  await mkdir(ARTIFACTS, { recursive: true });

  const started = Date.now();
  const runs: RunResult[] = [];
  for (const ratio of ratios) {
    for (let seed = 0; seed < seeds; seed++) {
      const r = await runOne(ratio, seed, intents, train, test, { baseModelDir, method, targetPrecision });
      runs.push(r);
      console.log(
        `known ${pct(ratio)}% seed ${seed}: acc ${pct(r.accuracy)} macro-F1 ${pct(r.macroF1)} open-F1 ${pct(r.openF1)} known-F1 ${pct(r.knownF1)} · ` +
          `product: answers ${pct(r.product.openAnswered)}% of open (closed-set ${pct(r.product.closedSetOpenAnswered)}%), ${pct(r.product.inScopeCoverage)}% of in-scope, precision ${pct(r.product.precision)}% · ${r.trainSeconds.toFixed(0)} s`,
      );
    }
  }
  const summary = Object.fromEntries(
    ratios.map((ratio) => {
      const rs = runs.filter((r) => r.ratio === ratio);
      const stat = (f: (r: RunResult) => number) => ({ mean: pct(mean(rs.map(f))), sd: pct(sd(rs.map(f))) });
      return [
        String(ratio),
        {
          seeds: rs.length,
          accuracy: stat((r) => r.accuracy),
          macroF1: stat((r) => r.macroF1),
          openF1: stat((r) => r.openF1),
          knownF1: stat((r) => r.knownF1),
          product: {
            openAnswered: stat((r) => r.product.openAnswered),
            inScopeCoverage: stat((r) => r.product.inScopeCoverage),
            precision: stat((r) => r.product.precision),
            closedSetOpenAnswered: stat((r) => r.product.closedSetOpenAnswered),
          },
          target: TARGETS[String(ratio) as keyof typeof TARGETS] ?? null,
          published: PUBLISHED[String(ratio) as keyof typeof PUBLISHED] ?? null,
        },
      ];
    }),
  );
  const result = {
    benchmark: "open-intent classification, BANKING77 (ADB / TEXTOIR protocol)",
    dataset: {
      name: "BANKING77",
      citation: "Casanueva et al. 2020, CC BY 4.0",
      train: train.length,
      test: test.length,
      intents: intents.length,
    },
    recipe: { method, targetPrecision, signal: "nearest-question cosine, thresholds from leave-answers-out folds" },
    operatingPoints: {
      openSet: "argmax answer when the in-scope score ≥ the open-set threshold (macro-F1-optimal on out-of-fold data), else open",
      product: "the bot answers when confident and in scope (target precision over all traffic, ≤ 5 % of novel questions answered)",
    },
    machine: { cores: cpus().length, node: process.version, loadAverage: loadavg().map((x) => Math.round(x * 100) / 100) },
    minutes: Math.round((Date.now() - started) / 600) / 100,
    summary,
    runs,
    createdAt: new Date().toISOString(),
  };
  writeOutput(RESULTS, JSON.stringify(result, null, 2) + "\n");
  for (const [ratio, s] of Object.entries(summary)) {
    console.log(
      `known ${pct(Number(ratio))}%: acc ${s.accuracy.mean}±${s.accuracy.sd} macro-F1 ${s.macroF1.mean}±${s.macroF1.sd} (target ${s.target?.macroF1}) ` +
        `open-F1 ${s.openF1.mean}±${s.openF1.sd} (target ${s.target?.openF1}) known-F1 ${s.knownF1.mean} · product answers ${s.product.openAnswered.mean}% of open ` +
        `(closed-set ${s.product.closedSetOpenAnswered.mean}%), in-scope coverage ${s.product.inScopeCoverage.mean}%, precision ${s.product.precision.mean}%`,
    );
  }
  console.log(`wrote ${RESULTS}`);
}

runCli(main, USAGE);
