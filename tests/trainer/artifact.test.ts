import { before, test } from "node:test";
import assert from "node:assert/strict";
import { cp, mkdtemp, readFile, rm, writeFile, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ArtifactIntegrityError, loadPredictor, trainModel, verifyArtifact } from "../../trainer/index.js";
import { BASE_MODEL_DIR, miniSplit } from "./helpers.js";

let dir: string;
let artifact: string;
const { train, test: heldOut } = miniSplit();

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "artifact-"));
  artifact = join(dir, "v1");
  // LoRA on the top layer: exercises adapter save/load and the merge done at load time
  await trainModel({
    examples: train,
    outDir: artifact,
    baseModelDir: BASE_MODEL_DIR,
    method: "lora",
    topLayers: 1,
    loraRank: 4,
    epochs: 1,
    seed: 2,
  });
});

async function copy(name: string): Promise<string> {
  const target = join(dir, name);
  await cp(artifact, target, { recursive: true });
  return target;
}

test("the manifest records what is needed to reproduce and verify the version", async () => {
  const m = await verifyArtifact(artifact);
  assert.equal(m.formatVersion, 1);
  assert.equal(m.method, "lora");
  assert.equal(m.baseModel.name, "all-MiniLM-L6-v2");
  assert.match(m.baseModel.weightsSha256, /^[0-9a-f]{64}$/);
  assert.match(m.datasetHash, /^[0-9a-f]{64}$/);
  assert.equal(m.seed, 2);
  assert.equal(m.hyperParameters.loraRank, 4);
  assert.equal(m.targetPrecision, 0.95);
  assert.ok(m.calibrationTemperature > 0 && m.threshold > 0 && m.threshold <= 1);
  assert.equal(m.history.length, 1);
  assert.deepEqual(Object.keys(m.files), ["openworld.safetensors", "weights.safetensors"]);
  assert.equal(m.openWorld?.file, "openworld.safetensors");
  assert.equal(m.parent, null);
  assert.ok(!Number.isNaN(Date.parse(m.createdAt)));
  // adapters (2 × [384, 4] per q/v) and prototypes only: far below one encoder layer (~7 MB)
  assert.ok(m.files["weights.safetensors"].size < 100_000, `LoRA artifact is ${m.files["weights.safetensors"].size} bytes`);
  assert.deepEqual(
    (await readdir(dir)).filter((f) => f.includes(".tmp")),
    [],
    "no temp dir left behind",
  );
});

test("save → load round trip: two predictors in one process give identical answers", async () => {
  const a = await loadPredictor(artifact, { baseModelDir: BASE_MODEL_DIR });
  const b = await loadPredictor(await copy("copy"), { baseModelDir: BASE_MODEL_DIR });
  const items = heldOut.slice(0, 6).map((e, i) => ({ text: e.text, previousTurn: i % 2 ? "Hello, how can I help?" : null }));
  const pa = await a.predictBatch(items);
  assert.deepEqual(await b.predictBatch(items), pa);
  // batch and single predictions agree (padding must not change the answer)
  const single = await a.predict(items[1].text, items[1].previousTurn);
  assert.equal(single.label, pa[1].label);
  assert.ok(Math.abs(single.confidence - pa[1].confidence) < 1e-4);
  assert.equal(a.labels.length, 5);
  assert.equal(pa[0].confident, pa[0].confidence >= a.threshold);
  a.dispose();
  b.dispose();
  await assert.rejects(a.predict("hi"), /disposed/);
});

test("a tampered, missing or extra file is an ArtifactIntegrityError, also when loading a predictor", async () => {
  const tampered = await copy("tampered");
  const weights = join(tampered, "weights.safetensors");
  const bytes = await readFile(weights);
  bytes[bytes.length - 1] ^= 0xff;
  await writeFile(weights, bytes);
  await assert.rejects(
    verifyArtifact(tampered),
    (e: unknown) => e instanceof ArtifactIntegrityError && /sha256/.test((e as Error).message),
  );
  await assert.rejects(loadPredictor(tampered, { baseModelDir: BASE_MODEL_DIR }), ArtifactIntegrityError);

  const missing = await copy("missing");
  await rm(join(missing, "weights.safetensors"));
  await assert.rejects(verifyArtifact(missing), /missing file weights\.safetensors/);

  const extra = await copy("extra");
  await writeFile(join(extra, "notes.txt"), "x");
  await assert.rejects(verifyArtifact(extra), /not in the manifest: notes\.txt/);

  const noManifest = await copy("no-manifest");
  await rm(join(noManifest, "manifest.json"));
  await assert.rejects(verifyArtifact(noManifest), ArtifactIntegrityError);
});

test("warm start continues from an artifact and records it as the parent", async () => {
  const child = join(dir, "v2");
  const extra = [
    ...train,
    { text: "How do I close my account?", label: "terminate_account" },
    { text: "Please delete my account", label: "terminate_account" },
  ];
  const { manifest } = await trainModel({
    examples: extra,
    outDir: child,
    baseModelDir: BASE_MODEL_DIR,
    warmStartDir: artifact,
    method: "lora",
    topLayers: 1,
    loraRank: 4,
    epochs: 1,
    seed: 2,
  });
  const parent = await verifyArtifact(artifact);
  assert.equal(manifest.parent?.datasetHash, parent.datasetHash);
  assert.ok(manifest.labels.includes("terminate_account"));
  await assert.rejects(
    trainModel({
      examples: extra,
      outDir: join(dir, "v3"),
      baseModelDir: BASE_MODEL_DIR,
      warmStartDir: artifact,
      method: "full",
      topLayers: 1,
    }),
    /warm start .* is method lora/,
  );
});
