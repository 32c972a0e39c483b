import { beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import mongoose from "mongoose";
import type { TestDatabase } from "../helpers/database.js";
import { useTestDatabase } from "../helpers/suite.js";
import { writeArtifact, ARTIFACT_FORMAT_VERSION } from "../../trainer/artifact.js";
import { ModelVersion } from "../../server/models/modelVersion.js";
import { AuditEntry } from "../../server/models/auditEntry.js";
import { ensureLocalArtifact, uploadArtifact, ArtifactIntegrityError } from "../../server/registry/artifactStore.js";
import { modelPromoter, modelRollbacker, modelPinner, readActivePointer, RegistryConflictError } from "../../server/registry/index.js";
import { ModelHost } from "../../server/bot/modelHost.js";
import type { ModelPredictor } from "../../server/bot/predictor.js";

let db: TestDatabase;
let work: string;
let modelsDir: string;
useTestDatabase({ clearBetweenTests: true }, (d) => (db = d));
beforeEach(() => {
  work = fs.mkdtempSync(path.join(db.dataDir, "work-"));
  modelsDir = path.join(work, "models");
});

const actor = { id: new mongoose.Types.ObjectId().toString(), email: "admin@example.test" };

/** A real artifact on disk (manifest with sha256s), whose one data file says which label it answers. */
async function makeArtifact(name: string, label: string): Promise<string> {
  const dir = path.join(work, "trained", name);
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  await writeArtifact(
    dir,
    {
      formatVersion: ARTIFACT_FORMAT_VERSION,
      baseModel: { name: "test", weightsSha256: "0".repeat(64) },
      method: "head",
      trainedLayers: [],
      hyperParameters: {},
      seed: 1,
      datasetHash: name,
      labels: [label],
      threshold: 0.5,
      targetPrecision: 0.9,
      calibrationTemperature: 1,
      metrics: {},
      history: [],
      parent: null,
      createdAt: new Date().toISOString(),
    },
    (tmp) => fs.writeFileSync(path.join(tmp, "answer.json"), JSON.stringify({ label })),
  );
  return dir;
}

async function register(version: string, label: string) {
  const dir = await makeArtifact(version, label);
  const artifact = await uploadArtifact(version, dir);
  return ModelVersion.create({ version, snapshotHash: "h", artifact, status: "candidate" });
}

// Stands in for the model library: reads the artifact's data file. Counts disposals to check eviction.
const disposed: string[] = [];
const loader = async (dir: string): Promise<ModelPredictor> => {
  const { label } = JSON.parse(fs.readFileSync(path.join(dir, "answer.json"), "utf8")) as { label: string };
  return {
    labels: [label],
    threshold: 0.5,
    predict: () => ({ label, confidence: 0.9, confident: true, alternatives: [] }),
    dispose: () => void disposed.push(label),
  };
};

// Same length as the original {"label":"aN"}, so only the sha256 can tell.
async function tamperStored(version: string, file: string) {
  const mv = await ModelVersion.findOne({ version }).lean();
  const f = mv!.artifact!.files.find((x) => x.name === file)!;
  await mongoose.connection
    .db!.collection("artifacts.chunks")
    .updateOne({ files_id: f.gridId }, { $set: { data: new mongoose.mongo.Binary(Buffer.from('{"label":"ev"}')) } });
}

test("an artifact goes to GridFS and comes back byte-identical, verified on every load", async () => {
  const mv = await register("v1", "a1");
  const dir = await ensureLocalArtifact(modelsDir, "v1", mv.artifact as never);
  assert.equal(dir, path.join(modelsDir, "v1"));
  assert.deepEqual(fs.readdirSync(dir).sort(), ["answer.json", "manifest.json"]);
  assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, "answer.json"), "utf8")), { label: "a1" });

  // A local copy damaged on disk is noticed and fetched again.
  fs.writeFileSync(path.join(dir, "answer.json"), '{"label":"x"}');
  await ensureLocalArtifact(modelsDir, "v1", mv.artifact as never);
  assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, "answer.json"), "utf8")), { label: "a1" });
});

test("a stored artifact whose bytes no longer match its sha256 is refused and nothing is left behind", async () => {
  const mv = await register("v1", "a1");
  await tamperStored("v1", "answer.json");
  await assert.rejects(ensureLocalArtifact(modelsDir, "v1", mv.artifact as never), ArtifactIntegrityError);
  assert.deepEqual(fs.existsSync(modelsDir) ? fs.readdirSync(modelsDir) : [], []);
  // A manifest swapped for another is caught by the registry's own record of its hash.
  const other = await register("v2", "a2");
  await assert.rejects(
    ensureLocalArtifact(modelsDir, "v2", { ...(other.artifact as never as object), manifestSha256: "f".repeat(64) } as never),
    /manifest sha256/,
  );
});

test("promote, pin and roll back move one pointer, each audited, with clear refusals", async () => {
  await register("v1", "a1");
  await register("v2", "a2");
  await register("v3", "a3");
  await assert.rejects(modelRollbacker({ actor }), /no previous version/);

  await modelPromoter({ version: "v1", actor, reason: "first" });
  assert.equal((await readActivePointer()).version, "v1");
  await assert.rejects(modelPromoter({ version: "v1", actor, reason: "again" }), /already active/);

  // The nightly run compared its candidate with v1; if v1 is pinned it must not promote.
  await modelPinner({ actor, pinned: true });
  await assert.rejects(
    modelPromoter({ version: "v2", actor: null, reason: "nightly", automatic: { expectedActive: "v1" } }),
    RegistryConflictError,
  );
  assert.equal((await readActivePointer()).version, "v1");
  await modelPinner({ actor, pinned: false });
  // …nor if someone else changed the active version meanwhile.
  await assert.rejects(
    modelPromoter({ version: "v2", actor: null, reason: "nightly", automatic: { expectedActive: "v0" } }),
    /pinned or changed/,
  );
  await modelPromoter({ version: "v2", actor: null, reason: "nightly", automatic: { expectedActive: "v1" } });
  const p = await readActivePointer();
  assert.deepEqual([p.version, p.previousVersion], ["v2", "v1"]);

  await assert.rejects(modelRollbacker({ actor, toVersion: "v3" }), /never active/);
  await assert.rejects(modelRollbacker({ actor, toVersion: "v9" }), /not found/);
  assert.deepEqual(await modelRollbacker({ actor }), { version: "v1", from: "v2" });
  assert.deepEqual(await modelRollbacker({ actor }), { version: "v2", from: "v1" }, "rolling back a rollback goes forward again");

  const actions = (await AuditEntry.find({}).sort({ at: 1 }).lean()).map((a) => `${a.action}:${a.targetId}`);
  assert.deepEqual(actions, [
    "model.promote:v1",
    "model.pin:v1",
    "model.unpin:v1",
    "model.promote:v2",
    "model.rollback:v1",
    "model.rollback:v2",
  ]);
});

test("the bot host follows the pointer, refuses a tampered version, keeps the previous one loaded", async () => {
  disposed.length = 0;
  await register("v1", "a1");
  await register("v2", "a2");
  await register("v3", "a3");
  const host = new ModelHost({ MODELS_DIR: modelsDir }, loader, 50);
  host.start();
  try {
    await host.sync();
    assert.equal(host.activeVersion(), null);

    await modelPromoter({ version: "v1", actor, reason: "t" });
    await host.sync();
    assert.equal(host.activeVersion(), "v1");

    // A reply in flight on v1 while v2 (tampered) is promoted: v2 is refused and marked; v1 keeps answering.
    const inFlight = host.acquire()!;
    await tamperStored("v2", "answer.json");
    await modelPromoter({ version: "v2", actor, reason: "t" });
    await host.sync();
    assert.equal(host.activeVersion(), "v1");
    const broken = await ModelVersion.findOne({ version: "v2" }).lean();
    assert.equal(broken?.status, "broken");
    assert.match(broken?.integrityError ?? "", /sha256/);

    await modelPromoter({ version: "v3", actor, reason: "t" });
    await host.sync();
    assert.equal(host.activeVersion(), "v3");
    assert.equal(inFlight.entry.version, "v1", "the reply that started on v1 finishes on v1");
    assert.equal((await inFlight.entry.predictor.predict("q")).label, "a1");
    inFlight.release();
    assert.deepEqual(host.loadedVersions().sort(), ["v1", "v3"]);
    assert.deepEqual(disposed, []);

    // Rollback to the still-loaded v1 is immediate: no download, no load.
    const t0 = performance.now();
    await modelRollbacker({ actor, toVersion: "v1" });
    await host.sync();
    assert.equal(host.activeVersion(), "v1");
    assert.ok(performance.now() - t0 < 500);
  } finally {
    await host.close();
  }
});
