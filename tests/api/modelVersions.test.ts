import { test } from "node:test";
import assert from "node:assert/strict";
import request from "supertest";
import mongoose from "mongoose";
import type { TestServer } from "../helpers/server.js";
import { useTestServerWithLogins } from "../helpers/suite.js";
import type { LoggedInAgent } from "../helpers/agents.js";
import { ModelVersion } from "../../server/models/modelVersion.js";
import { Conversation } from "../../server/models/conversation.js";
import { Message } from "../../server/models/message.js";
import { AuditEntry } from "../../server/models/auditEntry.js";
import { readActivePointer } from "../../server/registry/activeModel.js";
import { randomUUID } from "node:crypto";
import { connectCustomer } from "../helpers/socketClient.js";

let t: TestServer;
let admin: LoggedInAgent;
let agent: LoggedInAgent;
useTestServerWithLogins((s) => ({ t, admin, agent } = s));

const artifact = { manifestSha256: "0".repeat(64), files: [], totalBytes: 0 };

test("with no versions the table is empty and nothing is active", async () => {
  await request(t.url).get("/api/models").expect(401);
  const res = await agent.get("/api/models").expect(200);
  assert.deepEqual(res.body.versions, []);
  assert.equal(res.body.active.version, null);
  assert.equal(res.body.serving, null);
});

test("promote / rollback / pin are admin-only, validated, and refuse clearly", async () => {
  await agent.post("/api/models/rollback").send({}).expect(403);
  await agent.post("/api/models/pin").send({ pinned: true }).expect(403);
  await agent.post("/api/models/v1/promote").send({}).expect(403);
  await admin.post("/api/models/pin").send({ pinned: "yes" }).expect(400);
  await admin.post("/api/models/bad%20name/promote").send({}).expect(400);
  await admin.post("/api/models/v404/promote").send({}).expect(404);
  const none = await admin.post("/api/models/rollback").send({}).expect(409);
  assert.match(none.body.error.message, /no previous version/);
  await admin.post("/api/models/rollback").send({ version: "v1", extra: 1 }).expect(400);
  assert.equal((await readActivePointer()).version, null);
});

test("the versions table shows metrics and the diff against the active version", async () => {
  await ModelVersion.create([
    {
      version: "v1",
      snapshotHash: "s1",
      artifact,
      status: "promoted",
      promotedAt: new Date(),
      metrics: { heldout_accuracy: 0.8, golden_accuracy: 0.9 },
      gate: { passed: true },
    },
    {
      version: "v2",
      snapshotHash: "s2",
      artifact,
      status: "rejected",
      parentVersion: "v1",
      metrics: { heldout_accuracy: 0.5, golden_accuracy: 0.95 },
      gate: { passed: false, reasons: ["heldout accuracy regressed"] },
      report: { suites: {}, perLabelDelta: [], failedGolden: [] },
    },
  ]);
  await mongoose.connection
    .db!.collection("settings")
    .updateOne(
      { _id: "activeModel" as never },
      { $set: { value: { version: "v1", previousVersion: null, pinned: false } }, $inc: { seq: 1 } },
      { upsert: true },
    );
  const res = await agent.get("/api/models").expect(200);
  const v2 = res.body.versions.find((v: { version: string }) => v.version === "v2");
  assert.equal(res.body.active.version, "v1");
  assert.equal(v2.status, "rejected");
  assert.ok(Math.abs(v2.diff.heldout_accuracy - -0.3) < 1e-9);
  assert.ok(Math.abs(v2.diff.golden_accuracy - 0.05) < 1e-9);
  assert.deepEqual(v2.gate.reasons, ["heldout accuracy regressed"]);
  assert.equal(v2.canRollBackTo, false);
  const v1 = res.body.versions.find((v: { version: string }) => v.version === "v1");
  assert.equal(v1.active, true);
  assert.equal(v1.diff, null);
  const detail = await agent.get("/api/models/v2").expect(200);
  assert.deepEqual(detail.body.version.report, { suites: {}, perLabelDelta: [], failedGolden: [] });
  await agent.get("/api/models/v9").expect(404);

  await admin.post("/api/models/pin").send({ pinned: true }).expect(200);
  assert.equal((await readActivePointer()).pinned, true);
  assert.equal(await AuditEntry.countDocuments({ action: "model.pin" }), 1);
});

test("daily analytics per version: containment, hand-off rate, thumbs-up rate", async () => {
  const day = new Date();
  // v1 became active (audited) before the traffic below.
  await AuditEntry.create({ at: new Date(day.getTime() - 3600_000), action: "model.promote", targetType: "modelVersion", targetId: "v1" });
  const msg = (conversationId: mongoose.Types.ObjectId, seq: number, role: string, extra: Record<string, unknown> = {}) => ({
    conversationId,
    seq,
    role,
    text: "t",
    clientId: `${conversationId}-${seq}`,
    ...extra,
  });
  const bot = (v: string) => ({ modelVersion: v, confidence: 0.9, replyId: "r" });
  const [c1, c2, c3] = await Conversation.create([{ customerId: "a" }, { customerId: "b" }, { customerId: "c" }]);
  await Message.insertMany([
    msg(c1._id, 1, "customer"),
    msg(c1._id, 2, "bot", { bot: bot("v1"), feedback: "up" }), // contained
    msg(c2._id, 1, "customer"),
    msg(c2._id, 2, "bot", { bot: bot("v1"), feedback: "down" }),
    msg(c2._id, 3, "customer"),
    msg(c2._id, 4, "system", { handoffReason: "low_confidence" }), // v1 handed off
    msg(c2._id, 5, "agent"),
    msg(c3._id, 1, "customer"),
    msg(c3._id, 2, "bot", { bot: bot("v1"), feedback: "up" }), // contained
  ]);
  await request(t.url).get("/api/analytics/models").expect(401);
  await agent.get("/api/analytics/models?days=0").expect(400);
  const res = await agent.get("/api/analytics/models?days=7").expect(200);
  const row = res.body.rows.find((r: { version: string }) => r.version === "v1");
  assert.equal(row.day, day.toISOString().slice(0, 10));
  assert.equal(row.replies, 3);
  assert.equal(row.handoffs, 1);
  assert.equal(row.handoffRate, 0.25);
  assert.equal(row.conversations, 3);
  assert.equal(row.contained, 2);
  assert.ok(Math.abs(row.containment - 2 / 3) < 1e-9);
  assert.ok(Math.abs(row.thumbsUpRate - 2 / 3) < 1e-9);
});

test("turn latency by stage: a widget message's turn is timed from arrival to the stored reply", async () => {
  await request(t.url).get("/api/analytics/latency").expect(401);
  const customer = await connectCustomer(t.url);
  try {
    const handedOff = customer.next("message:new", (m: { role: string }) => m.role === "system");
    await customer.request("message:send", { clientId: randomUUID(), text: "Is anyone there?" });
    await handedOff;
  } finally {
    customer.close();
  }
  const { body } = await agent.get("/api/analytics/latency").expect(200);
  assert.ok(body.turns >= 1);
  for (const stage of ["record", "wait", "context", "decide", "store", "total"]) {
    const s = body.stages[stage];
    assert.ok(s && s.count >= 1 && s.p50 >= 0 && s.p50 <= s.p99 && s.p99 <= s.max, `${stage}: ${JSON.stringify(s)}`);
  }
  assert.ok(body.stages.total.max >= body.stages.record.max, "the whole turn is at least as long as storing the message");
  assert.equal(body.stages.inference, undefined, "no model is active, so nothing ran one");
  await agent.get("/api/analytics/latency?x=1").expect(400);
});
