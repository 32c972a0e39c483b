import { test, before } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { initBackend } from "../../trainer/model/index.js";
import { loadUseModel, type UseModel } from "../../trainer/model/use/model.js";
import { useForward, useTokens } from "../../trainer/model/use/forward.js";
import { readFileSync } from "node:fs";
import { cosine } from "../helpers/vectors.js";

// USE multilingual v3 against the PyPI package's own pure-Python tokenizer and numpy forward pass
// (scripts/use_reference_embeddings.py wrote the fixture).
const MODEL_DIR = ".local/models/use-multilingual-v3";
interface Reference {
  text: string;
  ids: number[];
  embedding: number[];
}
const reference: Reference[] = JSON.parse(readFileSync("tests/fixtures/use/reference.json", "utf8")).sentences;

let model: UseModel;
before(async () => {
  await initBackend();
  model = await loadUseModel(MODEL_DIR);
});

test("the fixture covers Chinese (simplified and traditional), English, Japanese, emoji and mixed scripts", () => {
  const has = (re: RegExp) => reference.some((r) => re.test(r.text));
  assert.ok(
    has(/[\u4e00-\u9fff]/) &&
      has(/[\u3040-\u30ff]/) &&
      has(/\p{Extended_Pictographic}/u) &&
      has(/[a-z].*[\u4e00-\u9fff]|[\u4e00-\u9fff].*[a-z]/i),
  );
  assert.ok(has(/請問/), "traditional Chinese");
  assert.ok(reference.length >= 20);
});

test("piece ids equal the reference tokenizer for every fixture sentence (runs of unknown characters one <unk> each)", () => {
  for (const r of reference) assert.deepEqual(useTokens(model, r.text), r.ids, JSON.stringify(r.text));
});

test("every sentence vector has cosine ≥ 0.999 to the reference forward pass, batched or one at a time", async () => {
  const ids = reference.map((r) => useTokens(model, r.text));
  const batched = useForward(model, ids);
  const rows = (await batched.array()) as number[][];
  batched.dispose();
  for (const [i, r] of reference.entries()) {
    const c = cosine(rows[i], r.embedding);
    assert.ok(c >= 0.999, `cosine ${c.toFixed(6)} for ${JSON.stringify(r.text)}`);
    const norm = Math.sqrt(rows[i].reduce((s, v) => s + v * v, 0));
    assert.ok(Math.abs(norm - 1) < 1e-4, "L2-normalised");
  }
  // padding never leaks into a shorter sentence of the batch
  for (const i of [0, 15, 22]) {
    const one = useForward(model, [ids[i]]);
    const alone = (await one.array())[0];
    one.dispose();
    assert.ok(cosine(alone, rows[i]) > 0.99999, `sentence ${i} alone vs batched`);
  }
});

test("translations land near each other and far from an unrelated question", async () => {
  const texts = ["我的卡还没到", "My card has not arrived yet", "カードがまだ届きません", "你们周末营业吗？"];
  const out = useForward(
    model,
    texts.map((t) => useTokens(model, t)),
  );
  const [zh, en, ja, other] = (await out.array()) as number[][];
  out.dispose();
  assert.ok(cosine(zh, en) > cosine(zh, other) + 0.2, `zh·en ${cosine(zh, en).toFixed(3)} vs zh·other ${cosine(zh, other).toFixed(3)}`);
  assert.ok(cosine(zh, ja) > cosine(ja, other));
});

test("a folder without the model or with a damaged weight file is refused with a message saying how to get it", async () => {
  await assert.rejects(loadUseModel("/nonexistent/use"), /has no sp\.model and weights\/.*npm run setup/);
  const dir = mkdtempSync(path.join(tmpdir(), "use-"));
  try {
    cpSync(MODEL_DIR, dir, { recursive: true });
    rmSync(path.join(dir, "weights", "d3.npy"));
    await assert.rejects(loadUseModel(dir), /missing d3\.npy/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
