import { test } from "node:test";
import assert from "node:assert/strict";
import request from "supertest";
import type { TestServer } from "../helpers/server.js";
import { useTestServerWithLogins } from "../helpers/suite.js";
import type { LoggedInAgent } from "../helpers/agents.js";
import { TrainingRun } from "../../server/models/trainingRun.js";
import { Setting } from "../../server/models/setting.js";
import { AuditEntry } from "../../server/models/auditEntry.js";

let t: TestServer;
let admin: LoggedInAgent;
let agent: LoggedInAgent;
useTestServerWithLogins((s) => ({ t, admin, agent } = s));

test("runs and trainer settings need a session; changing them needs an admin", async () => {
  await request(t.url).get("/api/runs").expect(401);
  await request(t.url).get("/api/trainer/settings").expect(401);
  await agent.get("/api/runs").expect(200);
  await agent.post("/api/runs").send({}).expect(403);
  await agent
    .patch("/api/trainer/settings")
    .send({ schedule: { cron: "0 3 * * *" } })
    .expect(403);
  assert.equal(await TrainingRun.countDocuments({}), 0);
});

test("train now queues one run; a second click returns it; it is audited and listed", async () => {
  const first = await admin.post("/api/runs").send({}).expect(201);
  assert.equal(first.body.created, true);
  assert.equal(first.body.run.state, "queued");
  assert.equal(first.body.run.trigger, "manual");
  assert.equal(first.body.run.requestedBy, admin.user.email);
  const second = await admin.post("/api/runs").send({}).expect(200);
  assert.equal(second.body.run.id, first.body.run.id);
  assert.equal(second.body.created, false);
  await admin.post("/api/runs").send({ epochs: 3 }).expect(400);

  const list = await admin.get("/api/runs").expect(200);
  assert.deepEqual(
    list.body.runs.map((r: { id: string }) => r.id),
    [first.body.run.id],
  );
  const one = await admin.get(`/api/runs/${first.body.run.id}`).expect(200);
  assert.deepEqual(
    one.body.run.transitions.map((x: { state: string }) => x.state),
    ["queued"],
  );
  assert.equal(one.body.snapshot, null);
  await admin.get("/api/runs/not-an-id").expect(400);
  await admin.get("/api/runs/0123456789abcdef01234567").expect(404);
  assert.equal(await AuditEntry.countDocuments({ action: "trainer.run_requested" }), 1);
});

test("schedule settings: defaults from the environment, validated updates, nothing written on bad input", async () => {
  const initial = await admin.get("/api/trainer/settings").expect(200);
  assert.equal(initial.body.settings.schedule.cron, "0 2 * * *");
  assert.equal(initial.body.settings.schedule.timezone, "UTC");
  assert.match(initial.body.nextRunAt, /T02:00:00\.000Z$/);

  const bad = await admin
    .patch("/api/trainer/settings")
    .send({ schedule: { cron: "every night" } })
    .expect(400);
  assert.equal(bad.body.error.code, "invalid_input");
  assert.match(JSON.stringify(bad.body.error.details), /not a valid cron expression/);
  await admin
    .patch("/api/trainer/settings")
    .send({ schedule: { timezone: "Nowhere/Land" } })
    .expect(400);
  await admin
    .patch("/api/trainer/settings")
    .send({ gate: { epsilon: 2 } })
    .expect(400);
  await admin.patch("/api/trainer/settings").send({ surprise: true }).expect(400);
  assert.equal(await Setting.countDocuments({ _id: "trainer" }), 0);

  const ok = await admin
    .patch("/api/trainer/settings")
    .send({ schedule: { cron: "30 1 * * *", timezone: "Europe/Paris" }, gate: { epsilon: 0.03 } })
    .expect(200);
  assert.equal(ok.body.settings.schedule.cron, "30 1 * * *");
  assert.equal(ok.body.settings.gate.epsilon, 0.03);
  assert.equal(ok.body.settings.gate.minAccuracy, 0.6, "untouched fields keep their values");
  const hour = new Date(ok.body.nextRunAt).toLocaleString("en-GB", { timeZone: "Europe/Paris", hour: "2-digit", minute: "2-digit" });
  assert.equal(hour, "01:30");
  const again = await agent.get("/api/trainer/settings").expect(200);
  assert.equal(again.body.settings.schedule.timezone, "Europe/Paris");
});
