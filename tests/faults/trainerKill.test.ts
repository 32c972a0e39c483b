import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import mongoose from "mongoose";
import { Lease } from "../../server/models/lease.js";
import { ModelVersion } from "../../server/models/modelVersion.js";
import { TrainingRun } from "../../server/models/trainingRun.js";
import { readActivePointer } from "../../server/registry/activeModel.js";
import { ensureLocalArtifact, modelPromoter } from "../../server/registry/index.js";
import { modelRegistrar } from "../../server/registry/modelRegistrar.js";
import { updateTrainerSettings } from "../../server/nightly/settings.js";
import { readManifest } from "../../trainer/artifact.js";
import { TRAINER_LEASE } from "../../server/nightly/lease.js";
import { seedAnswers, seedExamples } from "../fixtures/loop/seed.js";
import { startTestDatabase, type TestDatabase } from "../helpers/database.js";
import { killHard, recordHardening, waitUntil } from "../helpers/faults.js";
import { spawnTs, startChatProcess, type ChatProcess, type TestProcess } from "../helpers/processes.js";

// The trainer is killed -9 in the middle of training (`npm run trainer:run`, a real process and its
// training child). Its lease expires, the active model is untouched, and the next run takes over, fails
// the abandoned run and promotes. Then a version whose stored artifact has a wrong checksum is promoted
// under a running chat server: the bot refuses it and keeps answering on the version it has.
// Short enough to wait out after a kill; long enough that a renewal delayed by a busy event loop (snapshot
// embeddings and evals run on it) does not lose the lease of a healthy trainer.
const LEASE_TTL_MS = 30_000;
const SECRET = "fault-test-secret-0123456789";
let db: TestDatabase;
let chat: ChatProcess | null = null;
const trainers: TestProcess[] = [];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "understudy-trainer-fault-"));
let faults = 0;

function trainerRun(name: string): TestProcess {
  const p = spawnTs(name, "server/nightly/main.ts", [], {
    NODE_ENV: "test",
    MONGODB_URI: db.uri,
    SESSION_SECRET: SECRET,
    LOG_LEVEL: "info",
    LOG_PRETTY: "false",
    TRAINER_LEASE_TTL_MS: String(LEASE_TTL_MS),
    DATA_DIR: path.join(tmp, name, "data"),
    MODELS_DIR: path.join(tmp, name, "models"),
  });
  trainers.push(p);
  return p;
}

before(async () => {
  db = await startTestDatabase();
  await updateTrainerSettings({ training: { method: "head" }, gate: { epsilon: 0.05 } }, null);
  await seedExamples(await seedAnswers(), ["train", "golden", "golden_must"]);
});
after(async () => {
  for (const p of trainers) await p.stop();
  await chat?.stop();
  await db?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
  await recordHardening("faults.trainer", { faultsInjected: faults });
  console.log(`faults: ${faults} trainer/artifact faults injected`);
});

test("kill -9 of the trainer mid-run: the lease expires, the active model is unchanged, the next run succeeds", async () => {
  const activeBefore = (await readActivePointer()).version;
  const first = trainerRun("trainer-killed");
  await waitUntil("the first run to start training", async () => (await TrainingRun.exists({ state: "training" })) !== null, 120_000, 250);
  const killedRun = (await TrainingRun.findOne({ state: "training" }).lean())!;
  await killHard(first);
  faults++;
  const lease = await Lease.findById(TRAINER_LEASE).lean();
  assert.equal(String(lease?.runId), String(killedRun._id), "the dead trainer still holds the lease");
  assert.equal((await readActivePointer()).version, activeBefore, "nothing was promoted by a half-finished run");

  // Once the lease has expired, the next trainer takes over.
  await new Promise((r) => setTimeout(r, LEASE_TTL_MS + 500));
  const second = trainerRun("trainer-next");
  const code = await second.exited;
  assert.equal(code, 0, `the next run should promote:\n${second.output().slice(-3000)}`);
  const abandoned = await TrainingRun.findById(killedRun._id).lean();
  assert.equal(abandoned?.state, "failed");
  assert.match(abandoned?.error ?? "", /stopped renewing its lease/);
  const promoted = await TrainingRun.findOne({ state: "promoted" }).lean();
  assert.ok(promoted?.candidateVersion);
  assert.equal((await readActivePointer()).version, promoted.candidateVersion);
  assert.equal(await Lease.countDocuments({ _id: TRAINER_LEASE }), 0, "the successful run released its lease");
});

test("a version whose artifact fails its checksum is refused; the bot stays on its version", async () => {
  const good = (await readActivePointer()).version!;
  chat = await startChatProcess("chat-artifact", { MONGODB_URI: db.uri, SESSION_SECRET: SECRET });
  const model = async () => ((await (await fetch(`${chat!.url}/api/health`)).json()) as { model: string | null }).model;
  await waitUntil(`the chat server to load ${good}`, async () => (await model()) === good, 60_000, 250);

  // A second version made from the same files, then one stored byte range changed behind the registry's back.
  const mv = (await ModelVersion.findOne({ version: good }).lean())!;
  const dir = await ensureLocalArtifact(path.join(tmp, "copy"), good, mv.artifact as never);
  const tampered = await modelRegistrar({
    version: "v-tampered",
    dir,
    manifest: await readManifest(dir),
    runId: String(mv.runId),
    parentVersion: good,
    snapshotHash: mv.snapshotHash!,
  });
  const weights = tampered.artifact!.files.find((f) => f.name !== "manifest.json")!;
  await mongoose.connection
    .db!.collection("artifacts.chunks")
    .updateOne({ files_id: weights.gridId, n: 0 }, { $set: { data: new mongoose.mongo.Binary(Buffer.from("not the trained weights")) } });
  await modelPromoter({ version: "v-tampered", actor: null, reason: "fault injection: wrong checksum" });
  faults++;

  await waitUntil(
    "the bot to refuse the tampered version",
    async () => (await ModelVersion.findOne({ version: "v-tampered" }).lean())?.status === "broken",
    60_000,
    250,
  );
  const broken = await ModelVersion.findOne({ version: "v-tampered" }).lean();
  assert.match(broken?.integrityError ?? "", /sha256|checksum|size/i);
  assert.equal(await model(), good, "the bot keeps answering on the version it had");
  // And it can never be promoted again.
  await assert.rejects(modelPromoter({ version: "v-tampered", actor: null, reason: "again" }), /integrity/);
});
