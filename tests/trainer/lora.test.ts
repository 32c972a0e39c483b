import { test, before } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import {
  createLora,
  createTopLayers,
  disposeOverrides,
  embeddings,
  encodeBatch,
  getTrainableWeights,
  initBackend,
  loadBaseModel,
  meanPool,
  mergeLora,
  runLayers,
  setTrainableWeights,
  trainableVariables,
  writeSafetensors,
  readSafetensors,
  type BaseModel,
  type LayerOverrides,
  type TensorData,
} from "../../trainer/model/index.js";

const H = 8,
  HEADS = 2,
  LAYERS = 3,
  FF = 16;
const VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "my", "card", "is", "late", "top", "up", "failed", "?"];

/** Writes a tiny random BERT in Hugging Face layout, so loading goes through the real loader. */
function writeTinyModel(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "tiny-bert-"));
  writeFileSync(
    path.join(dir, "config.json"),
    JSON.stringify({
      model_type: "bert",
      hidden_size: H,
      num_hidden_layers: LAYERS,
      num_attention_heads: HEADS,
      intermediate_size: FF,
      vocab_size: VOCAB.length,
      max_position_embeddings: 16,
      type_vocab_size: 2,
      layer_norm_eps: 1e-12,
      hidden_act: "gelu",
    }),
  );
  writeFileSync(path.join(dir, "vocab.txt"), VOCAB.join("\n") + "\n");
  let seed = 7;
  const rand = (n: number, scale = 0.5) =>
    Float32Array.from({ length: n }, () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return (seed / 2 ** 31 - 0.5) * 2 * scale;
    });
  const t: Record<string, TensorData> = {};
  const add = (name: string, shape: number[], fill?: number) => {
    const n = shape.reduce((a, b) => a * b, 1);
    t[name] = { shape, data: fill === undefined ? rand(n) : new Float32Array(n).fill(fill) };
  };
  add("embeddings.word_embeddings.weight", [VOCAB.length, H]);
  add("embeddings.position_embeddings.weight", [16, H]);
  add("embeddings.token_type_embeddings.weight", [2, H]);
  add("embeddings.LayerNorm.weight", [H], 1);
  add("embeddings.LayerNorm.bias", [H], 0);
  for (let i = 0; i < LAYERS; i++) {
    const p = `encoder.layer.${i}.`;
    for (const n of ["query", "key", "value"]) {
      add(`${p}attention.self.${n}.weight`, [H, H]);
      add(`${p}attention.self.${n}.bias`, [H]);
    }
    add(`${p}attention.output.dense.weight`, [H, H]);
    add(`${p}attention.output.dense.bias`, [H]);
    add(`${p}attention.output.LayerNorm.weight`, [H]);
    add(`${p}attention.output.LayerNorm.bias`, [H]);
    add(`${p}intermediate.dense.weight`, [FF, H]);
    add(`${p}intermediate.dense.bias`, [FF]);
    add(`${p}output.dense.weight`, [H, FF]);
    add(`${p}output.dense.bias`, [H]);
    add(`${p}output.LayerNorm.weight`, [H]);
    add(`${p}output.LayerNorm.bias`, [H]);
  }
  writeSafetensors(path.join(dir, "model.safetensors"), t);
  return dir;
}

let model: BaseModel;
before(async () => {
  await initBackend();
  model = await loadBaseModel(writeTinyModel());
});

const TEXTS = ["my card is late", "top up failed?"];

/** Layers [1, 3) on the layer-1 input of TEXTS, as plain numbers. */
function top(overrides?: LayerOverrides): Float32Array {
  return tf.tidy(() => {
    const b = encodeBatch(model, TEXTS);
    const h1 = runLayers(model, embeddings(model, b), b.mask, 0, 1);
    return runLayers(model, h1, b.mask, 1, 3, overrides).dataSync() as Float32Array;
  });
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
}

function randomizeB(lora: ReturnType<typeof createLora>, seed: number): void {
  for (const layer of lora.layers.values())
    for (const ab of Object.values(layer)) {
      tf.tidy(() => ab!.B.assign(tf.randomNormal(ab!.B.shape, 0, 0.5, "float32", seed++)));
    }
}

test("a fresh adapter has B = 0, so it leaves the output unchanged", () => {
  const lora = createLora(model, { rank: 2, alpha: 4, targets: ["q", "v"], layers: [1, 2], seed: 1 });
  assert.equal(lora.scale, 2);
  for (const layer of lora.layers.values()) {
    assert.deepEqual(Object.keys(layer).sort(), ["q", "v"]);
    assert.ok(layer.q!.B.dataSync().every((v) => v === 0));
    assert.ok(layer.q!.A.dataSync().some((v) => v !== 0));
  }
  assert.equal(maxDiff(top(lora), top()), 0);
  disposeOverrides(lora);
});

test("merged weights are W + (alpha/rank)·A·B in the right columns, and compute the same as the adapter", () => {
  const lora = createLora(model, { rank: 3, alpha: 6, targets: ["q", "v", "o"], layers: [2], seed: 2 });
  randomizeB(lora, 10);
  const merged = mergeLora(model, lora);
  const base = model.weights.layers[2];
  const W = base.qkvW.arraySync();
  const Wm = merged.layers.get(2)!.qkvW.arraySync();
  const O = base.oW.arraySync();
  const Om = merged.layers.get(2)!.oW.arraySync();
  const ab = (t: "q" | "v" | "o") => {
    const A = lora.layers.get(2)![t]!.A.arraySync() as number[][];
    const B = lora.layers.get(2)![t]!.B.arraySync() as number[][];
    return (i: number, j: number) => A[i].reduce((s, a, r) => s + a * B[r][j], 0);
  };
  const [dq, dv, dO] = [ab("q"), ab("v"), ab("o")];
  for (let i = 0; i < H; i++)
    for (let j = 0; j < H; j++) {
      assert.ok(Math.abs(Wm[i][j] - (W[i][j] + 2 * dq(i, j))) < 1e-5, "q columns");
      assert.equal(Wm[i][H + j], W[i][H + j], "k columns untouched");
      assert.ok(Math.abs(Wm[i][2 * H + j] - (W[i][2 * H + j] + 2 * dv(i, j))) < 1e-5, "v columns");
      assert.ok(Math.abs(Om[i][j] - (O[i][j] + 2 * dO(i, j))) < 1e-5, "output projection");
    }
  const withAdapter = top(lora);
  assert.ok(maxDiff(withAdapter, top()) > 1e-3, "the adapter changes the output");
  assert.ok(maxDiff(withAdapter, top(merged)) < 1e-4, "merged weights compute what the adapter computes");
  assert.equal(merged.layers.has(1), false, "layers without adapters stay on the base");
  disposeOverrides(merged);
  disposeOverrides(lora);
  assert.ok(base.qkvW.dataSync().length > 0, "disposing a fine-tuned version keeps the base alive");
});

test("LoRA on top-layer copies merges onto those copies", () => {
  const copies = createTopLayers(model, [2]);
  const bias = copies.layers.get(2)!.ffOutB as unknown as tf.Variable;
  tf.tidy(() => bias.assign(tf.onesLike(bias)));
  const lora = createLora(model, { rank: 2, alpha: 2, targets: ["k"], layers: [2], seed: 3 });
  randomizeB(lora, 20);
  assert.ok(maxDiff(top([copies, lora]), top(mergeLora(model, lora, copies))) < 1e-4);
  disposeOverrides([copies, lora]);
});

test("training the top layers moves only their copies; the shared base stays as loaded", async () => {
  const before = model.weights.layers[2].ffInW.dataSync().slice();
  const copies = createTopLayers(model, [1, 2]);
  const lora = createLora(model, { rank: 2, alpha: 4, targets: ["q", "k", "v", "o"], layers: [2], seed: 4 });
  const vars = trainableVariables([copies, lora]);
  assert.equal(vars.length, 2 * 12 + 4 * 2);
  const b = encodeBatch(model, TEXTS);
  const h1 = tf.tidy(() => runLayers(model, embeddings(model, b), b.mask, 0, 1));
  const target = tf.tensor2d([
    [1, 0, 0, 0, 0, 0, 0, 0],
    [0, 1, 0, 0, 0, 0, 0, 0],
  ]);
  const opt = tf.train.adam(0.02);
  const lossOf = () =>
    tf.losses.meanSquaredError(target, meanPool(runLayers(model, h1, b.mask, 1, 3, [copies, lora]), b.mask)) as tf.Scalar;
  const first = tf.tidy(() => lossOf().dataSync()[0]);
  for (let i = 0; i < 30; i++) opt.minimize(lossOf, true, vars)?.dispose();
  const last = tf.tidy(() => lossOf().dataSync()[0]);
  assert.ok(last < first * 0.8, `loss ${first} → ${last}`);
  assert.ok(
    lora.layers
      .get(2)!
      .v!.B.dataSync()
      .some((v) => v !== 0),
    "B is trained",
  );
  assert.deepEqual(model.weights.layers[2].ffInW.dataSync(), before);
  assert.ok(maxDiff(copies.layers.get(2)!.ffInW.dataSync() as Float32Array, before as Float32Array) > 0);

  // save with the safetensors writer, load into a fresh version, get the same outputs
  const file = path.join(mkdtempSync(path.join(tmpdir(), "ft-")), "adapter.safetensors");
  writeSafetensors(file, getTrainableWeights([copies, lora]));
  const copies2 = createTopLayers(model, [1, 2]);
  const lora2 = createLora(model, { rank: 2, alpha: 4, targets: ["q", "k", "v", "o"], layers: [2], seed: 99 });
  setTrainableWeights([copies2, lora2], readSafetensors(file).tensors);
  assert.ok(maxDiff(top([copies, lora]), top([copies2, lora2])) < 1e-6);
  assert.ok("lora.layer.2.q.A" in getTrainableWeights(lora) && "layer.1.qkvW" in getTrainableWeights(copies));
  tf.dispose([h1, target, b.ids, b.mask, b.typeIds]);
  opt.dispose();
  disposeOverrides([copies, lora, copies2, lora2]);
});

test("setTrainableWeights refuses names or shapes that do not match", () => {
  const lora = createLora(model, { rank: 2, alpha: 4, targets: ["q"], layers: [1], seed: 5 });
  const w = getTrainableWeights(lora);
  assert.throws(() => setTrainableWeights(lora, {}), /missing lora\.layer\.1\.q\.A, lora\.layer\.1\.q\.B/);
  assert.throws(() => setTrainableWeights(lora, { ...w, extra: w["lora.layer.1.q.A"] }), /unexpected extra/);
  const bad = { ...w, "lora.layer.1.q.A": { shape: [2, H], data: w["lora.layer.1.q.A"].data } };
  assert.throws(() => setTrainableWeights(lora, bad), /'lora\.layer\.1\.q\.A' has shape \[2,8\], expected \[8,2\]/);
  disposeOverrides(lora);
});

test("createLora and createTopLayers validate their options", () => {
  const ok = { rank: 2, alpha: 4, targets: ["q" as const], layers: [1], seed: 1 };
  assert.throws(() => createLora(model, { ...ok, rank: 0 }), /rank must be a positive integer/);
  assert.throws(() => createLora(model, { ...ok, alpha: 0 }), /alpha must be > 0/);
  assert.throws(() => createLora(model, { ...ok, targets: ["x" as "q"] }), /subset of q, k, v, o/);
  assert.throws(() => createLora(model, { ...ok, layers: [3] }), /layer 3 is out of range: the model has layers 0\.\.2/);
  assert.throws(() => createTopLayers(model, [-1]), /layer -1 is out of range/);
});

test("BatchMatMul gradient with explicit transposes matches the analytic gradient for all flag combinations", () => {
  const a0 = tf.randomNormal([3, 4], 0, 1, "float32", 1) as tf.Tensor2D;
  const b0 = tf.randomNormal([4, 5], 0, 1, "float32", 2) as tf.Tensor2D;
  const w = tf.randomNormal([3, 5], 0, 1, "float32", 3);
  // d/da sum(w ⊙ a·b) = w·bᵀ, d/db = aᵀ·w
  const ga = tf.matMul(w, tf.transpose(b0)).arraySync();
  const gb = tf.matMul(tf.transpose(a0), w).arraySync();
  for (const tA of [false, true])
    for (const tB of [false, true]) {
      const a = tA ? tf.transpose(a0) : a0;
      const b = tB ? tf.transpose(b0) : b0;
      const [da, db] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D, tA, tB), w)))([
        a,
        b,
      ]);
      const close = (x: tf.Tensor, want: number[][]) =>
        assert.ok(tf.max(tf.abs(tf.sub(x, want))).dataSync()[0] < 1e-4, `tA=${tA} tB=${tB}`);
      close(tA ? tf.transpose(da) : da, ga as number[][]);
      close(tB ? tf.transpose(db) : db, gb as number[][]);
    }
});

test("gather gradient sums repeated indices (embedding lookups) without UnsortedSegmentSum", () => {
  const table = tf.tensor2d([
    [1, 2],
    [3, 4],
    [5, 6],
  ]);
  const g = tf.grad((x: tf.Tensor) =>
    tf.sum(
      tf.mul(
        tf.gather(x, tf.tensor1d([0, 2, 0], "int32")),
        tf.tensor2d([
          [1, 10],
          [100, 1000],
          [2, 20],
        ]),
      ),
    ),
  )(table);
  assert.deepEqual(g.arraySync(), [
    [3, 30],
    [0, 0],
    [100, 1000],
  ]);
});

test("gradients through the encoder layers match finite differences (attention, softmax, GELU, LayerNorm, LoRA)", () => {
  const copies = createTopLayers(model, [1, 2]);
  const lora = createLora(model, { rank: 2, alpha: 4, targets: ["q", "o"], layers: [2], seed: 6 });
  randomizeB(lora, 30);
  const b = encodeBatch(model, TEXTS);
  const h1 = tf.tidy(() => runLayers(model, embeddings(model, b), b.mask, 0, 1));
  const weights = tf.randomNormal([2, H], 0, 1, "float32", 40);
  const loss = () => tf.sum(tf.mul(meanPool(runLayers(model, h1, b.mask, 1, 3, [copies, lora]), b.mask, false), weights)) as tf.Scalar;
  const l1 = copies.layers.get(1)!;
  const l2 = copies.layers.get(2)!;
  const checked: [string, tf.Variable][] = [
    ["layer 1 qkv kernel", l1.qkvW as unknown as tf.Variable],
    ["layer 2 output projection", l2.oW as unknown as tf.Variable],
    ["layer 2 feed-forward in", l2.ffInW as unknown as tf.Variable],
    ["layer 1 LayerNorm gain", l1.ln1G as unknown as tf.Variable],
    ["LoRA A of q", lora.layers.get(2)!.q!.A],
    ["LoRA B of o", lora.layers.get(2)!.o!.B],
  ];
  const { grads } = tf.variableGrads(
    loss,
    checked.map(([, v]) => v),
  );
  const eps = 1e-2;
  const magnitudes: number[] = [];
  for (const [what, v] of checked) {
    const g = grads[v.name].dataSync();
    const original = v.dataSync().slice();
    for (const k of [0, Math.floor(v.size / 2), v.size - 1]) {
      const at = (delta: number) => {
        const moved = original.slice();
        moved[k] += delta;
        tf.tidy(() => v.assign(tf.tensor(moved, v.shape)));
        return tf.tidy(() => loss().dataSync()[0]);
      };
      const numeric = (at(eps) - at(-eps)) / (2 * eps);
      tf.tidy(() => v.assign(tf.tensor(original, v.shape)));
      magnitudes.push(Math.abs(numeric));
      assert.ok(Math.abs(numeric - g[k]) <= 2e-3 + 0.02 * Math.abs(numeric), `${what}[${k}]: analytic ${g[k]}, numeric ${numeric}`);
    }
  }
  assert.ok(magnitudes.filter((m) => m > 1e-2).length >= checked.length, `gradients too small to test: ${magnitudes}`);
  tf.dispose([h1, weights, b.ids, b.mask, b.typeIds, ...Object.values(grads)]);
  disposeOverrides([copies, lora]);
});
