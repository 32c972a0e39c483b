/**
 * Encoder latency on this machine: node --import tsx trainer/model/perf.ts [--runs 50]
 * Prints p50/p90 of a 1-message forward, a 32-question BANKING77 batch, and a train step of the top two layers
 * on cached layer-4 outputs (forward + backward + Adam update), as JSON. Wall time inflates when other processes
 * share the cores, so it also reports this process's CPU time per call (p50) and the load average.
 */
import { loadavg } from "node:os";
import { readFileSync } from "node:fs";
import * as tf from "@tensorflow/tfjs";
import {
  createTopLayers,
  embeddings,
  encodeBatch,
  forward,
  initBackend,
  loadBaseModel,
  meanPool,
  runLayers,
  trainableVariables,
} from "./index.js";
import { disposeBatch } from "./encodeBatch.js";

const runs = Number(process.argv[process.argv.indexOf("--runs") + 1] || 50) || 50;
const dir = process.env.BASE_MODEL_DIR ?? ".local/models/all-MiniLM-L6-v2";
const csv = process.env.BANKING77_CSV ?? new URL("../../bench/data/banking77/train.csv", import.meta.url).pathname;

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
}

interface Timing {
  p50: number;
  p90: number;
  min: number;
  cpuP50: number;
}

async function time(n: number, warmup: number, fn: () => Promise<void>): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await fn();
  const ms: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
    const used = process.cpuUsage(c);
    cpu.push((used.user + used.system) / 1000);
  }
  const r = (x: number) => +x.toFixed(1);
  return { p50: r(percentile(ms, 0.5)), p90: r(percentile(ms, 0.9)), min: r(percentile(ms, 0)), cpuP50: r(percentile(cpu, 0.5)) };
}

function bankingQuestions(n: number): string[] {
  const lines = readFileSync(csv, "utf8").split("\n").slice(1).filter(Boolean);
  // first column, CSV-quoted when it contains a comma
  const texts = lines.map((l) => (l.startsWith('"') ? l.slice(1, l.lastIndexOf('"')).replace(/""/g, '"') : l.slice(0, l.lastIndexOf(","))));
  const step = Math.floor(texts.length / n);
  return Array.from({ length: n }, (_, i) => texts[i * step]);
}

const backend = await initBackend();
const model = await loadBaseModel(dir);
const one = ["My card still has not arrived, what should I do?"];
const batch32 = bankingQuestions(32);

async function infer(texts: string[]): Promise<void> {
  const b = encodeBatch(model, texts);
  const out = forward(model, b);
  await out.data();
  out.dispose();
  disposeBatch(b);
}

const single = await time(runs, 5, () => infer(one));
const batch = await time(Math.max(5, Math.round(runs / 5)), 2, () => infer(batch32));

// Train step: layers 4..5 trainable, layers 0..3 cached once; loss = MSE of pooled output to a fixed target.
const b = encodeBatch(model, batch32);
const cached = tf.tidy(() => runLayers(model, embeddings(model, b), b.mask, 0, 4));
const top = createTopLayers(model, [4, 5]);
const target = tf.tidy(() => tf.randomNormal([32, model.config.hiddenSize], 0, 0.05, "float32", 1));
const optimizer = tf.train.adam(1e-5);
const step = await time(5, 1, async () => {
  const loss = optimizer.minimize(
    () => tf.mean(tf.square(tf.sub(meanPool(runLayers(model, cached, b.mask, 4, 6, top), b.mask), target))) as tf.Scalar,
    true,
    trainableVariables(top),
  );
  await loss!.data();
  loss!.dispose();
});
const seqLen32 = b.ids.shape[1];
console.log(
  JSON.stringify(
    {
      backend,
      loadAverage1m: +loadavg()[0].toFixed(2),
      oneMessageMs: single,
      batch32Ms: batch,
      batch32SeqLen: seqLen32,
      trainTop2On32Ms: step,
      numTensors: tf.memory().numTensors,
    },
    null,
    1,
  ),
);
