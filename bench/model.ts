// BANKING77 benchmark of the model library (not a test): `npm run bench:model -- [--only full|fewshot|latency]`.
// Data: Casanueva et al. 2020, "Efficient Intent Detection with Dual Sentence Encoders" (CC BY 4.0).
import { readFile, mkdir, rename, writeFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { importCsv } from '../trainer/data/index.js';
import {
  accuracy, coverageAtPrecision, expectedCalibrationError, loadPredictor, macroF1, trainModel, verifyArtifact,
  type TrainExample, type TrainOptions,
} from '../trainer/index.js';
import { baseModelDirFrom, numberFlag, parseArgs, runCli, UsageError } from '../trainer/cli/args.js';
import { sharedBaseModel } from '../trainer/baseModels.js';
import { parallelBaseStates } from '../trainer/train/parallelStates.js';
import { logitsFromStates, argmax } from '../trainer/train/scoring.js';
import { softmax } from '../trainer/train/calibration.js';
import { loadVersionWeights } from '../trainer/versionWeights.js';
import { seededRandom, shuffleInPlace } from '../trainer/train/random.js';
import type { BackendName } from '../trainer/model/index.js';
import * as tf from '@tensorflow/tfjs';

const DATA_DIR = process.env.BANKING77_DIR ?? join(import.meta.dirname, 'data/banking77');
const RESULTS = 'bench/results/model.json';
const ARTIFACTS = '.local/bench-artifacts';
const USAGE = `usage: npm run bench:model -- [--only full|fewshot|latency] [--backend wasm|cpu] [--method head|lora|full]
  [--top-layers N] [--epochs N] [--seeds N] [--data-dir ${DATA_DIR}] [--base dir]`;

interface Scores { accuracy: number; macroF1: number; coverageAt95: number; coverageAt97: number; ece: number }

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
    const parts = [label, p.phase, p.epoch && `epoch ${p.epoch}`, p.steps && `${p.step}/${p.steps}`, p.loss !== undefined && `loss ${p.loss.toFixed(3)}`,
      p.valAccuracy !== undefined && `val ${(p.valAccuracy * 100).toFixed(1)}%`, p.message];
    console.error(parts.filter(Boolean).join(' · '));
  };
}

async function runFull(train: TrainExample[], test: TrainExample[], common: Partial<TrainOptions> & { baseModelDir: string }) {
  const outDir = join(ARTIFACTS, 'full');
  await mkdir(ARTIFACTS, { recursive: true });
  const t0 = Date.now();
  const { manifest } = await trainModel({ ...common, examples: train, outDir }, progressPrinter('full'));
  const fineTuneSeconds = (Date.now() - t0) / 1000;
  const predictor = await loadPredictor(outDir, { baseModelDir: common.baseModelDir, backend: common.backend });
  const t1 = Date.now();
  const preds = await predictor.predictBatch(test);
  const testSeconds = (Date.now() - t1) / 1000;
  predictor.dispose();
  const s = score(test.map((e) => e.label), preds.map((p) => p.label), preds.map((p) => p.confidence));
  const answered = preds.filter((p) => p.confident);
  return {
    ...s,
    fineTuneMinutes: fineTuneSeconds / 60,
    cacheSeconds: manifest.metrics.cacheSeconds,
    testPredictSeconds: testSeconds,
    thresholdFromValidation: manifest.threshold,
    testCoverageAtThreshold: answered.length / preds.length,
    testPrecisionAtThreshold: answered.length ? answered.filter((p, i) => p.label === test[preds.indexOf(p)].label).length / answered.length : 0,
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
  train: TrainExample[], test: TrainExample[], common: Partial<TrainOptions> & { baseModelDir: string }, seeds: number,
  onSeed: (summary: ReturnType<typeof summarize>) => Promise<void>,
) {
  const base = await sharedBaseModel(common.baseModelDir, common.backend);
  let testStates: { fromLayer: number; states: Float32Array[] } | null = null;
  const runs: (Scores & { seed: number; fineTuneSeconds: number })[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    const outDir = join(tmpdir(), `bench-fewshot-${process.pid}-${seed}`);
    const t0 = Date.now();
    const { manifest } = await trainModel({ ...common, examples: tenShot(train, seed), outDir, seed }, progressPrinter(`10-shot seed ${seed}`));
    const fineTuneSeconds = (Date.now() - t0) / 1000;
    const fromLayer = base.config.numLayers - manifest.trainedLayers.length;
    if (!testStates || testStates.fromLayer !== fromLayer) {
      testStates = { fromLayer, states: await parallelBaseStates(base, test, { toLayer: fromLayer, pool: manifest.method === 'head', workers: 2, backend: common.backend }) };
    }
    const { overrides, prototypes } = loadVersionWeights(outDir, base, await verifyArtifact(outDir));
    const protoTensor = tf.tensor2d(prototypes.data, prototypes.shape as [number, number]);
    const logits = await logitsFromStates(base, testStates.states, fromLayer, overrides, protoTensor, Number(manifest.hyperParameters.logitScale));
    protoTensor.dispose();
    if (overrides) (await import('../trainer/model/index.js')).disposeOverrides(overrides);
    const probs = logits.map((l) => softmax(l, manifest.calibrationTemperature));
    const predicted = probs.map((p) => manifest.labels[argmax(p)]);
    const s = score(test.map((e) => e.label), predicted, probs.map((p) => Math.max(...p)));
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
    seeds: runs.length, accuracy: mean('accuracy'), macroF1: mean('macroF1'), coverageAt95: mean('coverageAt95'),
    meanFineTuneSeconds: runs.reduce((n, r) => n + r.fineTuneSeconds, 0) / runs.length, runs,
  };
}

async function runLatency(common: { baseModelDir: string; backend?: BackendName }, fallbackTrain: TrainExample[]) {
  let dir = join(ARTIFACTS, 'full');
  if (!existsSync(join(dir, 'manifest.json'))) {
    dir = join(ARTIFACTS, 'latency');
    await trainModel({ ...common, examples: tenShot(fallbackTrain, 1), outDir: dir, method: 'head' });
  }
  const predictor = await loadPredictor(dir, common);
  const message = 'I am still waiting on my card, when will it arrive?';
  for (let i = 0; i < 10; i++) await predictor.predict(message);
  const times: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t0 = performance.now();
    await predictor.predict(message, i % 2 ? 'Hello! How can I help?' : null);
    times.push(performance.now() - t0);
  }
  predictor.dispose();
  times.sort((a, b) => a - b);
  return { artifact: dir, runs: times.length, p50Ms: times[Math.floor(times.length * 0.5)], p99Ms: times[Math.floor(times.length * 0.99)] };
}

async function loadSplit(dir: string, name: string): Promise<TrainExample[]> {
  const path = join(dir, name);
  if (!existsSync(path)) throw new UsageError(`${path} not found (pass --data-dir)`);
  return importCsv(await readFile(path, 'utf8'));
}

async function main(): Promise<void> {
  const { flags } = parseArgs(process.argv.slice(2), ['only', 'backend', 'method', 'top-layers', 'epochs', 'seeds', 'data-dir', 'base', 'max-minutes']);
  const only = flags.only;
  if (only && !['full', 'fewshot', 'latency'].includes(only)) throw new UsageError(`--only must be full, fewshot or latency, got "${only}"`);
  const method = flags.method as TrainOptions['method'];
  if (method && !['head', 'lora', 'full'].includes(method)) throw new UsageError(`--method must be head, lora or full`);
  const common = {
    baseModelDir: baseModelDirFrom(flags),
    backend: flags.backend as BackendName | undefined,
    method,
    topLayers: numberFlag(flags, 'top-layers', { integer: true, min: 1 }),
    epochs: numberFlag(flags, 'epochs', { integer: true, min: 1 }),
    maxMinutes: numberFlag(flags, 'max-minutes', { min: 0.1 }),
  };
  const dataDir = flags['data-dir'] ?? DATA_DIR;
  const [train, test] = [await loadSplit(dataDir, 'train.csv'), await loadSplit(dataDir, 'test.csv')];
  // Parts may run as separate invocations (even at once): each save re-reads the file and replaces only its own keys.
  const results: Record<string, unknown> = {};
  results.dataset = { name: 'BANKING77', citation: 'Casanueva et al. 2020, CC BY 4.0', train: train.length, test: test.length, intents: new Set(train.map((e) => e.label)).size };
  results.machine = { cores: (await import('node:os')).cpus().length, node: process.version, backend: common.backend ?? process.env.TFJS_BACKEND ?? 'wasm' };
  const save = async () => {
    const onDisk: Record<string, any> = existsSync(RESULTS) ? JSON.parse(await readFile(RESULTS, 'utf8')) : {};
    const rss = { ...(onDisk.peakRssMiB ?? {}), [only ?? 'all']: peakRssMiB() };
    Object.assign(onDisk, results, { peakRssMiB: rss, updatedAt: new Date().toISOString() });
    await mkdir('bench/results', { recursive: true });
    await writeFile(`${RESULTS}.${process.pid}.tmp`, JSON.stringify(onDisk, null, 2) + '\n');
    await rename(`${RESULTS}.${process.pid}.tmp`, RESULTS);
    Object.assign(results, onDisk);
  };
  if (!only || only === 'full') { results.full = await runFull(train, test, common); await save(); }
  if (!only || only === 'fewshot') {
    const seeds = numberFlag(flags, 'seeds', { integer: true, min: 1 }) ?? 5;
    await runFewShot(train, test, common, seeds, async (summary) => { results.fewShot10 = summary; await save(); });
  }
  if (!only || only === 'latency') { results.latency = await runLatency(common, train); await save(); }
  printTable(results);
}

function printTable(r: Record<string, any>): void {
  const pct = (x?: number) => (x === undefined ? '—' : `${(x * 100).toFixed(2)} %`);
  const rows: [string, string, string][] = [
    ['full data: test accuracy', pct(r.full?.accuracy), '≥ 92.0 % (stretch 94 %)'],
    ['full data: test macro-F1', pct(r.full?.macroF1), ''],
    ['full data: coverage @ 95 % precision', pct(r.full?.coverageAt95), ''],
    ['full data: coverage @ 97 % precision', pct(r.full?.coverageAt97), ''],
    ['full data: fine-tune wall time', r.full ? `${r.full.fineTuneMinutes.toFixed(1)} min` : '—', '≤ 60 min (stretch 5 min)'],
    ['10-shot: mean accuracy', r.fewShot10 ? `${pct(r.fewShot10.accuracy)} (${r.fewShot10.seeds} seeds)` : '—', '≥ 84 % (stretch 88 %)'],
    ['10-shot: mean macro-F1', pct(r.fewShot10?.macroF1), ''],
    ['inference p50 / p99, one message', r.latency ? `${r.latency.p50Ms.toFixed(1)} / ${r.latency.p99Ms.toFixed(1)} ms` : '—', 'p50 ≤ 60 ms (stretch 10 ms)'],
    ...Object.entries(r.peakRssMiB ?? {}).map(([part, mib]) => [`peak RSS, --only ${part} (main process)`, `${mib} MiB`, ''] as [string, string, string]),
  ];
  const w0 = Math.max(...rows.map((x) => x[0].length));
  const w1 = Math.max(...rows.map((x) => x[1].length));
  console.log(rows.map(([a, b, c]) => `${a.padEnd(w0)}  ${b.padEnd(w1)}  ${c}`).join('\n'));
}

runCli(main, USAGE);
