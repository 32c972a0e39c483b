import { test, before } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import {
  embed,
  embeddings,
  encodeBatch,
  forward,
  initBackend,
  loadBaseModel,
  meanPool,
  runLayers,
  type BaseModel,
} from "../../trainer/model/index.js";
import { cosine } from "../helpers/vectors.js";

const MODEL_DIR = process.env.BASE_MODEL_DIR ?? ".local/models/all-MiniLM-L6-v2";
const FIXTURES = "tests/fixtures/encoder";

interface Sentence {
  text: string;
  pair?: string | null;
}
interface Reference {
  ids: number[];
  typeIds: number[];
  embedding: number[];
}
const sentences: Sentence[] = JSON.parse(readFileSync(path.join(FIXTURES, "sentences.json"), "utf8"));
const reference: Reference[] = JSON.parse(readFileSync(path.join(FIXTURES, "reference.json"), "utf8")).sentences;

let model: BaseModel;
before(async () => {
  await initBackend();
  model = await loadBaseModel(MODEL_DIR);
});

test("initBackend defaults to the native backend where its binding loads, else wasm; it rejects unknown or unavailable backends", async () => {
  const nativeLoads = await Promise.any(["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"].map((pkg) => import(pkg))).then(
    () => true,
    () => false,
  );
  const expected = process.env.TFJS_BACKEND ?? (nativeLoads ? "tensorflow" : "wasm");
  // CI builds the binding in its set-up (.ci/run): there the default must be native, or the set-up broke.
  if (process.env.CI && !process.env.TFJS_BACKEND && process.env.TFJS_NATIVE !== "off")
    assert.ok(nativeLoads, "the native binding does not load: run npm run setup");
  assert.equal(await initBackend(), expected);
  assert.equal(tf.getBackend(), expected);
  await assert.rejects(initBackend("tpu" as "wasm"), /unknown TensorFlow\.js backend 'tpu'/);
  if (!nativeLoads) {
    await assert.rejects(initBackend("tensorflow"), /needs @tensorflow\/tfjs-node-gpu or @tensorflow\/tfjs-node installed/);
  }
  assert.equal(tf.getBackend(), expected, "a failed switch leaves the backend as it was");
});

test("fixtures cover every sentence", () => {
  assert.equal(reference.length, sentences.length);
  assert.ok(sentences.length >= 50);
});

test("token ids and type ids equal the Hugging Face tokenizer for every fixture sentence", () => {
  for (const [i, s] of sentences.entries()) {
    const e = model.tokenizer.encode(s.text, { pair: s.pair ?? null, maxLength: 128 });
    assert.deepEqual(e.ids, reference[i].ids, `ids of sentence ${i}: ${JSON.stringify(s.text).slice(0, 80)}`);
    assert.deepEqual(e.typeIds, reference[i].typeIds, `type ids of sentence ${i}`);
  }
});

test("every sentence embedding has cosine ≥ 0.999 to the independent numpy reference", async () => {
  const out = await embed(
    model,
    sentences.map((s) => s.text),
    { pairs: sentences.map((s) => s.pair ?? null), batchSize: 16 },
  );
  assert.equal(out.length, sentences.length);
  for (const [i, e] of out.entries()) {
    assert.equal(e.length, 384);
    const c = cosine(e, reference[i].embedding);
    assert.ok(c >= 0.999, `sentence ${i} cosine ${c.toFixed(6)}: ${JSON.stringify(sentences[i].text).slice(0, 80)}`);
    let norm = 0;
    for (const v of e) norm += v * v;
    assert.ok(Math.abs(Math.sqrt(norm) - 1) < 1e-4, "embeddings are L2-normalised (the model has a Normalize module)");
  }
});

test("padding in a batch does not change a sentence embedding", async () => {
  const texts = ["card", "My card still has not arrived after two weeks, what should I do now?"];
  const [alone] = await embed(model, [texts[0]]);
  const [inBatch] = await embed(model, texts, { batchSize: 2 });
  assert.ok(cosine(alone, inBatch) > 0.99999);
  assert.ok(Math.abs(alone[0] - inBatch[0]) < 1e-4);
});

test("running layers [0, 4) then [4, 6) equals the full forward pass (cacheable lower layers)", () => {
  const batch = encodeBatch(model, ["Why was I charged twice?", "top up failed"], { pairs: [null, "Which card did you use?"] });
  assert.deepEqual(batch.ids.shape, [2, 12], "padded to the longest in the batch");
  const [full, split] = tf.tidy(() => {
    const h0 = embeddings(model, batch);
    const lower = runLayers(model, h0, batch.mask, 0, 4);
    return [forward(model, batch), meanPool(runLayers(model, lower, batch.mask, 4, 6), batch.mask)];
  });
  const d = tf.tidy(() => tf.max(tf.abs(tf.sub(full, split))).dataSync()[0]);
  assert.ok(d < 1e-5, `max difference ${d}`);
  tf.dispose([full, split, batch.ids, batch.typeIds, batch.mask]);
});

test("runLayers rejects bad ranges and mismatched masks", () => {
  const batch = encodeBatch(model, ["hello"]);
  const h = embeddings(model, batch);
  assert.throws(() => runLayers(model, h, batch.mask, 4, 7), /need 0 ≤ from ≤ to ≤ 6, got from=4 to=7/);
  assert.throws(() => runLayers(model, h, tf.ones([1, 9], "int32") as tf.Tensor2D, 0, 1), /mask shape \[1,9\] does not match/);
  tf.dispose([h, batch.ids, batch.typeIds, batch.mask]);
});

test("inference does not leak tensors", async () => {
  await embed(model, ["warm up"]);
  const before = tf.memory().numTensors;
  await embed(model, ["one", "two three", "four five six"], { batchSize: 2 });
  assert.equal(tf.memory().numTensors, before);
});

test("loadBaseModel: missing folder or files say how to get the model", async () => {
  await assert.rejects(loadBaseModel("/nonexistent/model"), /does not exist: run `npm run setup` or set BASE_MODEL_DIR/);
  const dir = mkdtempSync(path.join(tmpdir(), "base-"));
  await assert.rejects(loadBaseModel(dir), /has no config\.json: run `npm run setup` or set BASE_MODEL_DIR/);
  for (const f of ["config.json", "vocab.txt"]) copyFileSync(path.join(MODEL_DIR, f), path.join(dir, f));
  await assert.rejects(loadBaseModel(dir), /has no model\.safetensors: run `npm run setup`/);
  writeFileSync(path.join(dir, "pytorch_model.bin"), "x");
  await assert.rejects(loadBaseModel(dir), /unsupported format \(pytorch_model\.bin\); only model\.safetensors is read/);
});
