import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { trainInChildProcess, verifyArtifact, type TrainProgress } from "../../trainer/index.js";
import { BASE_MODEL_DIR, miniSplit } from "./helpers.js";

const { train } = miniSplit();

test("trainInChildProcess streams progress over IPC and returns the manifest", async () => {
  const outDir = join(await mkdtemp(join(tmpdir(), "child-")), "v1");
  const seen: TrainProgress[] = [];
  const result = await trainInChildProcess(
    { examples: train, outDir, baseModelDir: BASE_MODEL_DIR, method: "head", epochs: 2, seed: 1 },
    (p) => seen.push(p),
  );
  assert.equal(result.outDir, outDir);
  assert.deepEqual([...new Set(seen.map((p) => p.phase))], ["loading", "caching", "training", "calibrating", "saving"]);
  assert.ok(seen.some((p) => p.phase === "training" && p.epoch === 2 && typeof p.loss === "number"));
  assert.deepEqual((await verifyArtifact(outDir)).labels, result.manifest.labels);
});

test("trainInChildProcess reports errors from the child and kills it on abort", async () => {
  const dir = await mkdtemp(join(tmpdir(), "child-"));
  await assert.rejects(
    trainInChildProcess({ examples: train, outDir: join(dir, "bad"), baseModelDir: "/nonexistent/model" }),
    /base model folder '\/nonexistent\/model' does not exist/,
  );
  const controller = new AbortController();
  const outDir = join(dir, "aborted");
  const run = trainInChildProcess(
    { examples: train, outDir, baseModelDir: BASE_MODEL_DIR, method: "head" },
    (p) => {
      if (p.phase === "loading") controller.abort("test");
    },
    controller.signal,
  );
  await assert.rejects(run, (e: unknown) => (e as Error).name === "AbortError");
  assert.equal(existsSync(outDir), false);
});
