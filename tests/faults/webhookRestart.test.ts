// kill -9 of the chat server between changes and their webhook deliveries (some queued, one in flight at the
// receiver). After a restart every event of the conversation reaches the receiver: nothing lost, and
// anything sent twice carries the same idempotency key.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { freePort } from "../../server/db/embeddedMongo.js";
import { Message, WebhookDelivery } from "../../server/models/index.js";
import { startTestDatabase, type TestDatabase } from "../helpers/database.js";
import { killHard, recordHardening, waitUntil } from "../helpers/faults.js";
import { startChatProcess, type ChatProcess } from "../helpers/processes.js";
import { loginAs } from "../helpers/agents.js";
import { connectCustomer } from "../helpers/socketClient.js";
import { startWebhookReceiver, type WebhookReceiver } from "../helpers/webhookReceiver.js";

let db: TestDatabase;
let chat: ChatProcess | null = null;
let receiver: WebhookReceiver;
let port: number;
const counts = { events: 0, lost: 0, resentSameKey: 0, duplicatedOtherKey: 0 };
const env = () => ({
  MONGODB_URI: db.uri,
  SESSION_SECRET: "fault-test-secret-0123456789",
  OUTBOUND_ALLOWED_URLS: receiver.url,
  WEBHOOK_RETRY_BASE_MS: "200",
});

before(async () => {
  db = await startTestDatabase();
  receiver = await startWebhookReceiver();
  port = await freePort();
  chat = await startChatProcess("webhook-kill", env(), port);
});
after(async () => {
  await chat?.stop();
  await receiver?.close();
  await db?.stop();
  await recordHardening("faults.webhookRestart", counts);
});

test("kill -9 with deliveries queued and one in flight: after the restart each event arrives, only its own key repeated", async () => {
  const admin = await loginAs(chat!.url, "admin");
  const sub = await admin
    .post("/api/webhooks")
    .send({ url: receiver.url, events: ["conversation.created", "message.created", "conversation.handoff"] })
    .expect(201);
  receiver.setSecret(sub.body.signingSecret);
  // The receiver takes the first delivery and holds its answer: the server is killed before it hears back.
  receiver.holdMs = 60_000;
  const customer = await connectCustomer(chat!.url);
  const first = await customer.request("message:send", { clientId: crypto.randomUUID(), text: "where is my order?" });
  const conversationId = first.conversation.id;
  for (const text of ["it is 4321", "hello?"])
    await customer.request("message:send", { conversationId, clientId: crypto.randomUUID(), text });
  // 1 conversation.created + 3 customer messages + the hand-off notice and its event.
  await waitUntil("the outbox holds every event", async () => (await WebhookDelivery.countDocuments({})) >= 6);
  await waitUntil("one delivery in flight at the receiver", () => receiver.received.length >= 1);
  customer.close();
  await killHard(chat!);
  chat = null;
  const inFlight = receiver.keys();

  receiver.holdMs = 0;
  chat = await startChatProcess("webhook-restart", env(), port);
  const expectedKeys = [
    `conversation.created:${conversationId}`,
    ...(await Message.find({ conversationId }).sort({ seq: 1 }).lean()).map((m) => `message.created:${m._id}`),
    ...(await Message.find({ conversationId, role: "system", handoffReason: { $ne: null } }).lean()).map(
      (m) => `conversation.handoff:${m._id}`,
    ),
  ];
  assert.equal(
    expectedKeys.length,
    6,
    JSON.stringify({ expectedKeys, outbox: (await WebhookDelivery.find({}).lean()).map((d) => d.eventId) }),
  );
  // The in-flight row is due again once its lease (10 s) runs out.
  await waitUntil("every event delivered", () => expectedKeys.every((k) => receiver.keys().includes(k)), 40_000);
  await waitUntil(
    "the outbox is drained",
    async () => (await WebhookDelivery.countDocuments({ status: { $ne: "delivered" } })) === 0,
    20_000,
  );

  const perKey = new Map<string, number>();
  for (const e of receiver.received) perKey.set(e.key, (perKey.get(e.key) ?? 0) + 1);
  counts.events = expectedKeys.length;
  counts.lost = expectedKeys.filter((k) => !perKey.has(k)).length;
  counts.resentSameKey = [...perKey.values()].filter((n) => n > 1).length;
  counts.duplicatedOtherKey = receiver.received.length - perKey.size - [...perKey.values()].reduce((a, n) => a + n - 1, 0);
  assert.equal(counts.lost, 0);
  assert.deepEqual([...perKey.keys()].sort(), [...expectedKeys].sort(), "no event beyond the conversation's own");
  // Only the delivery that was in flight at the kill may have arrived twice — under its own key.
  for (const [key, n] of perKey) if (n > 1) assert.ok(inFlight.includes(key), `${key} arrived ${n} times`);
  assert.ok(receiver.received.every((e) => e.signatureOk));
  // The body is identical on the resend: the receiver can deduplicate by key alone.
  for (const key of inFlight) {
    const copies = receiver.received.filter((e) => e.key === key).map((e) => JSON.stringify(e.body));
    assert.equal(new Set(copies).size, 1);
  }
  console.log(
    `faults: ${expectedKeys.length} events, ${counts.lost} lost, ${counts.resentSameKey} resent with the same key after the kill`,
  );
});
