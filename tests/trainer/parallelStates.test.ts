import { test } from "node:test";
import assert from "node:assert/strict";
import { sharedBaseModel } from "../../trainer/baseModels.js";
import { baseStates } from "../../trainer/train/features.js";
import * as tf from "@tensorflow/tfjs";
import { parallelBaseStates, usesHelperProcess } from "../../trainer/train/parallelStates.js";
import { BASE_MODEL_DIR, miniSplit } from "./helpers.js";

test("caching with a helper process gives the same states, in input order, as one process", async () => {
  const base = await sharedBaseModel(BASE_MODEL_DIR);
  const inputs = miniSplit()
    .train.slice(0, 16)
    .map((e, i) => ({ text: e.text, previousTurn: i % 3 ? null : "Hi, how can I help?" }));
  const single = await baseStates(base, inputs, { toLayer: 2, pool: false });
  const progress: number[] = [];
  const parallel = await parallelBaseStates(base, inputs, {
    toLayer: 2,
    pool: false,
    workers: 2,
    minInputsForHelper: 1,
    onProgress: (d) => progress.push(d),
  });
  assert.equal(parallel.length, inputs.length);
  for (let i = 0; i < inputs.length; i++) {
    assert.equal(parallel[i].length, single[i].length, `input ${i} length`);
    const maxDiff = parallel[i].reduce((m, v, k) => Math.max(m, Math.abs(v - single[i][k])), 0);
    assert.ok(maxDiff < 1e-3, `input ${i} differs by ${maxDiff}`);
  }
  assert.equal(Math.max(...progress), inputs.length);
});

test("the helper process is for wasm only: on the native backend, TensorFlow threads one process across the cores", async () => {
  await sharedBaseModel(BASE_MODEL_DIR);
  const native = tf.getBackend() === "tensorflow";
  assert.equal(usesHelperProcess(2, 1000), !native);
  assert.equal(usesHelperProcess(1, 1000), false);
  assert.equal(usesHelperProcess(2, 10), false);
});
