// Scale-out, end to end with real processes: three chat servers (`tsx server/index.ts`) sharing rooms through
// socket.io's Redis adapter, and two long-running trainers (`npm run trainer`), all on one FerretDB and one
// real redis-server. A customer on process A and an agent on process B talk both ways; one training run
// happens although two trainers are waiting; promotions and rollbacks reach all three chat processes within
// 2 s. Takes a few minutes (it trains a model once).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { startTestDatabase, type TestDatabase } from "../helpers/database.js";
import { startTestRedis, type TestRedis } from "../helpers/redis.js";
import { startChatProcess, startNightlyProcess, type ChatProcess, type TestProcess } from "../helpers/processes.js";
import { connectCustomer, connectSocket, type TestSocket } from "../helpers/socketClient.js";
import { loginAs, type LoggedInAgent } from "../helpers/agents.js";
import { seedAnswers, seedExamples } from "../fixtures/loop/seed.js";
import { freePort } from "../../server/db/embeddedMongo.js";
import { updateTrainerSettings } from "../../server/nightly/settings.js";
import { TrainingRun } from "../../server/models/trainingRun.js";
import { ModelVersion } from "../../server/models/modelVersion.js";
import { readActivePointer } from "../../server/registry/activeModel.js";
import { ensureLocalArtifact } from "../../server/registry/artifactStore.js";
import { modelRegistrar, nextVersionName } from "../../server/registry/modelRegistrar.js";
import { verifyArtifact } from "../../trainer/artifact.js";
import { MODEL_CHANGED_EVENT } from "../../server/gateway/modelChangeFanout.js";

const SWAP_BUDGET_MS = 2000;
const SESSION_SECRET = "scale-out-test-secret-0123456789";

let redis: TestRedis;
let db: TestDatabase;
let A: ChatProcess, B: ChatProcess, C: ChatProcess;
const processes: TestProcess[] = [];
const trainers: TestProcess[] = [];
const sockets: TestSocket[] = [];
let admin: LoggedInAgent;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "understudy-scaleout-"));

async function waitFor<T>(what: string, check: () => Promise<T | null | undefined | false>, ms: number, every = 100): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

async function servedModel(p: ChatProcess): Promise<string | null> {
  const res = await fetch(`${p.url}/api/health`, { signal: AbortSignal.timeout(5000) });
  return ((await res.json()) as { model: string | null }).model;
}

/**
 * Polls every process's /api/health until each serves `version`; resolves with the ms from `since` to the
 * first answer that showed it (measured when the answer arrived, so slow answers count against us).
 */
function timeUntilServing(procs: ChatProcess[], version: string, since: () => number, timeoutMs: number): Promise<number[]> {
  return Promise.all(
    procs.map(async (p) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const model = await servedModel(p).catch(() => null);
        if (model === version) return Date.now() - since();
        if (Date.now() > deadline)
          throw new Error(`${p.name} still serves ${model} ${timeoutMs} ms after ${version} went live:\n${p.output().slice(-3000)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    }),
  );
}

before(async () => {
  [redis, db] = await Promise.all([startTestRedis(), startTestDatabase()]);
  const shared = { MONGODB_URI: db.uri, REDIS_URL: redis.url, SESSION_SECRET };
  const started = await Promise.allSettled(["A", "B", "C"].map((n) => startChatProcess(`chat-${n}`, shared)));
  for (const s of started) if (s.status === "fulfilled") processes.push(s.value);
  const failed = started.find((s) => s.status === "rejected");
  if (failed) throw (failed as PromiseRejectedResult).reason;
  [A, B, C] = processes as ChatProcess[];
  for (const n of [1, 2]) {
    const t = startNightlyProcess(`trainer-${n}`, { MONGODB_URI: db.uri });
    trainers.push(t);
    processes.push(t);
  }
});

after(async () => {
  sockets.forEach((s) => s.close());
  await Promise.allSettled(processes.map((p) => p.stop()));
  await db?.stop();
  await redis?.stop();
  fs.rmSync(scratch, { recursive: true, force: true });
});

test("a chat process refuses to start when REDIS_URL points at no Redis, and says so", async () => {
  const nowhere = `redis://127.0.0.1:${await freePort()}`;
  const err = await startChatProcess("chat-no-redis", { MONGODB_URI: db.uri, REDIS_URL: nowhere, SESSION_SECRET }).then(
    () => null,
    (e: Error) => e,
  );
  assert.ok(err, "the process must not become healthy without Redis");
  assert.match(err.message, /exited \(1\)/);
  assert.match(err.message, new RegExp(`Redis at ${nowhere.replace(/[.]/g, "\\.")}/? \\(REDIS_URL\\) is unreachable`));
});

test("a customer on process A and agents on processes B and C talk both ways, live", async () => {
  const agent = await loginAs(B.url, "agent");
  const desk = await connectSocket(B.url, {}, "/agent", { cookie: agent.cookie });
  // The session lives in MongoDB, so the same cookie is accepted by any process.
  const otherDesk = await connectSocket(C.url, {}, "/agent", { cookie: agent.cookie });
  const customer = await connectCustomer(A.url);
  sockets.push(desk, otherDesk, customer);

  const seenOnB = desk.next("message:new", (m: any) => m.role === "customer");
  const seenOnC = otherDesk.next("message:new", (m: any) => m.role === "customer");
  const waiting = desk.next("conversation:updated", (c: any) => c.status === "waiting");
  const sent = await customer.request("message:send", { clientId: randomUUID(), text: "My parcel never arrived" });
  const conversationId = sent.conversation.id as string;
  assert.equal((await seenOnB).id, sent.message.id);
  assert.equal((await seenOnC).text, "My parcel never arrived");
  assert.equal((await waiting).id, conversationId);

  const joined = customer.next("conversation:updated", (c: any) => c.status === "agent");
  const take = await desk.request("conversation:takeover", { conversationId });
  assert.equal(take.ok, true, JSON.stringify(take));
  await joined;

  const typing = customer.next("typing");
  await desk.request("typing", { conversationId, typing: true });
  assert.deepEqual(await typing, { conversationId, role: "agent", typing: true });

  const reply = customer.next("message:new", (m: any) => m.role === "agent");
  const ack = await desk.request("message:send", { conversationId, clientId: randomUUID(), text: "Hi, I'm on it." });
  assert.equal(ack.ok, true, JSON.stringify(ack));
  assert.equal((await reply).text, "Hi, I'm on it.");

  const back = desk.next("message:new", (m: any) => m.role === "customer" && m.text === "Thanks!");
  await customer.request("message:send", { conversationId, clientId: randomUUID(), text: "Thanks!" });
  assert.equal((await back).conversationId, conversationId);
});

test(
  "two trainer processes wait; one training run happens, and every chat process swaps to its model",
  { timeout: 15 * 60_000 },
  async (t) => {
    const owners = await Promise.all(
      trainers.map((p) => waitFor(`${p.name} to start`, async () => p.output().match(/Trainer (\S+) waiting/)?.[1], 120_000, 250)),
    );
    const answers = await seedAnswers();
    await seedExamples(answers, ["train", "golden"]);
    // This test is about processes, not model quality (tests/loop/loop.test.ts is): with no active version
    // to regress from, no must-pass examples and zero minimums, the first candidate's promotion is certain.
    await updateTrainerSettings(
      { training: { method: "head" }, gate: { minAccuracy: 0, minMacroF1: 0, minGoldenAccuracy: 0, epsilon: 0.05 } },
      null,
    );

    // "Train now" through a chat process; the trainers see the queued run through MongoDB.
    admin = await loginAs(C.url, "admin");
    const res = await admin.post("/api/runs").send({}).expect(201);
    const runId = res.body.run.id as string;
    const run = await waitFor(
      "the run to finish",
      async () => {
        const r = await TrainingRun.findById(runId).lean();
        return r && ["promoted", "rejected", "failed"].includes(r.state) ? r : null;
      },
      12 * 60_000,
      500,
    );
    assert.equal(
      run.state,
      "promoted",
      `run ended ${run.state}: ${run.reasons.join("; ")} ${run.error ?? ""}\n${trainers.map((p) => p.output().slice(-2000)).join("\n")}`,
    );
    assert.equal(await TrainingRun.countDocuments({}), 1, "one run for two trainers");
    assert.ok(owners.includes(run.owner!), `run owner ${run.owner} is one of the trainers ${owners.join(", ")}`);
    for (const p of trainers) assert.equal(p.child.exitCode, null, `${p.name} keeps waiting for the next night`);

    // The trainer has no socket.io server, so the chat processes learn of its promotion by polling the pointer,
    // and a version they never served must first be fetched from GridFS and loaded.
    const pointer = await readActivePointer();
    assert.equal(pointer.version, run.candidateVersion);
    const ms = await timeUntilServing([A, B, C], pointer.version!, () => pointer.changedAt!.getTime(), 120_000);
    t.diagnostic(`trainer promotion of a new version (poll + fetch + load + warm-up) reached A/B/C after ${ms.join(" / ")} ms`);
  },
);

test("a promotion or rollback made on one chat process reaches all three within 2 s", { timeout: 5 * 60_000 }, async (t) => {
  const v1 = (await readActivePointer()).version;
  assert.ok(v1, "the previous test promoted a version");

  // A second version, registered from v1's artifact (same weights) so the test need not train twice.
  const stored = await ModelVersion.findOne({ version: v1 }).lean();
  const dir = await ensureLocalArtifact(path.join(scratch, "models"), v1, stored!.artifact as never);
  const v2 = await nextVersionName();
  await modelRegistrar({
    version: v2,
    dir,
    manifest: await verifyArtifact(dir),
    runId: stored!.runId!,
    parentVersion: v1,
    snapshotHash: stored!.snapshotHash,
  });

  // Listen to the adapter's Redis channel: the process that moves the pointer announces it to the others.
  const listener = new Redis(redis.url);
  const announced: string[] = [];
  listener.on("message", (_channel: string, message: string) => {
    if (message.includes(MODEL_CHANGED_EVENT)) announced.push(message);
  });
  await listener.subscribe("socket.io-request#/#");

  try {
    // First promotion of v2: each process fetches and loads it once (not what the 2 s is about).
    let since = Date.now();
    const firstLoad = timeUntilServing([A, B, C], v2, () => since, 120_000);
    await admin.post(`/api/models/${v2}/promote`).send({ reason: "scale-out test" }).expect(200);
    t.diagnostic(`first promotion of ${v2} (announce + fetch + load + warm-up) reached A/B/C after ${(await firstLoad).join(" / ")} ms`);
    await waitFor("the announcement", async () => announced.length >= 1, 2000, 20);
    assert.equal(announced.length, 1, "the promoting process announced the change through Redis");

    // Both versions are now loaded everywhere; a rollback and a promotion are pointer swaps.
    const onB = await loginAs(B.url, admin.user);
    const heard = (p: ChatProcess) => p.output().split("announced a model change").length - 1;
    const heardBefore = [A, B, C].map(heard);
    since = Date.now();
    const rolledBack = timeUntilServing([A, B, C], v1, () => since, 10_000);
    await onB.post("/api/models/rollback").send({ reason: "scale-out test" }).expect(200);
    const rollbackMs = await rolledBack;
    t.diagnostic(`rollback to ${v1} made on B reached A/B/C after ${rollbackMs.join(" / ")} ms`);
    // A and C acted on B's announcement (rather than waiting for their poll); B does not hear itself.
    await waitFor("A and C to hear the announcement", async () => heard(A) > heardBefore[0] && heard(C) > heardBefore[2], 2000, 20);
    assert.equal(heard(B), heardBefore[1]);

    const onA = await loginAs(A.url, admin.user);
    since = Date.now();
    const promoted = timeUntilServing([A, B, C], v2, () => since, 10_000);
    await onA.post(`/api/models/${v2}/promote`).send({ reason: "scale-out test, again" }).expect(200);
    const promoteMs = await promoted;
    t.diagnostic(`promotion of ${v2} made on A reached A/B/C after ${promoteMs.join(" / ")} ms`);

    assert.ok(Math.max(...rollbackMs) <= SWAP_BUDGET_MS, `rollback took ${Math.max(...rollbackMs)} ms to reach every process`);
    assert.ok(Math.max(...promoteMs) <= SWAP_BUDGET_MS, `promotion took ${Math.max(...promoteMs)} ms to reach every process`);
    await waitFor("three announcements", async () => announced.length >= 3, 2000, 20);
    assert.equal(announced.length, 3, "every change was announced once");
  } finally {
    listener.disconnect();
  }
});
