import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadPredictor, trainModel, type Predictor } from "../../trainer/index.js";
import { createBatcher } from "../../server/bot/inference/batcher.js";
import { startInferenceThread } from "../../server/bot/inference/index.js";
import { BASE_MODEL_DIR, miniSplit } from "../trainer/helpers.js";

// The inference thread scores the questions that arrive while a forward pass runs together in the next pass.
// Batched or not, every question must get exactly its own prediction.
const { train, test: heldOut } = miniSplit();
let artifact: string;
let predictor: Predictor;

before(async () => {
  artifact = join(await mkdtemp(join(tmpdir(), "batching-")), "v1");
  await trainModel({
    examples: train,
    outDir: artifact,
    baseModelDir: BASE_MODEL_DIR,
    method: "head",
    epochs: 2,
    seed: 3,
    cacheWorkers: 1,
  });
  predictor = await loadPredictor(artifact, { baseModelDir: BASE_MODEL_DIR });
});
after(() => predictor.dispose());

const questions = () => heldOut.map((r, i) => ({ text: r.text, previousTurn: i % 3 ? null : "Anything else?" }));
const next = () => new Promise((resolve) => setImmediate(resolve));

function sameAnswer(a: { label: string; confidence: number }, b: { label: string; confidence: number }, what: string) {
  assert.equal(a.label, b.label, what);
  assert.ok(Math.abs(a.confidence - b.confidence) < 1e-5, `${what}: ${a.confidence} vs ${b.confidence}`);
}

test("questions arriving during a pass are scored together in the next one, up to maxBatch, each with its own prediction", async () => {
  const sizes: number[] = [];
  const predict = createBatcher(
    (items: { text: string; previousTurn: string | null }[]) => {
      sizes.push(items.length);
      return predictor.predictBatch(items);
    },
    { maxBatch: 16, maxWaitMs: 0 },
  );
  const qs = questions();
  assert.ok(qs.length >= 25, "enough held-out rows for two full batches");
  const first = predict(qs[0]);
  await next(); // the first pass has started on its own
  const rest = qs.slice(1).map((q) => predict(q));
  const got = await Promise.all([first, ...rest]);
  assert.deepEqual(sizes, [1, 16, qs.length - 17]);
  for (const [i, q] of qs.entries()) sameAnswer(got[i], await predictor.predict(q.text, q.previousTurn), `question ${i}`);
});

test("with maxWaitMs an idle batcher holds the first question for the ones right behind it", async () => {
  const sizes: number[] = [];
  const predict = createBatcher(
    (items: { text: string; previousTurn: string | null }[]) => {
      sizes.push(items.length);
      return predictor.predictBatch(items);
    },
    { maxBatch: 64, maxWaitMs: 30 },
  );
  const [a, b] = questions();
  const first = predict(a);
  await new Promise((resolve) => setTimeout(resolve, 2));
  await Promise.all([first, predict(b)]);
  assert.deepEqual(sizes, [2]);
});

test("a failing pass fails only its own questions; the next pass answers", async () => {
  let passes = 0;
  const predict = createBatcher(
    async (items: { text: string; previousTurn: string | null }[]) => {
      if (passes++ === 0) throw new Error("the model failed");
      return predictor.predictBatch(items);
    },
    { maxBatch: 8, maxWaitMs: 0 },
  );
  const [a, b] = questions();
  const failed = assert.rejects(predict(a), /the model failed/);
  await next();
  const answered = predict(b);
  await failed;
  sameAnswer(await answered, await predictor.predict(b.text, b.previousTurn), "after the failure");
});

test("200 questions at once through the inference thread: every answer equals the in-process one", async () => {
  const thread = startInferenceThread({ baseModelDir: BASE_MODEL_DIR });
  try {
    const remote = await thread.load(artifact);
    const qs = Array.from({ length: 200 }, (_, i) => questions()[i % questions().length]);
    const got = await Promise.all(qs.map((q) => remote.predict(q.text, q.previousTurn)));
    const expected = await predictor.predictBatch(qs);
    for (const [i, p] of got.entries()) sameAnswer(p, expected[i], `question ${i}`);
    await assert.rejects(Promise.resolve(remote.predict(42 as unknown as string)), /text must be a string/);
    sameAnswer(await remote.predict(qs[0].text, qs[0].previousTurn), expected[0], "after a malformed call");
  } finally {
    await thread.close();
  }
});
