import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { accuracy, loadPredictor, trainModel, verifyArtifact, type TrainProgress } from "../../trainer/index.js";
import { BASE_MODEL_DIR, miniSplit } from "./helpers.js";

const { train, test: heldOut } = miniSplit();

test("a one-layer fine-tune on 5 intents × 8 examples clearly beats chance on held-out rows", async () => {
  const outDir = join(await mkdtemp(join(tmpdir(), "train-")), "v1");
  const phases = new Set<string>();
  const { manifest } = await trainModel(
    { examples: train, outDir, baseModelDir: BASE_MODEL_DIR, method: "full", topLayers: 1, epochs: 2, seed: 3 },
    (p: TrainProgress) => phases.add(p.phase),
  );
  assert.deepEqual([...phases], ["loading", "caching", "training", "calibrating", "saving"]);
  assert.deepEqual(manifest.trainedLayers, [5]);
  assert.equal(manifest.history.length, 2);
  assert.equal(manifest.labels.length, 5);
  const predictor = await loadPredictor(outDir, { baseModelDir: BASE_MODEL_DIR });
  const preds = await predictor.predictBatch(heldOut);
  predictor.dispose();
  const acc = accuracy(
    heldOut.map((e) => e.label),
    preds.map((p) => p.label),
  );
  assert.ok(acc >= 0.7, `held-out accuracy ${acc} should be far above chance (0.2)`);
  for (const p of preds) {
    assert.ok(p.confidence > 0 && p.confidence <= 1);
    assert.equal(p.alternatives.length, 3);
    assert.ok(p.alternatives.every((a) => a.confidence <= p.confidence && a.label !== p.label));
  }
});

test("training is deterministic given the seed", async () => {
  const dir = await mkdtemp(join(tmpdir(), "seed-"));
  const run = (name: string) =>
    trainModel({
      examples: train,
      outDir: join(dir, name),
      baseModelDir: BASE_MODEL_DIR,
      method: "head",
      epochs: 3,
      seed: 11,
      cacheWorkers: 1,
    });
  const a = await run("a");
  const b = await run("b");
  assert.equal(a.manifest.files["weights.safetensors"].sha256, b.manifest.files["weights.safetensors"].sha256);
  assert.deepEqual(
    a.manifest.history.map((h) => h.loss),
    b.manifest.history.map((h) => h.loss),
  );
  assert.equal(a.manifest.threshold, b.manifest.threshold);
  // The head recipe sets its thresholds on out-of-fold predictions of every example, not on the validation split:
  // each is scored by the fold that never saw its answer (novel), and most also by a fold that knew it (in scope).
  assert.equal(a.manifest.metrics.outOfScopeCalibrationExamples, train.length);
  assert.ok(a.manifest.metrics.calibrationExamples >= train.length / 2 && a.manifest.metrics.calibrationExamples < train.length);
  assert.ok(a.manifest.metrics.valExamples < train.length / 5);
  assert.ok(a.manifest.metrics.crossFitAccuracy > 0.5, `out-of-fold accuracy ${a.manifest.metrics.crossFitAccuracy}`);
  const weights = await readFile(join(dir, "a", "weights.safetensors"));
  assert.ok(weights.byteLength < 100_000, "a head artifact holds only the prototypes, not the encoder");
});

test("rejected replies (negative polarity) push the question away from that answer", async () => {
  const dir = await mkdtemp(join(tmpdir(), "neg-"));
  const question = "My card has not arrived yet, where is it?";
  const base = { baseModelDir: BASE_MODEL_DIR, method: "head" as const, epochs: 3, seed: 5, cacheWorkers: 1, validation: heldOut };
  const rejection = Array.from({ length: 4 }, () => ({ text: question, label: "card_arrival", polarity: "negative" as const }));
  await trainModel({ ...base, examples: train, outDir: join(dir, "plain") });
  await trainModel({ ...base, examples: [...train, ...rejection], outDir: join(dir, "rejected") });
  const plain = await loadPredictor(join(dir, "plain"), { baseModelDir: BASE_MODEL_DIR, alternatives: 4 });
  const rejected = await loadPredictor(join(dir, "rejected"), { baseModelDir: BASE_MODEL_DIR, alternatives: 4 });
  const prob = async (p: typeof plain) => {
    const r = await p.predict(question);
    return r.label === "card_arrival" ? r.confidence : r.alternatives.find((a) => a.label === "card_arrival")!.confidence;
  };
  // A validation set given (as the nightly trainer does) joins the out-of-fold calibration.
  const m = (await verifyArtifact(join(dir, "plain"))).metrics;
  assert.equal(m.outOfScopeCalibrationExamples, train.length + heldOut.length);
  const before = await prob(plain);
  const after = await prob(rejected);
  plain.dispose();
  rejected.dispose();
  assert.ok(after < before, `p(card_arrival) should drop after the rejection: ${before} → ${after}`);
});

test("bad options are refused before any work", async () => {
  const outDir = join(tmpdir(), "never-written");
  await assert.rejects(
    trainModel({ examples: train, outDir, baseModelDir: BASE_MODEL_DIR, method: "deep" as never }),
    /method must be one of/,
  );
  await assert.rejects(trainModel({ examples: [{ text: "", label: "x" }], outDir, baseModelDir: BASE_MODEL_DIR }), /examples\[0\]\.text/);
  await assert.rejects(
    trainModel({ examples: train.filter((e) => e.label === "age_limit"), outDir, baseModelDir: BASE_MODEL_DIR }),
    /at least 2 labels/,
  );
  await assert.rejects(trainModel({ examples: train, outDir, baseModelDir: "/nonexistent/model" }), /does not exist/);
});
