import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { embed, initBackend, loadBaseModel, type BackendName } from "../../trainer/model/index.js";
import { cosine } from "../helpers/vectors.js";

// The same encoder on the native backend (TensorFlow's C++ kernels) and on wasm (XNNPACK) must give the same
// sentence vectors, and both the float64 numpy reference's: the backend is a deployment choice, never a model change.
const MODEL_DIR = process.env.BASE_MODEL_DIR ?? ".local/models/all-MiniLM-L6-v2";
const FIXTURES = "tests/fixtures/encoder";
const sentences: { text: string; pair?: string | null }[] = JSON.parse(readFileSync(path.join(FIXTURES, "sentences.json"), "utf8"));
const reference: { embedding: number[] }[] = JSON.parse(readFileSync(path.join(FIXTURES, "reference.json"), "utf8")).sentences;

async function embedOn(backend: BackendName, batchSize: number): Promise<Float32Array[]> {
  await initBackend(backend);
  // loaded after the switch, so that its weights live on this backend
  const model = await loadBaseModel(MODEL_DIR);
  return embed(
    model,
    sentences.map((s) => s.text),
    { pairs: sentences.map((s) => s.pair ?? null), batchSize },
  );
}

function assertClose(a: Float32Array[], b: ArrayLike<number>[], what: string): void {
  assert.equal(a.length, b.length);
  for (const [i, v] of a.entries()) {
    const c = cosine(v, b[i]);
    assert.ok(c >= 0.99999, `${what}: sentence ${i} cosine ${c.toFixed(7)}: ${JSON.stringify(sentences[i].text).slice(0, 80)}`);
  }
}

test("native and wasm sentence vectors agree with each other and the float64 reference (cosine ≥ 0.99999), batched and one at a time", async () => {
  const wasm = await embedOn("wasm", 16);
  assertClose(
    wasm,
    reference.map((r) => r.embedding),
    "wasm vs reference",
  );
  // TFJS_NATIVE=off is a set-up without the native binding: only the wasm half can run there.
  if (process.env.TFJS_NATIVE === "off") return;
  const native = await embedOn("tensorflow", 16);
  assertClose(
    native,
    reference.map((r) => r.embedding),
    "native vs reference",
  );
  assertClose(native, wasm, "native vs wasm");
  assertClose(await embedOn("tensorflow", 1), native, "native one at a time vs batched");
});
