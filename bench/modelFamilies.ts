// Both base model families side by side, with the product recipe (what the nightly trainer runs: method head, its
// calibration and open-world signal): `npm run bench:model -- --base use-multilingual`. Data: BANKING77 (English,
// Casanueva et al. 2020, CC BY 4.0) and xSID (the same questions in Chinese and English, van der Goot et al. 2021,
// CC BY-SA 4.0; bench/data/xsid). Writes bench/results/families.json.
import { existsSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { writeOutput } from "./lib/output.js";
import { loadavg, tmpdir, cpus } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import {
  accuracy,
  baseModelDirFor,
  coverageAtPrecision,
  importCsv,
  initBackend,
  loadPredictor,
  macroF1,
  trainModel,
  type BackendName,
  type BaseFamily,
  type TrainExample,
  type TrainOptions,
} from "../trainer/index.js";

const RESULTS = "bench/results/families.json";
const FAMILY_ORDER: BaseFamily[] = ["minilm", "use-multilingual"];

interface DatasetSpec {
  name: string;
  language: string;
  dir: string;
  train: string;
  test: string;
  citation: string;
}
const DATASETS: DatasetSpec[] = [
  {
    name: "xSID zh",
    language: "zh",
    dir: join(import.meta.dirname, "data/xsid"),
    train: "zh.train.csv",
    test: "zh.test.csv",
    citation: "van der Goot et al. 2021, CC BY-SA 4.0",
  },
  {
    name: "xSID en",
    language: "en",
    dir: join(import.meta.dirname, "data/xsid"),
    train: "en.train.csv",
    test: "en.test.csv",
    citation: "van der Goot et al. 2021, CC BY-SA 4.0",
  },
  {
    name: "BANKING77",
    language: "en",
    dir: process.env.BANKING77_DIR ?? join(import.meta.dirname, "data/banking77"),
    train: "train.csv",
    test: "test.csv",
    citation: "Casanueva et al. 2020, CC BY 4.0",
  },
];

async function load(dir: string, name: string): Promise<TrainExample[]> {
  return importCsv(await readFile(join(dir, name), "utf8"));
}

async function runOne(family: BaseFamily, ds: DatasetSpec, opts: Partial<TrainOptions> & { backend: BackendName }) {
  const [train, test] = [await load(ds.dir, ds.train), await load(ds.dir, ds.test)];
  const baseModelDir = baseModelDirFor(family, process.env.BASE_MODEL_DIR);
  const outDir = join(tmpdir(), `bench-family-${process.pid}-${family}-${ds.name.replace(/\W+/g, "")}`);
  const t0 = Date.now();
  const { manifest } = await trainModel({ method: "head", ...opts, examples: train, outDir, baseModelDir });
  const trainSeconds = (Date.now() - t0) / 1000;
  const predictor = await loadPredictor(outDir, { baseModelDir, backend: opts.backend });
  const t1 = Date.now();
  const preds = await predictor.predictBatch(test);
  const testSeconds = (Date.now() - t1) / 1000;
  const truth = test.map((e) => e.label);
  const predicted = preds.map((p) => p.label);
  const correct = predicted.map((p, i) => p === truth[i]);
  const answered = preds.map((p) => p.answer);
  const nAnswered = answered.filter(Boolean).length;
  // one question at a time, as a customer's message arrives (the question of the test set that is median in length)
  const sample = [...test].sort((a, b) => a.text.length - b.text.length)[Math.floor(test.length / 2)].text;
  for (let i = 0; i < 10; i++) await predictor.predict(sample);
  const times: number[] = [];
  for (let i = 0; i < 100; i++) {
    const t = performance.now();
    await predictor.predict(sample);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  predictor.dispose();
  await rm(outDir, { recursive: true, force: true });
  return {
    family,
    dataset: ds.name,
    language: ds.language,
    train: train.length,
    test: test.length,
    intents: manifest.labels.length,
    accuracy: accuracy(truth, predicted),
    macroF1: macroF1(truth, predicted),
    coverageAt95: coverageAtPrecision(
      preds.map((p) => p.confidence),
      correct,
      0.95,
    ),
    answered: nAnswered / preds.length,
    precisionAnswered: nAnswered ? correct.filter((c, i) => c && answered[i]).length / nAnswered : 0,
    threshold: manifest.threshold,
    inScopeThreshold: manifest.openWorld?.inScopeThreshold ?? null,
    oneQuestionP50Ms: times[50],
    oneQuestionP99Ms: times[98],
    sampleQuestion: sample,
    trainSeconds,
    testPredictSeconds: testSeconds,
    hyperParameters: manifest.hyperParameters,
  };
}

export async function runFamilies(flags: Record<string, string>, usage: () => never): Promise<void> {
  const backend = await initBackend((flags.backend as BackendName | undefined) ?? (process.env.TFJS_BACKEND as BackendName | undefined));
  const only = flags.datasets ? flags.datasets.split(",").map((s) => s.trim()) : null;
  if (only?.some((n) => !DATASETS.some((d) => d.name.replace(" ", "-").toLowerCase() === n))) usage();
  const datasets = DATASETS.filter((d) => !only || only.includes(d.name.replace(" ", "-").toLowerCase()));
  const chosen = flags.base as BaseFamily;
  const families = [...new Set([...FAMILY_ORDER.filter((f) => f !== chosen), chosen])];
  const opts: Partial<TrainOptions> & { backend: BackendName } = { backend };
  const rows: Awaited<ReturnType<typeof runOne>>[] =
    existsSync(RESULTS) && flags.resume ? JSON.parse(await readFile(RESULTS, "utf8")).rows : [];
  const save = async () => {
    const out = {
      recipe: "head (the nightly trainer's default), calibration and open-world signal as the product trains them",
      datasets: datasets.map(({ name, citation }) => ({ name, citation })),
      machine: { cores: cpus().length, node: process.version, backend: tf.getBackend(), loadAverage1m: +loadavg()[0].toFixed(2) },
      rows,
      updatedAt: new Date().toISOString(),
    };
    writeOutput(RESULTS, JSON.stringify(out, null, 2) + "\n");
  };
  for (const ds of datasets) {
    for (const family of families) {
      if (rows.some((r) => r.family === family && r.dataset === ds.name)) continue;
      console.error(`== ${ds.name} on ${family}`);
      const r = await runOne(family, ds, opts);
      rows.push(r);
      console.error(
        `${ds.name} ${family}: accuracy ${(r.accuracy * 100).toFixed(1)} %, macro-F1 ${(r.macroF1 * 100).toFixed(1)} %, answered ${(r.answered * 100).toFixed(1)} % at ${(r.precisionAnswered * 100).toFixed(1)} %, p50 ${r.oneQuestionP50Ms.toFixed(1)} ms, ${r.trainSeconds.toFixed(0)} s`,
      );
      await save();
    }
  }
  const pct = (v: number) => `${(v * 100).toFixed(1)} %`.padStart(8);
  console.log("dataset     family             accuracy  macro-F1  answered  precision  p50 ms");
  for (const r of rows) {
    console.log(
      `${r.dataset.padEnd(11)} ${r.family.padEnd(18)} ${pct(r.accuracy)}  ${pct(r.macroF1)}  ${pct(r.answered)}  ${pct(r.precisionAnswered)}  ${r.oneQuestionP50Ms.toFixed(1).padStart(6)}`,
    );
  }
}
