import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import request from "supertest";
import type { TestServer } from "../helpers/server.js";
import { useTestServerWithLogins } from "../helpers/suite.js";
import { createAnswer, seedBotExchange, type LoggedInAgent } from "../helpers/agents.js";
import { connectCustomer } from "../helpers/socketClient.js";
import { AuditEntry } from "../../server/models/auditEntry.js";
import { Conversation } from "../../server/models/conversation.js";
import { Example } from "../../server/models/example.js";
import { Message } from "../../server/models/message.js";
import { snapshotBuilder } from "../../server/snapshot/snapshotBuilder.js";
import { trainerSettingsSchema } from "../../server/nightly/settings.js";
import { retentionPurger, startRetentionSchedule } from "../../server/privacy/retentionPurger.js";
import { ERASED_TEXT } from "../../server/privacy/customerEraser.js";

// Export and erasure of one customer through the admin API, against the real server and database, and
// the retention purge. The snapshot check uses a character-trigram embedder: the snapshot's near-duplicate
// step needs some embedding, and loading the real encoder would only slow this file down.
const trigramEmbed = async (texts: string[]) =>
  texts.map((t) => {
    const v = new Array(64).fill(0);
    const s = ` ${t.toLowerCase()} `;
    for (let i = 0; i + 3 <= s.length; i++)
      v[
        crypto
          .createHash("md5")
          .update(s.slice(i, i + 3))
          .digest()[0] % 64
      ] += 1;
    const n = Math.hypot(...v) || 1;
    return v.map((x) => x / n);
  });

let t: TestServer;
let admin: LoggedInAgent;
let agent: LoggedInAgent;
useTestServerWithLogins((s) => ({ t, admin, agent } = s));

const QUESTIONS_A = ["Where is my parcel to 12 Elm Street?", "Can you cancel order for Alice Martin?"];
const QUESTIONS_B = ["How do I change my delivery address?", "Do you ship to Norway at all?"];

async function approvedExchange(customerId: string, question: string, answerId: string) {
  const seeded = await seedBotExchange(t.server.ctx, { customerId, question, answerId });
  const res = await admin.post(`/api/reviews/${seeded.reply._id}/approve`).send({ answerId });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return seeded;
}

test("a customer's data is exported, then erased everywhere, and the next snapshot leaves their examples out", async () => {
  const [shipping, orders] = [await createAnswer("Shipping", "We ship in 2 days."), await createAnswer("Orders", "Order help.")];
  const a = `cus_${crypto.randomBytes(12).toString("base64url")}`;
  const b = `cus_${crypto.randomBytes(12).toString("base64url")}`;
  for (const q of QUESTIONS_A) await approvedExchange(a, q, String(orders._id));
  for (const q of QUESTIONS_B) await approvedExchange(b, q, String(shipping._id));
  // Enough other approved examples for a snapshot over two answers.
  const filler = [
    "track my package",
    "when does it ship",
    "shipping cost to france",
    "is express shipping available",
    "how long is delivery",
  ];
  await Example.create(
    filler.flatMap((q) => [
      { question: q, answerId: shipping._id, source: { kind: "manual" } },
      { question: `${q} for my order please`, answerId: orders._id, source: { kind: "manual" } },
    ]),
  );
  // The customer also talks through the real widget socket.
  const widget = await connectCustomer(t.url);
  const sent = await widget.request("message:send", { clientId: "c-1", text: "my email is alice@example.com" });
  assert.equal(sent.ok, true);
  widget.close();
  const w = widget.session.customerId;

  // Only admins: an agent is refused both routes.
  assert.equal((await agent.get(`/api/privacy/customers/${a}/export`)).status, 403);
  assert.equal((await agent.delete(`/api/privacy/customers/${a}`)).status, 403);
  assert.equal((await request(t.url).get(`/api/privacy/customers/${a}/export`)).status, 401);

  const exported = await admin.get(`/api/privacy/customers/${a}/export`);
  assert.equal(exported.status, 200);
  assert.equal(exported.body.customerId, a);
  assert.equal(exported.body.conversations.length, QUESTIONS_A.length);
  const texts = exported.body.conversations.flatMap((c: { messages: { text: string }[] }) => c.messages.map((m) => m.text));
  for (const q of QUESTIONS_A) assert.ok(texts.includes(q), q);
  for (const q of QUESTIONS_B) assert.ok(!texts.includes(q), "another customer's message leaked into the export");
  assert.deepEqual(exported.body.trainingExamples.map((e: { question: string }) => e.question).sort(), [...QUESTIONS_A].sort());
  const widgetExport = await admin.get(`/api/privacy/customers/${w}/export`);
  assert.equal(widgetExport.body.conversations[0].messages[0].text, "my email is alice@example.com");

  const before = { messages: await Message.countDocuments(), b: await Conversation.countDocuments({ customerId: b }) };
  const erased = await admin.delete(`/api/privacy/customers/${a}`);
  assert.equal(erased.status, 200, JSON.stringify(erased.body));
  assert.deepEqual(erased.body.erased, { conversations: 2, messages: 4, examples: 2 });
  assert.equal(await Conversation.countDocuments({ customerId: a }), 0);
  assert.equal(await Message.countDocuments(), before.messages - 4);
  assert.equal(await Conversation.countDocuments({ customerId: b }), before.b, "another customer's data was touched");
  const tombstones = await Example.find({ "source.customerId": a }).lean();
  assert.ok(tombstones.every((e) => e.status === "deleted" && e.question === ERASED_TEXT));
  const stillThere = await admin.get(`/api/privacy/customers/${a}/export`);
  assert.equal(stillThere.body.conversations.length, 0);
  assert.ok(stillThere.body.trainingExamples.every((e: { question: string }) => e.question === ERASED_TEXT));

  // Erasing is idempotent and a repeat finds nothing more.
  const again = await admin.delete(`/api/privacy/customers/${a}`);
  assert.deepEqual(again.body.erased, { conversations: 0, messages: 0, examples: 0 });

  const settings = trainerSettingsSchema.parse({ snapshot: { minPerAnswer: 1, minExamples: 2, nearDuplicateThreshold: 0.999 } }).snapshot;
  const snapshot = await snapshotBuilder({ settings, embed: trigramEmbed });
  const inSnapshot = new Set(snapshot.examples.map((e) => e.exampleId));
  for (const e of tombstones) assert.ok(!inSnapshot.has(String(e._id)), "an erased customer's example reached the snapshot");
  assert.ok(!snapshot.examples.some((e) => QUESTIONS_A.includes(e.text ?? "")));
  const bExamples = await Example.find({ "source.customerId": b }).lean();
  assert.ok(
    bExamples.some((e) => inSnapshot.has(String(e._id))),
    "the other customer's examples should still train",
  );

  const actions = (await AuditEntry.find({ targetId: a }).lean()).map((e) => e.action);
  assert.ok(actions.includes("privacy.export") && actions.includes("privacy.erase"), actions.join(","));
});

test("privacy routes refuse hostile input with 400, never 5xx", async () => {
  for (const id of ["%24gt", "a".repeat(65), "..%2F..%2Fetc", "x%00y", "%7B%22%24ne%22%3A1%7D"]) {
    const res = await admin.get(`/api/privacy/customers/${id}/export`);
    assert.ok([400, 404].includes(res.status), `${id}: ${res.status}`);
  }
  const withBody = await admin.delete("/api/privacy/customers/cus_x").send({ $where: "sleep(1000)" });
  assert.equal(withBody.status, 400);
  const noCsrf = await request(t.url).delete("/api/privacy/customers/cus_x").set("Cookie", admin.cookie);
  assert.equal(noCsrf.status, 403);
});

test("the retention purge deletes conversations idle longer than RETENTION_DAYS, with their messages, and keeps recent ones", async () => {
  const old = await seedBotExchange(t.server.ctx, { question: "an old question" });
  const recent = await seedBotExchange(t.server.ctx, { question: "a recent question" });
  const longAgo = new Date(Date.now() - 40 * 24 * 3600 * 1000);
  // Backdate through the driver: mongoose would overwrite updatedAt on a model update.
  await Conversation.collection.updateOne({ _id: old.conversation._id }, { $set: { updatedAt: longAgo } });
  assert.deepEqual(await retentionPurger(0), { conversations: 0, messages: 0 }, "0 days means keep forever");
  const purged = await retentionPurger(30);
  assert.equal(purged.conversations, 1);
  assert.equal(purged.messages, 2);
  assert.equal(await Conversation.countDocuments({ _id: old.conversation._id }), 0);
  assert.equal(await Message.countDocuments({ conversationId: old.conversation._id }), 0);
  assert.equal(await Message.countDocuments({ conversationId: recent.conversation._id }), 2);
});

test("the retention schedule purges at start and then on every tick; RETENTION_DAYS=0 schedules nothing", async () => {
  const old = await seedBotExchange(t.server.ctx, { question: "stale question" });
  await Conversation.collection.updateOne(
    { _id: old.conversation._id },
    { $set: { updatedAt: new Date(Date.now() - 10 * 24 * 3600 * 1000) } },
  );
  const off = startRetentionSchedule({ RETENTION_DAYS: 0 }, 20);
  await new Promise((r) => setTimeout(r, 100));
  off();
  assert.equal(await Conversation.countDocuments({ _id: old.conversation._id }), 1, "0 days keeps everything");
  const stop = startRetentionSchedule({ RETENTION_DAYS: 7 }, 50);
  try {
    const deadline = Date.now() + 5000;
    while ((await Conversation.countDocuments({ _id: old.conversation._id })) > 0) {
      assert.ok(Date.now() < deadline, "the scheduled purge did not run");
      await new Promise((r) => setTimeout(r, 50));
    }
    // A conversation that goes stale later is caught by a later tick, not only at start.
    const later = await seedBotExchange(t.server.ctx, { question: "goes stale later" });
    await Conversation.collection.updateOne(
      { _id: later.conversation._id },
      { $set: { updatedAt: new Date(Date.now() - 8 * 24 * 3600 * 1000) } },
    );
    while ((await Conversation.countDocuments({ _id: later.conversation._id })) > 0) {
      assert.ok(Date.now() < deadline, "a later tick did not purge");
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    stop();
  }
});
