// The whole nightly loop on a small BANKING77 fixture, against a real FerretDB, real training in child
// processes and the real chat server's bot: schedule → snapshot → train → eval → promote → hot-swap,
// then a bad candidate, a rollback, and two trainer processes racing. Takes a few minutes.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import path from "node:path";
import mongoose from "mongoose";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { loginAs, type LoggedInAgent } from "../helpers/agents.js";
import { loopRows, seedAnswers, seedExamples, seedNotForBot } from "../fixtures/loop/seed.js";
import { promotionGate } from "../../server/evals/gate.js";
import { loadTrainerSettings } from "../../server/nightly/settings.js";
import type { EvalReport } from "../../server/evals/types.js";
import { Snapshot } from "../../server/models/snapshot.js";
import { startNightlyWorker, type NightlyWorker } from "../../server/nightly/nightlyWorker.js";
import { updateTrainerSettings } from "../../server/nightly/settings.js";
import { TrainingRun } from "../../server/models/trainingRun.js";
import { ModelVersion } from "../../server/models/modelVersion.js";
import { Example } from "../../server/models/example.js";
import { AuditEntry } from "../../server/models/auditEntry.js";
import { readActivePointer } from "../../server/registry/activeModel.js";
import type { ModelBot } from "../../server/bot/index.js";
import type { BotDecision } from "../../server/bot/types.js";

const root = path.resolve(import.meta.dirname, "../..");
let t: TestServer;
let admin: LoggedInAgent;
let answers: Record<string, string>;
let clock = new Date("2026-11-28T01:59:00Z");
const workers: NightlyWorker[] = [];
const bot = () => t.server.ctx.bot as ModelBot;

// Filled from the first snapshot: one training question per answer. The PIN probe is an example agents
// approve only after v1 is live.
let PROBES: string[] = [];
const PROBE_INTENTS = ["lost_or_stolen_card", "exchange_rate", "age_limit", "change_pin", "top_up_limits"];

async function decideAll(texts: string[] = PROBES): Promise<BotDecision[]> {
  const out: BotDecision[] = [];
  for (const text of texts) out.push(await bot().decide({ conversationId: new mongoose.Types.ObjectId().toString(), text }));
  return out;
}
// The calibrated threshold is strict: pick a question the live model does answer with `answerId`.
async function firstAnswered(texts: string[], answerId: string): Promise<string | null> {
  for (const text of texts) {
    const d = await bot().decide({ conversationId: "probe", text });
    if (d.kind === "reply" && d.answerId === answerId) return text;
  }
  return null;
}
const shape = (d: BotDecision) => (d.kind === "reply" ? `${d.modelVersion}:${d.answerId}` : `${d.modelVersion ?? "-"}:handoff:${d.reason}`);

async function waitFor(what: string, check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function worker(): NightlyWorker {
  // Ticks are driven by the test (huge tickMs); the schedule is read against the injected clock.
  const w = startNightlyWorker({ config: t.config, now: () => clock, tickMs: 3_600_000, leaseTtlMs: 60_000 });
  workers.push(w);
  return w;
}

before(async () => {
  t = await startTestServer();
  admin = await loginAs(t.url, "admin");
  await updateTrainerSettings(
    { schedule: { cron: "0 2 * * *", timezone: "UTC" }, training: { method: "head" }, gate: { epsilon: 0.05 } },
    null,
  );
});
after(async () => {
  for (const w of workers) await w.stop();
  await t.stop();
});

test("with no approved examples a run ends rejected with the reason, and the bot keeps handing off", async () => {
  const res = await admin.post("/api/runs").send({}).expect(201);
  await worker().tick();
  const run = await TrainingRun.findById(res.body.run.id).lean();
  assert.equal(run?.state, "rejected");
  assert.match(run!.reasons[0], /not enough approved examples to train/);
  assert.deepEqual(
    run!.transitions.map((x) => x.state),
    ["queued", "snapshotting", "rejected"],
  );
  assert.equal(bot().activeVersion(), null);
  assert.deepEqual(await bot().decide({ conversationId: "x", text: "hello" }), { kind: "handoff", reason: "no_model" });
});

// What v1 said, by question: the probes and every PIN question agents approve later.
const v1Replies = new Map<string, string>();

test("at 02:00 on the injected clock two trainers queue one run, which trains, passes the gate and goes live", async () => {
  answers = await seedAnswers();
  await seedExamples(answers, ["train", "golden", "golden_must"]);
  const a = worker();
  const b = worker();
  const before = await TrainingRun.countDocuments({});
  await Promise.all([a.tick(), b.tick()]);
  assert.equal(await TrainingRun.countDocuments({}), before, "nothing is due before 02:00");

  clock = new Date("2026-11-28T02:00:20Z");
  await Promise.all([a.tick(), b.tick()]);
  const runs = await TrainingRun.find({ trigger: "schedule" }).lean();
  assert.equal(runs.length, 1, "one scheduled run for two trainer processes");
  const run = runs[0];
  assert.equal(run.triggerKey, "schedule:2026-11-28T02:00:00.000Z");
  assert.equal(run.state, "promoted", `run ended ${run.state}: ${run.reasons.join("; ")} ${run.error ?? ""}`);
  assert.deepEqual(
    run.transitions.map((x) => x.state),
    ["queued", "snapshotting", "training", "evaluating", "promoted"],
  );
  assert.ok(run.epochs.length >= 1 && run.epochs.every((e) => typeof e.loss === "number" && typeof e.valAccuracy === "number"));
  assert.ok(run.logs.length >= 5);

  const v1 = await ModelVersion.findOne({ version: run.candidateVersion }).lean();
  assert.equal(v1?.status, "promoted");
  assert.equal(v1?.parentVersion, null);
  assert.equal(v1?.snapshotHash, run.snapshotHash);
  assert.ok(v1?.gate?.passed);
  assert.ok((v1?.artifact?.files.length ?? 0) >= 2 && v1!.artifact!.files.every((f) => /^[0-9a-f]{64}$/.test(f.sha256!)));
  assert.ok(typeof v1?.metrics.heldout_accuracy === "number" && typeof v1?.metrics.golden_bleu === "number");
  // The threshold was set on out-of-fold predictions of the training and validation examples, not on validation alone.
  assert.ok(v1!.metrics.calibrationExamples > v1!.metrics.valExamples, JSON.stringify(v1!.metrics));

  // This process made the change, so its bot switched right away — no restart.
  await waitFor("bot on v1", () => bot().activeVersion() === "v1");

  const snap = await Snapshot.findOne({ hash: run.snapshotHash }).lean();
  const trainTexts = (intent: string) =>
    snap!.examples.filter((e) => e.split === "train" && e.label === answers[intent]).map((e) => e.text!);
  const pinRows = loopRows().filter((r) => r.role === "later");
  const lostProbe = await firstAnswered(trainTexts("lost_or_stolen_card"), answers.lost_or_stolen_card);
  assert.ok(lostProbe, "v1 answers at least one of its own lost-card training questions");
  PROBES = PROBE_INTENTS.map((intent) =>
    intent === "change_pin" ? pinRows[pinRows.length - 1].text : intent === "lost_or_stolen_card" ? lostProbe : trainTexts(intent)[0],
  );
  assert.ok(PROBES.every((p) => typeof p === "string" && p.length > 0));
  const replies = await decideAll();
  const later = pinRows.map((r) => r.text);
  PROBES.forEach((text, i) => v1Replies.set(text, shape(replies[i])));
  (await decideAll(later)).forEach((d, i) => v1Replies.set(later[i], shape(d)));
  const lost = replies[0];
  assert.equal(lost.kind, "reply", `lost card probe: ${shape(lost)}`);
  assert.equal(lost.kind === "reply" && lost.answerId, answers.lost_or_stolen_card);
  assert.ok(replies.every((d) => d.modelVersion === "v1"));

  // A question unlike anything with an answer is handed off as out of scope, not given the nearest canned reply.
  const v1Manifest = v1!.metrics;
  assert.equal(typeof v1Manifest.outOfScopeAnsweredEstimate, "number", JSON.stringify(v1Manifest));
  const offTopic = await bot().decide({ conversationId: "x", text: "Which team won the world cup in 1998?" });
  assert.equal(offTopic.kind === "handoff" && offTopic.reason, "out_of_scope", shape(offTopic));
});

test("train now from the API: agents' new examples teach v2, replies change without a restart, nothing dropped", async () => {
  // the PIN answer is new to v1 (it never trained on it): its questions are the eval's novel out-of-scope cases
  await seedExamples(answers, ["later"]);
  await seedNotForBot(4);
  const res = await admin.post("/api/runs").send({}).expect(201);
  assert.equal(res.body.created, true);
  const again = await admin.post("/api/runs").send({}).expect(200);
  assert.equal(again.body.run.id, res.body.run.id, "a second click returns the queued run");

  // Customers keep talking while v2 trains, registers and swaps in.
  const seen: string[] = [];
  let chatting = true;
  const chatter = (async () => {
    while (chatting) {
      const d = await bot().decide({ conversationId: "c", text: PROBES[0] });
      seen.push(d.modelVersion ?? "none");
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  await workers[0].tick();
  await waitFor("bot on v2", () => bot().activeVersion() === "v2");
  await new Promise((r) => setTimeout(r, 200));
  chatting = false;
  await chatter;

  const run = await TrainingRun.findById(res.body.run.id).lean();
  assert.equal(run?.state, "promoted", `${run?.reasons.join("; ")} ${run?.error ?? ""}`);
  assert.equal(run?.parentVersion, "v1");
  const v2 = await ModelVersion.findOne({ version: "v2" }).lean();
  assert.equal(v2?.parentVersion, "v1");
  assert.equal(v2?.gate?.comparedWith, "v1");
  assert.equal(v2?.hyperParameters.method, "head");

  // Every message got exactly one answer, first from v1, then from v2, never back.
  assert.ok(seen.length > 5);
  assert.ok(
    seen.every((v) => v === "v1" || v === "v2"),
    seen.join(","),
  );
  assert.equal(seen.indexOf("v2") > 0 ? seen.slice(seen.indexOf("v2")).includes("v1") : false, false, seen.join(","));

  // The PIN probe must have been a training example of v2 (splits are by a hash of the example id).
  const snap2 = await Snapshot.findOne({ hash: run!.snapshotHash }).lean();
  const pinTrain = await firstAnswered(
    snap2!.examples.filter((e) => e.split === "train" && e.label === answers.change_pin).map((e) => e.text!),
    answers.change_pin,
  );
  assert.ok(pinTrain, "v2 answers at least one of its PIN training questions with the PIN answer");
  PROBES[3] = pinTrain;
  const replies = await decideAll();
  const pin = replies[3];
  assert.equal(pin.kind === "reply" && pin.answerId, answers.change_pin, `PIN probe on v2: ${shape(pin)}`);
  assert.notEqual(v1Replies.get(pinTrain), shape(pin), "v1 did not give the PIN answer");
  assert.deepEqual(bot().loadedVersions().sort(), ["v1", "v2"], "the previous version stays loaded");

  // The snapshot records the marks; the eval scored both versions on the out-of-scope part.
  assert.equal(snap2!.counts.outOfScope, 20);
  assert.equal(snap2!.examples.filter((e) => e.outOfScope && e.split === "heldout").length, 4);
  assert.ok(snap2!.balance.some((b) => (b as { outOfScope?: boolean }).outOfScope));
  const report = v2!.report as EvalReport;
  assert.ok(report.outOfScope, "the eval has an out-of-scope part");
  assert.equal(report.outOfScope.marked, 4);
  assert.ok(report.outOfScope.novel > 0 && report.outOfScope.novelAnswers === 1, JSON.stringify(report.outOfScope));
  assert.ok(report.outOfScope.active && report.outOfScope.active.count === report.outOfScope.marked + report.outOfScope.novel);
  assert.equal(typeof v2!.metrics.outOfScope_answered, "number");
  // The same report, but a candidate answering far more of them than the active version: the gate refuses it.
  const settings = await loadTrainerSettings();
  const flipped: EvalReport = {
    ...report,
    outOfScope: {
      ...report.outOfScope,
      candidate: { count: 40, answered: 30, answeredRate: 0.75 },
      active: { count: 40, answered: 2, answeredRate: 0.05 },
    },
  };
  const refused = promotionGate(flipped, settings.gate);
  assert.equal(refused.passed, false);
  assert.ok(
    refused.reasons.some((r) => /^answers 75\.0% of 40 out-of-scope questions, the active version 5\.0%/.test(r)),
    refused.reasons.join("\n"),
  );
  assert.ok(!promotionGate(report, settings.gate).reasons.some((r) => /out-of-scope/.test(r)), "v2 itself passed that check");
});

test("a candidate trained on shuffled labels is rejected with its report; the active version stays", async () => {
  const pool = await Example.find({ golden: false, outOfScope: { $ne: true } })
    .sort({ _id: 1 })
    .lean();
  const labels = pool.map((e) => String(e.answerId));
  let seed = 7;
  for (let i = labels.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const j = seed % (i + 1);
    [labels[i], labels[j]] = [labels[j], labels[i]];
  }
  await Promise.all(pool.map((e, i) => Example.updateOne({ _id: e._id }, { $set: { answerId: labels[i] } })));

  const res = await admin.post("/api/runs").send({}).expect(201);
  await workers[0].tick();
  const run = await TrainingRun.findById(res.body.run.id).lean();
  assert.equal(run?.state, "rejected", `bad candidate ended ${run?.state}`);
  assert.equal(run?.candidateVersion, "v3");
  // Which checks trip depends on how far the warm-started head moved; some check on the golden or held-out
  // suite must, and every reason is recorded on the run and the version.
  assert.ok(run!.reasons.length > 0);
  assert.ok(
    run!.reasons.every((r) => /^(golden|heldout|held-out|replay|must-pass|answers)/.test(r)),
    run!.reasons.join("\n"),
  );

  const v3 = await ModelVersion.findOne({ version: "v3" }).lean();
  assert.equal(v3?.status, "rejected");
  assert.deepEqual(v3?.gate?.reasons, run!.reasons);
  const report = v3?.report as { suites: Record<string, { candidate: { count: number }; active: { count: number } | null }> };
  assert.equal(report.suites.golden.candidate.count, 18);
  assert.equal(report.suites.golden.active?.count, 18, "the active version was scored on the same golden set");
  assert.equal((await readActivePointer()).version, "v2");
  assert.equal(bot().activeVersion(), "v2");

  // The console shows it with its reasons and the diff against the active version.
  const list = await admin.get("/api/models").expect(200);
  const row = list.body.versions.find((v: { version: string }) => v.version === "v3");
  assert.equal(row.status, "rejected");
  assert.equal(typeof row.diff.heldout_accuracy, "number");
  assert.equal(row.gate.passed, false);
  const detail = await admin.get("/api/models/v3").expect(200);
  assert.ok(detail.body.version.report.perLabelDelta.length >= 5);
});

test("rollback puts v1 back in under a second, restores its replies and is audited", async () => {
  const started = Date.now();
  const res = await admin.post("/api/models/rollback").send({ reason: "test" }).expect(200);
  const ms = Date.now() - started;
  assert.equal(res.body.version, "v1");
  assert.equal(res.body.from, "v2");
  assert.equal(bot().activeVersion(), "v1");
  assert.ok(ms < 1000, `rollback took ${ms} ms`);
  assert.deepEqual(
    (await decideAll()).map(shape),
    PROBES.map((p) => v1Replies.get(p)),
  );
  const entry = await AuditEntry.findOne({ action: "model.rollback" }).lean();
  assert.equal(entry?.targetId, "v1");
  assert.equal(entry?.actorEmail, admin.user.email);
  assert.equal((await readActivePointer()).previousVersion, "v2");
});

test("two trainer processes started together produce one run", async () => {
  const env = {
    ...process.env,
    NODE_ENV: "test",
    LOG_LEVEL: "silent",
    MONGODB_URI: t.db.uri,
    MODELS_DIR: t.config.MODELS_DIR,
    DATA_DIR: t.config.DATA_DIR,
  };
  const start = () =>
    new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, ["--import", "tsx", "server/nightly/main.ts"], {
        cwd: root,
        env,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      child.stdout.on("data", (d) => (out += d));
      child.stderr.on("data", (d) => (out += d));
      child.on("exit", (code) => resolve({ code, out }));
    });
  const before = await TrainingRun.countDocuments({ trigger: "cli" });
  const results = await Promise.all([start(), start()]);
  const codes = results.map((r) => r.code).sort();
  assert.equal(await TrainingRun.countDocuments({ trigger: "cli" }), before + 1, results.map((r) => r.out).join("\n---\n"));
  assert.ok(codes.includes(3), `one process must find the lease taken: ${results.map((r) => r.out).join("\n---\n")}`);
  const loser = results.find((r) => r.code === 3)!;
  assert.match(loser.out, /Another trainer holds the lease/);
  const winner = results.find((r) => r.code !== 3)!;
  assert.ok(winner.code === 0 || winner.code === 2, winner.out);
  assert.match(winner.out, /Run [0-9a-f]{24}: (promoted|rejected)/);
});
