// Outbound webhooks against a real receiver: every event of a conversation, signed, once per idempotency
// key; retries with back-off; the delivery log and manual redelivery; disabling after repeated failure.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import mongoose from "mongoose";
import type { Bot } from "../../server/bot/types.js";
import {
  recordCustomerMessage,
  respondToCustomerMessage,
  recordAgentMessage,
  recordFeedback,
  recordBotReply,
} from "../../server/conversationLog/index.js";
import { conversationAssigner } from "../../server/conversationLog/conversationAssigner.js";
import { conversationCloser } from "../../server/conversationLog/conversationCloser.js";
import { modelPromoter } from "../../server/registry/modelPromoter.js";
import { modelRollbacker } from "../../server/registry/modelRollbacker.js";
import { AuditEntry, ModelVersion, Webhook, WebhookDelivery } from "../../server/models/index.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { createUser, loginAs, type LoggedInAgent } from "../helpers/agents.js";
import { startWebhookReceiver, type WebhookReceiver } from "../helpers/webhookReceiver.js";
import { forgetSubscriptions } from "../../server/webhooks/outbox.js";

let t: TestServer;
let receiver: WebhookReceiver;
let admin: LoggedInAgent;
// No model: every customer message is handed off, as on a fresh install.
const noModel: Bot = { decide: async () => ({ kind: "handoff", reason: "no_model" }), activeVersion: () => null };

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 15_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

before(async () => {
  receiver = await startWebhookReceiver();
  t = await startTestServer(
    { OUTBOUND_ALLOWED_URLS: receiver.url, WEBHOOK_RETRY_BASE_MS: "100", WEBHOOK_MAX_ATTEMPTS: "4", WEBHOOK_DISABLE_AFTER: "6" },
    { bot: noModel },
  );
  admin = await loginAs(t.url, "admin");
});
after(async () => {
  await t?.stop();
  await receiver?.close();
});

test("every event of a conversation arrives signed, once per idempotency key, in order of the changes", async () => {
  await admin
    .post("/api/webhooks")
    .send({ url: "https://not-listed.example/hook", events: ["message.created"] })
    .expect(400);
  await admin
    .post("/api/webhooks")
    .send({ url: receiver.url, events: ["nope"] })
    .expect(400);
  const created = await admin
    .post("/api/webhooks")
    .send({
      url: `${receiver.url}/hook`,
      events: [
        "conversation.created",
        "message.created",
        "conversation.handoff",
        "conversation.assigned",
        "conversation.resolved",
        "feedback.created",
        "model.promoted",
        "model.rolled_back",
      ],
    })
    .expect(201);
  receiver.setSecret(created.body.signingSecret);
  assert.ok(!JSON.stringify((await admin.get("/api/webhooks").expect(200)).body).includes("whsec_"), "the secret is shown once only");
  const agentUser = await createUser("agent", { name: "Ann Agent" });
  const agent = { id: agentUser.id, email: agentUser.email, name: agentUser.name, role: "agent" as const };
  const ctx = t.server.ctx;

  const customerId = `cus_${crypto.randomBytes(12).toString("base64url")}`;
  const first = await recordCustomerMessage(ctx, { customerId, clientId: crypto.randomUUID(), text: "where is my order?" });
  await respondToCustomerMessage(ctx, first.conversation, first.message); // hand-off
  const conversationId = String(first.conversation._id);
  await conversationAssigner(ctx, agent, conversationId);
  await recordAgentMessage(ctx, { conversationId, agentId: agent.id, clientId: crypto.randomUUID(), text: "Let me check." });
  const bot = await recordBotReply(
    ctx,
    first.conversation,
    {
      kind: "reply",
      answerId: String(new mongoose.Types.ObjectId()),
      text: "Orders ship in 2 days.",
      confidence: 0.9,
      modelVersion: "v1",
      replyId: "r",
      alternatives: [],
    },
    new mongoose.Types.ObjectId(),
  );
  assert.equal(bot, null, "the bot stays quiet while the agent has it");
  await conversationCloser(ctx, agent, conversationId);

  const artifact = { manifestSha256: "x", files: [] };
  await ModelVersion.create([
    { version: "v1", snapshotHash: "s1", artifact, status: "promoted", promotedAt: new Date() },
    { version: "v2", snapshotHash: "s2", artifact, status: "candidate" },
  ]);
  await mongoose.connection
    .db!.collection("settings")
    .updateOne(
      { _id: "activeModel" as never },
      { $set: { value: { version: "v1", previousVersion: null, pinned: false } }, $inc: { seq: 1 } },
      { upsert: true },
    );
  await modelPromoter({ version: "v2", actor: { id: agent.id, email: "admin@x" }, reason: "manual" } as Parameters<
    typeof modelPromoter
  >[0]);
  await modelRollbacker({ actor: null, reason: "worse" });

  const expected = [
    "conversation.created",
    "message.created",
    "message.created",
    "conversation.handoff",
    "message.created",
    "conversation.assigned",
    "message.created",
    "message.created",
    "conversation.resolved",
    "model.promoted",
    "model.rolled_back",
  ];
  await until("all events", () => receiver.keys().length >= expected.length);
  await new Promise((r) => setTimeout(r, 300));
  // Deliveries go out in parallel, so arrival order is not guaranteed; the envelope's createdAt and the message
  // seq give the order of the changes.
  assert.deepEqual(receiver.received.map((e) => e.event).sort(), [...expected].sort());
  const byTime = [...receiver.received].sort((x, y) => x.body.createdAt.localeCompare(y.body.createdAt)).map((e) => e.event);
  assert.equal(byTime.at(-1), "model.rolled_back");
  assert.equal(byTime[0], "conversation.created");
  assert.equal(receiver.keys().length, receiver.received.length, "each key delivered once");
  assert.ok(receiver.received.every((e) => e.signatureOk));
  assert.ok(receiver.received.every((e) => e.key === e.body.id));
  const handoff = receiver.received.find((e) => e.event === "conversation.handoff")!.body.data;
  assert.equal(handoff.reason, "no_model");
  assert.deepEqual(
    handoff.lastMessages.map((m: { text: string }) => m.text),
    ["where is my order?"],
  );
  assert.equal(receiver.received.find((e) => e.event === "conversation.assigned")!.body.data.agent.name, "Ann Agent");
  assert.deepEqual(receiver.received.find((e) => e.event === "model.rolled_back")!.body.data.version, "v1");
  const log = await admin.get(`/api/webhooks/${created.body.webhook.id}/deliveries?limit=100`).expect(200);
  assert.equal(log.body.deliveries.length, expected.length);
  assert.ok(log.body.deliveries.every((d: { status: string; attempts: number }) => d.status === "delivered" && d.attempts === 1));
  await admin.patch(`/api/webhooks/${created.body.webhook.id}`).send({ version: 1, status: "disabled" }).expect(200);
});

test("feedback events; a failing receiver is retried with back-off and the same key; manual redelivery resends it", async () => {
  // Only this test's subscription from here on.
  await Webhook.updateMany({}, { $set: { status: "disabled" } });
  forgetSubscriptions();
  const created = await admin
    .post("/api/webhooks")
    .send({ url: receiver.url, events: ["feedback.created"] })
    .expect(201);
  receiver.setSecret(created.body.signingSecret);
  receiver.received.length = 0;
  const ctx = t.server.ctx;
  const customerId = `cus_${crypto.randomBytes(12).toString("base64url")}`;
  const asked = await recordCustomerMessage(ctx, { customerId, clientId: crypto.randomUUID(), text: "hi" });
  const reply = await recordBotReply(
    ctx,
    asked.conversation,
    {
      kind: "reply",
      answerId: String(new mongoose.Types.ObjectId()),
      text: "Hello!",
      confidence: 0.9,
      modelVersion: "v1",
      replyId: "r2",
      alternatives: [],
    },
    asked.message._id,
  );
  receiver.status = 503;
  await recordFeedback(ctx, { customerId, messageId: String(reply!.message._id), value: "down" });
  const deliveries = () => WebhookDelivery.find({ webhookId: created.body.webhook.id }).lean();
  await until("two failed attempts", async () => (await deliveries())[0]?.attempts >= 2);
  const failing = (await deliveries())[0];
  assert.equal(failing.lastError, "HTTP 503");
  // Between attempts it waits for its back-off (or a third attempt is under way right now).
  assert.ok(
    failing.status === "delivering" || failing.nextAttemptAt.getTime() > failing.lastAttemptAt!.getTime(),
    "the next attempt is scheduled later",
  );
  receiver.status = 200;
  await until("delivered", async () => (await deliveries())[0]?.status === "delivered");
  assert.equal(receiver.received.length, 1);
  assert.equal(receiver.received[0].body.data.value, "down");

  const id = String(failing._id);
  const again = await admin.post(`/api/webhooks/deliveries/${id}/redeliver`).send({}).expect(200);
  assert.equal(again.body.delivery.status, "pending");
  await until("redelivered", () => receiver.received.length === 2);
  assert.equal(receiver.received[1].key, receiver.received[0].key, "a redelivery carries the same idempotency key");
  await admin.post(`/api/webhooks/deliveries/${new mongoose.Types.ObjectId()}/redeliver`).send({}).expect(404);
});

test("a subscription that keeps failing is disabled, with a notice for admins and an audit entry", async () => {
  receiver.status = 200;
  await Webhook.updateMany({}, { $set: { status: "disabled" } });
  forgetSubscriptions();
  const created = await admin
    .post("/api/webhooks")
    .send({ url: `${receiver.url}/broken`, events: ["message.created"] })
    .expect(201);
  receiver.setSecret("whsec_wrong"); // every delivery is refused (401)
  const ctx = t.server.ctx;
  for (let i = 0; i < 3; i++)
    await recordCustomerMessage(ctx, {
      customerId: `cus_${crypto.randomBytes(12).toString("base64url")}`,
      clientId: crypto.randomUUID(),
      text: `hello ${i}`,
    });
  await until("disabled", async () => (await Webhook.findById(created.body.webhook.id).lean())?.status === "disabled", 20_000);
  // the admin notice is written just after the status changes
  let list = await admin.get("/api/webhooks").expect(200);
  await until(
    "the notice",
    async () => {
      list = await admin.get("/api/webhooks").expect(200);
      return list.body.notices.some((n: { webhookId: string }) => n.webhookId === created.body.webhook.id);
    },
    10_000,
  );
  const notice = list.body.notices.find((n: { webhookId: string }) => n.webhookId === created.body.webhook.id);
  // Deliveries fail in parallel, so the count that tripped it may pass the threshold (6) by a few.
  const tripped = /^disabled after (\d+) failed attempts in a row \(last: HTTP 401\)$/.exec(notice.message);
  assert.ok(tripped && Number(tripped[1]) >= 6, notice.message);
  assert.ok(await AuditEntry.exists({ action: "webhook.disabled", targetId: created.body.webhook.id }));
  // Re-enabled with the right secret: the backlog goes out.
  receiver.setSecret(created.body.signingSecret);
  receiver.received.length = 0;
  const current = (await Webhook.findById(created.body.webhook.id).lean())!;
  await admin.patch(`/api/webhooks/${created.body.webhook.id}`).send({ version: current.version, status: "active" }).expect(200);
  const pending = await WebhookDelivery.find({ webhookId: created.body.webhook.id, status: { $ne: "dead" } }).lean();
  for (const d of await WebhookDelivery.find({ webhookId: created.body.webhook.id, status: "dead" }).lean()) {
    await admin.post(`/api/webhooks/deliveries/${d._id}/redeliver`).send({}).expect(200);
  }
  await until("backlog delivered", () => receiver.keys().length === 3);
  assert.ok(pending.length <= 3);
  const agent = await loginAs(t.url, "agent");
  await agent.get("/api/webhooks").expect(403);
});
