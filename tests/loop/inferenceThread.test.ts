import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadPredictor, trainModel, type Predictor } from "../../trainer/index.js";
import { startInferenceThread, type InferenceThread } from "../../server/bot/inference/index.js";
import { BASE_MODEL_DIR, miniSplit } from "../trainer/helpers.js";

// The chat server runs its models in a worker thread. It must answer exactly what the model library
// answers in-process, and survive the thread dying.
const { train, test: heldOut } = miniSplit();
let artifact: string;
let inProcess: Predictor;
let thread: InferenceThread;

before(async () => {
  artifact = join(await mkdtemp(join(tmpdir(), "inference-")), "v1");
  await trainModel({
    examples: train,
    outDir: artifact,
    baseModelDir: BASE_MODEL_DIR,
    method: "head",
    epochs: 2,
    seed: 5,
    cacheWorkers: 1,
  });
  inProcess = await loadPredictor(artifact, { baseModelDir: BASE_MODEL_DIR });
  thread = startInferenceThread({ baseModelDir: BASE_MODEL_DIR });
});
after(async () => {
  inProcess.dispose();
  await thread.close();
});

const sameAnswer = (a: { label: string; confidence: number }, b: { label: string; confidence: number }) => {
  assert.equal(a.label, b.label);
  assert.ok(Math.abs(a.confidence - b.confidence) < 1e-5, `${a.confidence} vs ${b.confidence}`);
};

test("predictions from the thread equal the in-process ones, concurrent calls included", async () => {
  const predictor = await thread.load(artifact);
  assert.deepEqual(predictor.labels, inProcess.labels);
  assert.equal(predictor.threshold, inProcess.threshold);
  const rows = heldOut.slice(0, 8);
  const fromThread = await Promise.all(rows.map((r, i) => predictor.predict(r.text, i % 2 ? "Anything else?" : null)));
  for (const [i, r] of rows.entries()) sameAnswer(fromThread[i], await inProcess.predict(r.text, i % 2 ? "Anything else?" : null));
  await predictor.dispose();
  await assert.rejects(Promise.resolve(predictor.predict("hello")), /disposed/);
});

test("when the thread dies, calls in flight fail and the next call reloads the version in a new thread", async () => {
  const predictor = await thread.load(artifact);
  const inFlight = Promise.resolve(predictor.predict(heldOut[0].text));
  await thread.restart();
  await inFlight.then(
    () => {}, // it may have finished before the thread was stopped
    (err: Error) => assert.match(err.message, /inference thread exited/),
  );
  sameAnswer(await predictor.predict(heldOut[1].text), await inProcess.predict(heldOut[1].text));
});

test("a missing artifact is a clear error from the thread, and the thread keeps serving", async () => {
  await assert.rejects(thread.load(join(artifact, "..", "no-such-version")), (err: Error) => err.message.length > 0);
  const predictor = await thread.load(artifact);
  sameAnswer(await predictor.predict(heldOut[2].text), await inProcess.predict(heldOut[2].text));
});

test("after close, calls fail with a clear error instead of hanging", async () => {
  const own = startInferenceThread({ baseModelDir: BASE_MODEL_DIR });
  const predictor = await own.load(artifact);
  await own.close();
  await assert.rejects(Promise.resolve(predictor.predict("hello")), /closed/);
});
