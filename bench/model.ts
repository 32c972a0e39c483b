// BANKING77 benchmark of the model library (not a test): `npm run bench:model -- [--only full|fewshot|latency|serving]`.
// Each figure runs on every backend given (default: native and wasm), each backend in its own child process, and
// the results keep them side by side with their ratios. Data: Casanueva et al. 2020, "Efficient Intent Detection
// with Dual Sentence Encoders" (CC BY 4.0).
import { spawnSync } from "node:child_process";
import { readFile, mkdir, rm } from "node:fs/promises";
import { writeOutput } from "./lib/output.js";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadavg, tmpdir } from "node:os";
import {
  accuracy,
  argmax,
  baseModelDirFrom,
  coverageAtPrecision,
  disposeOverrides,
  expectedCalibrationError,
  importCsv,
  initBackend,
  loadPredictor,
  loadVersionWeights,
  logitsFromStates,
  macroF1,
  numberFlag,
  parallelBaseStates,
  parseArgs,
  runCli,
  seededRandom,
  parseFamily,
  sharedBaseModel,
  shuffleInPlace,
  softmax,
  trainModel,
  UsageError,
  verifyArtifact,
  type BackendName,
  type TrainExample,
  type TrainOptions,
} from "../trainer/index.js";
import * as tf from "@tensorflow/tfjs";
import { runServing } from "./modelServing.js";
import { runFamilies } from "./modelFamilies.js";

const DATA_DIR = process.env.BANKING77_DIR ?? join(import.meta.dirname, "data/banking77");
const RESULTS = "bench/results/model.json";
const ARTIFACTS = ".local/bench-artifacts";
const PARTS = ["full", "fewshot", "latency", "serving"];
const USAGE = `usage: npm run bench:model -- [--only ${PARTS.join("|")}] [--backends tensorflow,wasm] [--method head|lora|full]
  [--top-layers N] [--epochs N] [--seeds N] [--wasm-seeds N] [--burst N] [--data-dir ${DATA_DIR}] [--base dir]
  npm run bench:model -- --base use-multilingual|minilm [--datasets xsid-zh,xsid-en,banking77] [--resume]
  --base FAMILY  both base model families side by side, product recipe (head); writes bench/results/families.json
  --backends   backends to compare, each in its own process (default: tensorflow,wasm where the native binding loads)
  --wasm-seeds 10-shot seeds on wasm (default: --seeds), to keep a comparison run bounded
  --burst      questions handed to the inference thread at once in the serving figure (default 200)`;

interface Scores {
  accuracy: number;
  macroF1: number;
  coverageAt95: number;
  coverageAt97: number;
  ece: number;
}

function score(truth: string[], predicted: string[], confidences: number[]): Scores {
  const correct = predicted.map((p, i) => p === truth[i]);
  return {
    accuracy: accuracy(truth, predicted),
    macroF1: macroF1(truth, predicted),
    coverageAt95: coverageAtPrecision(confidences, correct, 0.95),
    coverageAt97: coverageAtPrecision(confidences, correct, 0.97),
    ece: expectedCalibrationError(confidences, correct),
  };
}

function peakRssMiB(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

function progressPrinter(label: string) {
  let last = 0;
  return (p: { phase: string; epoch?: number; step?: number; steps?: number; loss?: number; valAccuracy?: number; message?: string }) => {
    const now = Date.now();
    if (now - last < 15_000 && p.valAccuracy === undefined && !p.message) return;
    last = now;
    const parts = [
      label,
      p.phase,
      p.epoch && `epoch ${p.epoch}`,
      p.steps && `${p.step}/${p.steps}`,
      p.loss !== undefined && `loss ${p.loss.toFixed(3)}`,
      p.valAccuracy !== undefined && `val ${(p.valAccuracy * 100).toFixed(1)}%`,
      p.message,
    ];
    console.error(parts.filter(Boolean).join(" · "));
  };
}

async function runFull(train: TrainExample[], test: TrainExample[], common: Partial<TrainOptions> & { baseModelDir: string }) {
  const outDir = join(ARTIFACTS, "full");
  await mkdir(ARTIFACTS, { recursive: true });
  const t0 = Date.now();
  const { manifest } = await trainModel({ ...common, examples: train, outDir }, progressPrinter("full"));
  const fineTuneSeconds = (Date.now() - t0) / 1000;
  const predictor = await loadPredictor(outDir, { baseModelDir: common.baseModelDir, backend: common.backend });
  const t1 = Date.now();
  const preds = await predictor.predictBatch(test);
  const testSeconds = (Date.now() - t1) / 1000;
  predictor.dispose();
  const s = score(
    test.map((e) => e.label),
    preds.map((p) => p.label),
    preds.map((p) => p.confidence),
  );
  const answered = preds.filter((p) => p.confident);
  return {
    ...s,
    fineTuneMinutes: fineTuneSeconds / 60,
    cacheSeconds: manifest.metrics.cacheSeconds,
    testPredictSeconds: testSeconds,
    thresholdFromValidation: manifest.threshold,
    testCoverageAtThreshold: answered.length / preds.length,
    testPrecisionAtThreshold: answered.length
      ? answered.filter((p) => p.label === test[preds.indexOf(p)].label).length / answered.length
      : 0,
    method: manifest.method,
    hyperParameters: manifest.hyperParameters,
    history: manifest.history,
    artifactMiB: Object.values(manifest.files).reduce((n, f) => n + f.size, 0) / 2 ** 20,
  };
}

function tenShot(train: TrainExample[], seed: number): TrainExample[] {
  const random = seededRandom(seed * 7919);
  const byLabel = new Map<string, TrainExample[]>();
  for (const e of train) byLabel.set(e.label, [...(byLabel.get(e.label) ?? []), e]);
  return [...byLabel.keys()].sort().flatMap((l) => shuffleInPlace([...byLabel.get(l)!], random).slice(0, 10));
}

/** 10-shot, several seeds. Test states below the trained layers are computed once and shared by every seed. */
async function runFewShot(
  train: TrainExample[],
  test: TrainExample[],
  common: Partial<TrainOptions> & { baseModelDir: string },
  seeds: number,
  onSeed: (summary: ReturnType<typeof summarize>) => Promise<void>,
) {
  const base = await sharedBaseModel(common.baseModelDir, common.backend);
  let testStates: { fromLayer: number; states: Float32Array[] } | null = null;
  const runs: (Scores & { seed: number; fineTuneSeconds: number })[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    const outDir = join(tmpdir(), `bench-fewshot-${process.pid}-${seed}`);
    const t0 = Date.now();
    const { manifest } = await trainModel(
      { ...common, examples: tenShot(train, seed), outDir, seed },
      progressPrinter(`10-shot seed ${seed}`),
    );
    const fineTuneSeconds = (Date.now() - t0) / 1000;
    const fromLayer = base.config.numLayers - manifest.trainedLayers.length;
    if (!testStates || testStates.fromLayer !== fromLayer) {
      testStates = {
        fromLayer,
        states: await parallelBaseStates(base, test, {
          toLayer: fromLayer,
          pool: manifest.method === "head",
          workers: 2,
          backend: common.backend,
        }),
      };
    }
    const { overrides, prototypes } = loadVersionWeights(outDir, base, await verifyArtifact(outDir));
    const protoTensor = tf.tensor2d(prototypes.data, prototypes.shape as [number, number]);
    const logits = await logitsFromStates(
      base,
      testStates.states,
      fromLayer,
      overrides,
      protoTensor,
      Number(manifest.hyperParameters.logitScale),
    );
    protoTensor.dispose();
    if (overrides) disposeOverrides(overrides);
    const probs = logits.map((l) => softmax(l, manifest.calibrationTemperature));
    const predicted = probs.map((p) => manifest.labels[argmax(p)]);
    const s = score(
      test.map((e) => e.label),
      predicted,
      probs.map((p) => Math.max(...p)),
    );
    runs.push({ seed, fineTuneSeconds, ...s });
    console.error(`10-shot seed ${seed}: accuracy ${(s.accuracy * 100).toFixed(2)}% in ${fineTuneSeconds.toFixed(0)} s`);
    await rm(outDir, { recursive: true, force: true });
    await onSeed(summarize(runs));
  }
  return summarize(runs);
}

// partial results are saved after every seed, so an interrupted run still leaves its finished seeds
function summarize(runs: (Scores & { seed: number; fineTuneSeconds: number })[]) {
  const mean = (k: keyof Scores) => runs.reduce((n, r) => n + r[k], 0) / runs.length;
  return {
    seeds: runs.length,
    accuracy: mean("accuracy"),
    macroF1: mean("macroF1"),
    coverageAt95: mean("coverageAt95"),
    meanFineTuneSeconds: runs.reduce((n, r) => n + r.fineTuneSeconds, 0) / runs.length,
    runs,
  };
}

/** The full run's artifact, else a quick 10-shot head model trained for the latency figures. */
async function latencyArtifact(common: { baseModelDir: string; backend?: BackendName }, fallbackTrain: TrainExample[]): Promise<string> {
  const full = join(ARTIFACTS, "full");
  if (existsSync(join(full, "manifest.json"))) return full;
  const dir = join(ARTIFACTS, "latency");
  if (!existsSync(join(dir, "manifest.json")))
    await trainModel({ ...common, examples: tenShot(fallbackTrain, 1), outDir: dir, method: "head" });
  return dir;
}

async function runLatency(common: { baseModelDir: string; backend?: BackendName }, fallbackTrain: TrainExample[]) {
  const dir = await latencyArtifact(common, fallbackTrain);
  const predictor = await loadPredictor(dir, common);
  const message = "I am still waiting on my card, when will it arrive?";
  for (let i = 0; i < 10; i++) await predictor.predict(message);
  const times: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t0 = performance.now();
    await predictor.predict(message, i % 2 ? "Hello! How can I help?" : null);
    times.push(performance.now() - t0);
  }
  predictor.dispose();
  times.sort((a, b) => a - b);
  return { artifact: dir, runs: times.length, p50Ms: times[Math.floor(times.length * 0.5)], p99Ms: times[Math.floor(times.length * 0.99)] };
}

async function loadSplit(dir: string, name: string): Promise<TrainExample[]> {
  const path = join(dir, name);
  if (!existsSync(path)) throw new UsageError(`${path} not found (pass --data-dir)`);
  return importCsv(await readFile(path, "utf8"));
}

async function main(): Promise<void> {
  const { flags } = parseArgs(
    process.argv.slice(2),
    [
      "only",
      "backend",
      "backends",
      "method",
      "top-layers",
      "epochs",
      "seeds",
      "wasm-seeds",
      "burst",
      "data-dir",
      "base",
      "max-minutes",
      "datasets",
    ],
    ["resume"],
  );
  // a family name (not a folder): both families side by side on BANKING77 and xSID (bench/modelFamilies.ts)
  if (parseFamily(flags.base)) {
    return runFamilies(flags, () => {
      throw new UsageError("--datasets: a comma-separated list of xsid-zh, xsid-en, banking77");
    });
  }
  const only = flags.only;
  if (only && !PARTS.includes(only)) throw new UsageError(`--only must be one of ${PARTS.join(", ")}, got "${only}"`);
  const method = flags.method as TrainOptions["method"];
  if (method && !["head", "lora", "full"].includes(method)) throw new UsageError(`--method must be head, lora or full`);
  if (flags.backend) return runOnBackend(flags, flags.backend as BackendName);
  const backends = flags.backends
    ? flags.backends
        .split(",")
        .map((b) => b.trim())
        .filter(Boolean)
    : (await initBackend()) === "tensorflow"
      ? ["tensorflow", "wasm"]
      : ["wasm"];
  const me = fileURLToPath(import.meta.url);
  for (const backend of backends) {
    console.error(`== bench:model on ${backend}`);
    const child = spawnSync(process.execPath, ["--import", "tsx", me, ...process.argv.slice(2), "--backend", backend], {
      stdio: "inherit",
      env: { ...process.env, TFJS_BACKEND: backend },
    });
    if (child.status !== 0) throw new Error(`bench:model on ${backend} failed (exit ${child.status ?? child.signal})`);
  }
  printTable(JSON.parse(await readFile(RESULTS, "utf8")));
}

/** The figures on one backend, in this process; each part's result replaces only its own key on disk. */
async function runOnBackend(flags: Record<string, string>, backend: BackendName): Promise<void> {
  const only = flags.only;
  const chosen = await initBackend(backend);
  const common = {
    baseModelDir: baseModelDirFrom(flags),
    backend: chosen,
    method: flags.method as TrainOptions["method"],
    topLayers: numberFlag(flags, "top-layers", { integer: true, min: 1 }),
    epochs: numberFlag(flags, "epochs", { integer: true, min: 1 }),
    maxMinutes: numberFlag(flags, "max-minutes", { min: 0.1 }),
  };
  const dataDir = flags["data-dir"] ?? DATA_DIR;
  const [train, test] = [await loadSplit(dataDir, "train.csv"), await loadSplit(dataDir, "test.csv")];
  const dataset = {
    name: "BANKING77",
    citation: "Casanueva et al. 2020, CC BY 4.0",
    train: train.length,
    test: test.length,
    intents: new Set(train.map((e) => e.label)).size,
  };
  const machine = { cores: (await import("node:os")).cpus().length, node: process.version, backend: tf.getBackend() };
  // Parts may run as separate invocations: each save re-reads the file and replaces only its own keys.
  const save = async (part: string, value: unknown) => {
    const onDisk: Record<string, any> = existsSync(RESULTS) ? JSON.parse(await readFile(RESULTS, "utf8")) : {};
    for (const legacy of ["full", "fewShot10", "latency", "machine", "peakRssMiB"]) delete onDisk[legacy];
    const mine = ((onDisk.byBackend ??= {})[chosen] ??= {});
    Object.assign(mine, { machine, [part]: value, peakRssMiB: { ...(mine.peakRssMiB ?? {}), [part]: peakRssMiB() } });
    Object.assign(onDisk, { dataset, ratios: ratios(onDisk.byBackend), updatedAt: new Date().toISOString() });
    writeOutput(RESULTS, JSON.stringify(onDisk, null, 2) + "\n");
  };
  // The machine is shared: each part records the 1-minute load average when it starts and ends.
  const timed = async <T>(f: () => Promise<T>) => {
    const start = +loadavg()[0].toFixed(2);
    const r = await f();
    return { ...r, loadAverage1m: { start, end: +loadavg()[0].toFixed(2) } };
  };
  if (!only || only === "full") await save("full", await timed(() => runFull(train, test, common)));
  if (!only || only === "fewshot") {
    const seeds = numberFlag(flags, chosen === "wasm" && flags["wasm-seeds"] ? "wasm-seeds" : "seeds", { integer: true, min: 1 }) ?? 5;
    const start = +loadavg()[0].toFixed(2);
    await runFewShot(train, test, common, seeds, (summary) =>
      save("fewShot10", { ...summary, loadAverage1m: { start, end: +loadavg()[0].toFixed(2) } }),
    );
  }
  if (!only || only === "latency") await save("latency", await timed(() => runLatency(common, train)));
  if (!only || only === "serving") {
    const burst = numberFlag(flags, "burst", { integer: true, min: 1 }) ?? 200;
    await save("serving", await runServing(await latencyArtifact(common, train), common.baseModelDir, test, { burst, rounds: 3 }));
  }
}

/** Native over wasm, each > 1 where native is better: wall-time ratios wasm / native, throughput native / wasm. */
function ratios(by: Record<string, any>): Record<string, number | null> {
  const n = by.tensorflow;
  const w = by.wasm;
  const r = (a?: number, b?: number) => (a && b ? +(a / b).toFixed(2) : null);
  // a sampled run (e.g. wasm with --epochs 1) compares per epoch, not the whole fine-tune
  const sameRecipe = JSON.stringify(w?.full?.hyperParameters) === JSON.stringify(n?.full?.hyperParameters);
  return {
    fullFineTuneSpeedup: sameRecipe ? r(w?.full?.fineTuneMinutes, n?.full?.fineTuneMinutes) : null,
    fullFirstEpochSpeedup: r(w?.full?.history?.[0]?.seconds, n?.full?.history?.[0]?.seconds),
    fullCacheSpeedup: r(w?.full?.cacheSeconds, n?.full?.cacheSeconds),
    fullTestPredictSpeedup: r(w?.full?.testPredictSeconds, n?.full?.testPredictSeconds),
    fewShotFineTuneSpeedup: r(w?.fewShot10?.meanFineTuneSeconds, n?.fewShot10?.meanFineTuneSeconds),
    oneMessageP50Speedup: r(w?.latency?.p50Ms, n?.latency?.p50Ms),
    threadOneMessageP50Speedup: r(w?.serving?.singleThroughThread?.p50Ms, n?.serving?.singleThroughThread?.p50Ms),
    burstThroughputRatio: r(n?.serving?.burst?.best?.perSecond, w?.serving?.burst?.best?.perSecond),
  };
}

function printTable(r: Record<string, any>): void {
  const pct = (x?: number) => (x === undefined ? "—" : `${(x * 100).toFixed(2)} %`);
  const ms = (x?: number) => (x === undefined ? "—" : `${x.toFixed(1)} ms`);
  const backends = Object.keys(r.byBackend ?? {});
  const rows: string[][] = [
    ["figure", ...backends, "target"],
    ...(
      [
        ["full data: test accuracy", (b) => pct(b.full?.accuracy), "≥ 92.6 %"],
        ["full data: coverage @ 95 % precision", (b) => pct(b.full?.coverageAt95), ""],
        [
          "full data: fine-tune wall time",
          (b) => (b.full ? `${b.full.fineTuneMinutes.toFixed(1)} min (${b.full.history.length} epochs)` : "—"),
          "≤ 5 min",
        ],
        [
          "full data: caching / first epoch",
          (b) => (b.full ? `${b.full.cacheSeconds.toFixed(0)} s / ${b.full.history[0].seconds.toFixed(0)} s` : "—"),
          "",
        ],
        ["full data: load average start / end", (b) => (b.full ? `${b.full.loadAverage1m.start} / ${b.full.loadAverage1m.end}` : "—"), ""],
        [
          "10-shot: mean accuracy",
          (b) => (b.fewShot10 ? `${pct(b.fewShot10.accuracy)} (${b.fewShot10.seeds} seeds)` : "—"),
          "≥ 84.4 % (5 seeds)",
        ],
        ["10-shot: mean training time", (b) => (b.fewShot10 ? `${b.fewShot10.meanFineTuneSeconds.toFixed(1)} s` : "—"), "≤ 30 s"],
        ["one message p50 / p99, in process", (b) => (b.latency ? `${ms(b.latency.p50Ms)} / ${ms(b.latency.p99Ms)}` : "—"), "p50 ≤ 10 ms"],
        ["one message p50, inference thread", (b) => ms(b.serving?.singleThroughThread?.p50Ms), ""],
        [
          "burst through the thread: predictions/s",
          (b) => (b.serving ? `${b.serving.burst.best.perSecond.toFixed(0)} (${b.serving.burst.questions} at once)` : "—"),
          "≥ 200/s",
        ],
      ] as [string, (b: any) => string, string][]
    ).map(([name, f, target]) => [name, ...backends.map((k) => f(r.byBackend[k])), target]),
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  console.log(rows.map((row) => row.map((cell, c) => cell.padEnd(widths[c])).join("  ")).join("\n"));
  console.log("\nnative over wasm (> 1: native better):", JSON.stringify(r.ratios));
}

runCli(main, USAGE);
