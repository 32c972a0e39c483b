// Actions end to end against a real local HTTP service (the demo order service): definitions over REST,
// the bot's reply path (slots, the clarifying turn, hand-offs with their reason), signatures, the call log.
import { after, before, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import type { Bot, BotInput } from "../../server/bot/types.js";
import { recordCustomerMessage, respondToCustomerMessage } from "../../server/conversationLog/index.js";
import { Message, Conversation, ActionCall, VerifiedCustomer } from "../../server/models/index.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { loginAs, type LoggedInAgent } from "../helpers/agents.js";
import { startOrderService, type OrderService } from "../../scripts/order-service/orderService.js";

let t: TestServer;
let orders: OrderService;
let admin: LoggedInAgent;
let answerId: string;
let actionId: string;
let actionVersion: number;
const asked: string[] = [];

// The model's part only: it picks the order answer for order questions. Everything after is the real reply path.
const orderBot: Bot = {
  async decide(input: BotInput) {
    asked.push(input.text);
    if (!/order/i.test(input.text)) return { kind: "handoff", reason: "low_confidence", confidence: 0.2, modelVersion: "m-1" };
    return {
      kind: "reply",
      answerId,
      text: "(rendered by the action step)",
      confidence: 0.91,
      modelVersion: "m-1",
      replyId: crypto.randomUUID(),
      alternatives: [],
    };
  },
  activeVersion: () => "m-1",
};

before(async () => {
  orders = await startOrderService();
  t = await startTestServer({ OUTBOUND_ALLOWED_URLS: `https://api.shop.example, ${orders.url}` });
  t.server.ctx.bot = orderBot;
  admin = await loginAs(t.url, "admin");
  const created = await admin
    .post("/api/actions")
    .send({
      name: "order_status",
      url: `${orders.url}/orders/{{order_number}}`,
      method: "GET",
      headers: [
        { name: "X-Api-Key", value: "sk_live_very_secret", secret: true },
        { name: "X-Shop", value: "acme" },
      ],
      timeoutMs: 800,
      fields: [
        { path: "order.status", type: "string" },
        { path: "order.eta", type: "string" },
        { path: "order.internalNote", type: "string", required: false },
      ],
      replyFields: ["order.status", "order.eta"],
    })
    .expect(201);
  actionId = created.body.action.id;
  actionVersion = created.body.action.version;
  orders.setSecret(created.body.signingSecret);
  assert.match(created.body.signingSecret, /^whsec_/);
  const answer = await admin
    .post("/api/answers")
    .send({
      title: "Order status",
      text: "Order {{order_number}} is {{order.status}}, arriving {{order.eta}}.",
      action: { name: "order_status", slots: [{ name: "order_number", pattern: "(\\d{4,8})", prompt: "What is your order number?" }] },
    })
    .expect(201);
  answerId = answer.body.answer.id;
});
after(async () => {
  await t?.stop();
  await orders?.close();
});
beforeEach(() => {
  orders.mode = "normal";
  asked.length = 0;
});

/** A customer message through the real recorder and reply path; resolves with what the conversation holds after it. */
async function say(customerId: string, text: string) {
  const open = await Conversation.findOne({ customerId, status: { $ne: "closed" } })
    .sort({ updatedAt: -1 })
    .lean();
  const stored = await recordCustomerMessage(t.server.ctx, {
    customerId,
    conversationId: open ? String(open._id) : null,
    clientId: crypto.randomUUID(),
    text,
  });
  await respondToCustomerMessage(t.server.ctx, stored.conversation, stored.message);
  const after = await Message.find({ conversationId: stored.conversation._id, seq: { $gt: stored.message.seq } })
    .sort({ seq: 1 })
    .lean();
  const conversation = await Conversation.findById(stored.conversation._id).lean();
  return {
    after,
    conversation: conversation!,
    reply: after.find((m) => m.role === "bot")?.text ?? null,
    handoff: after.find((m) => m.role === "system")?.handoffReason ?? null,
  };
}
const newCustomer = () => `cus_${crypto.randomBytes(12).toString("base64url")}`;

test("the definition keeps secrets on the server; agents cannot manage actions; the URL must be allow-listed", async () => {
  const shown = await admin.get(`/api/actions/${actionId}`).expect(200);
  assert.deepEqual(shown.body.action.headers, [
    { name: "X-Api-Key", secret: true, value: null, set: true },
    { name: "X-Shop", secret: false, value: "acme" },
  ]);
  const listed = await admin.get("/api/actions").expect(200);
  assert.ok(!JSON.stringify(listed.body).includes("sk_live_very_secret"));
  assert.ok(!JSON.stringify(listed.body).includes("whsec_"));
  const agent = await loginAs(t.url, "agent");
  await agent.get("/api/actions").expect(403);
  const base = { fields: [{ path: "a", type: "string" }] };
  const notListed = await admin
    .post("/api/actions")
    .send({ ...base, name: "elsewhere", url: "https://evil.example/x" })
    .expect(400);
  assert.match(notListed.body.error.message, /OUTBOUND_ALLOWED_URLS/);
  // https is listed for api.shop.example, plain http is not.
  await admin
    .post("/api/actions")
    .send({ ...base, name: "plain", url: "http://api.shop.example/x" })
    .expect(400);
  await admin
    .post("/api/actions")
    .send({ ...base, name: "too_slow", url: "https://api.shop.example/x", timeoutMs: 5001 })
    .expect(400);
  await admin
    .post("/api/actions")
    .send({ ...base, name: "bad_reply", url: "https://api.shop.example/x", replyFields: ["b"] })
    .expect(400);
  // An answer naming fields the action does not offer is refused when saved.
  const bad = await admin
    .post("/api/answers")
    .send({ title: "x", text: "{{order.secret}}", action: { name: "order_status", slots: [] } })
    .expect(400);
  assert.deepEqual(bad.body.error.details.unknown, ["order.secret"]);
  await admin
    .post("/api/answers")
    .send({ title: "x", text: "hi", action: { name: "nope", slots: [] } })
    .expect(400);
  // An update that leaves a secret header's value out keeps it.
  const updated = await admin
    .patch(`/api/actions/${actionId}`)
    .send({
      version: actionVersion,
      headers: [
        { name: "X-Api-Key", secret: true },
        { name: "X-Shop", value: "acme" },
      ],
    })
    .expect(200);
  actionVersion = updated.body.action.version;
  await admin.patch(`/api/actions/${actionId}`).send({ version: 1, timeoutMs: 900 }).expect(409);
});

test("an order question with the number is answered from the live service, signed, and logged without bodies", async () => {
  const customer = newCustomer();
  orders.calls.length = 0;
  const turn = await say(customer, "Hi, where is my order 4321?");
  assert.equal(turn.reply, "Order 4321 is on its way, arriving Thursday.");
  assert.equal(turn.conversation.status, "bot");
  assert.equal(orders.calls.length, 1);
  assert.deepEqual(orders.calls[0].signature, { ok: true });
  assert.equal(orders.calls[0].path, "/orders/4321");
  // The live status changes: the next answer says so.
  orders.orders.get("4321")!.status = "out for delivery";
  assert.equal((await say(customer, "and now, where is order 4321?")).reply, "Order 4321 is out for delivery, arriving Thursday.");
  const calls = await ActionCall.find({ conversationId: turn.conversation._id }).lean();
  assert.equal(calls.length, 2);
  assert.equal(calls[0].outcome, "ok");
  assert.equal(calls[0].httpStatus, 200);
  assert.ok(calls[0].durationMs >= 0);
  assert.deepEqual(calls[0].slotNames, ["order_number"]);
  const logged = JSON.stringify(calls);
  for (const secret of ["4321", "on its way", "sk_live", "never shown"]) assert.ok(!logged.includes(secret), `the log holds no ${secret}`);
  // Agents see the calls beside the conversation.
  const agent = await loginAs(t.url, "agent");
  const shown = await agent.get(`/api/actions/calls?conversationId=${turn.conversation._id}`).expect(200);
  assert.deepEqual(
    shown.body.calls.map((c: { outcome: string; action: string }) => [c.action, c.outcome]),
    [
      ["order_status", "ok"],
      ["order_status", "ok"],
    ],
  );
});

test("a missing order number is asked for once, with the answer's prompt; the reply resumes without the model", async () => {
  const customer = newCustomer();
  const first = await say(customer, "where is my order?");
  assert.equal(first.reply, "What is your order number?");
  assert.equal(first.conversation.status, "bot");
  const second = await say(customer, "it is 5555");
  assert.equal(second.reply, "Order 5555 is being packed, arriving next week.");
  assert.deepEqual(asked, ["where is my order?"], "the model was asked once: the second message answered the question");

  const other = newCustomer();
  assert.equal((await say(other, "where is my order?")).reply, "What is your order number?");
  const gaveUp = await say(other, "no idea, sorry");
  assert.equal(gaveUp.reply, null);
  assert.equal(gaveUp.handoff, "action_slot_missing");
  assert.equal(gaveUp.conversation.status, "waiting");
});

test("the slot is found in an earlier message of the conversation", async () => {
  const customer = newCustomer();
  const first = await say(customer, "I placed 1234 last week");
  assert.equal(first.handoff, "low_confidence");
  await Conversation.updateOne({ _id: first.conversation._id }, { $set: { status: "bot" } });
  assert.equal((await say(customer, "where is that order?")).reply, "Order 1234 is delivered, arriving Monday.");
});

test("a slow, failing, malformed or absent service hands off with the reason; the customer never sees a broken reply", async () => {
  const cases: [OrderService["mode"] | "unknown_order", string][] = [
    ["slow", "action_timeout"],
    ["error", "action_error"],
    ["malformed", "action_bad_response"],
    ["wrong_shape", "action_bad_response"],
    ["unknown_order", "action_error"],
  ];
  orders.slowMs = 2000;
  for (const [mode, reason] of cases) {
    orders.mode = mode === "unknown_order" ? "normal" : mode;
    const started = Date.now();
    const turn = await say(newCustomer(), mode === "unknown_order" ? "where is order 99999?" : "where is order 4321?");
    assert.equal(turn.reply, null, mode);
    assert.equal(turn.handoff, reason, mode);
    assert.equal(turn.conversation.status, "waiting");
    if (mode === "slow") assert.ok(Date.now() - started < 1800, `the timeout (800 ms) bounds the turn: ${Date.now() - started} ms`);
  }
  const outcomes = (await ActionCall.find({}).sort({ createdAt: -1 }).limit(5).lean()).map((c) => c.outcome).reverse();
  assert.deepEqual(outcomes, ["timeout", "http_error", "bad_response", "bad_response", "http_error"]);
});

test("an action that needs a verified customer hands off for an anonymous one and runs for a verified one", async () => {
  await admin
    .patch(`/api/actions/${actionId}`)
    .send({ version: actionVersion, requiresVerifiedCustomer: true, method: "POST", url: `${orders.url}/orders/lookup` })
    .expect(200);
  actionVersion += 1;
  try {
    const anonymous = await say(newCustomer(), "where is order 4321?");
    assert.equal(anonymous.handoff, "action_unverified");
    const verified = newCustomer();
    await VerifiedCustomer.create({ customerId: verified, externalId: "shop-user-7", lastVerifiedAt: new Date() });
    orders.calls.length = 0;
    assert.match((await say(verified, "where is order 4321?")).reply ?? "", /^Order 4321 is /);
    const body = orders.calls[0].body as {
      customer: { id: string; verified: boolean };
      slots: Record<string, string>;
      conversationId: string;
    };
    assert.deepEqual(body.customer.id, "shop-user-7");
    assert.equal(body.customer.verified, true);
    assert.deepEqual(body.slots, { order_number: "4321" });
    assert.deepEqual(orders.calls[0].signature, { ok: true });
  } finally {
    await admin
      .patch(`/api/actions/${actionId}`)
      .send({ version: actionVersion, requiresVerifiedCustomer: false, method: "GET", url: `${orders.url}/orders/{{order_number}}` })
      .expect(200);
    actionVersion += 1;
  }
});

test("a rotated secret: the service refuses calls signed with the old one until it is given the new one", async () => {
  const rotated = await admin.post(`/api/actions/${actionId}/rotate-secret`).send({}).expect(200);
  actionVersion += 1;
  const refused = await say(newCustomer(), "where is order 4321?");
  assert.equal(refused.handoff, "action_error");
  assert.equal(orders.calls.at(-1)!.signature.ok, false);
  orders.setSecret(rotated.body.signingSecret);
  assert.match((await say(newCustomer(), "where is order 4321?")).reply ?? "", /on its way|out for delivery/);
});

test("preview calls the action for real, renders a draft and is logged as a preview", async () => {
  const res = await admin
    .post(`/api/actions/${actionId}/preview`)
    .send({ slots: { order_number: "1234" }, template: "Order {{order_number}}: {{order.status}}" })
    .expect(200);
  assert.equal(res.body.result.ok, true);
  assert.deepEqual(res.body.result.fields, { "order.status": "delivered", "order.eta": "Monday" });
  assert.equal(res.body.rendered, "Order 1234: delivered");
  assert.equal(await ActionCall.countDocuments({ preview: true }), 1);
  await admin
    .post(`/api/actions/${actionId}/preview`)
    .send({ slots: { "Bad Name": "x" } })
    .expect(400);
});

test("an answer's action and slots: admins attach, edit and detach them (zod-checked); agents edit the text but not the action", async () => {
  const plain = await admin
    .post("/api/answers")
    .send({ title: "Delivery day", text: "Most orders arrive in 2-4 working days." })
    .expect(201);
  const id = plain.body.answer.id;
  const slot = { name: "order_number", pattern: "(\\d{4,8})", prompt: "Which order?" };
  const attach = { version: 1, text: "Order {{order_number}} arrives {{order.eta}}.", action: { name: "order_status", slots: [slot] } };
  // The slot definitions are checked before anything is stored.
  const bad = await admin
    .patch(`/api/answers/${id}`)
    .send({
      ...attach,
      action: {
        name: "order_status",
        slots: [
          { ...slot, pattern: "(\\d+" },
          { ...slot, name: "Order Number" },
        ],
      },
    })
    .expect(400);
  assert.deepEqual(bad.body.error.details.map((d: { path: string }) => d.path).sort(), ["action.slots.0.pattern", "action.slots.1.name"]);
  const twice = await admin
    .patch(`/api/answers/${id}`)
    .send({ ...attach, action: { name: "order_status", slots: [slot, slot] } })
    .expect(400);
  assert.match(JSON.stringify(twice.body.error.details), /each slot name once/);
  await admin
    .patch(`/api/answers/${id}`)
    .send({ ...attach, action: { name: "order_status", slots: [{ ...slot, prompt: "   " }] } })
    .expect(400);
  await admin
    .patch(`/api/answers/${id}`)
    .send({ ...attach, action: { name: "order_status", slots: [{ ...slot, extra: 1 }] } })
    .expect(400);
  assert.equal((await admin.get(`/api/answers/${id}`).expect(200)).body.answer.version, 1, "nothing was saved");

  const agent = await loginAs(t.url, "agent");
  await agent.patch(`/api/answers/${id}`).send(attach).expect(403);
  await agent
    .post("/api/answers")
    .send({ title: "x", text: "y", action: { name: "order_status", slots: [] } })
    .expect(403);
  const attached = await admin.patch(`/api/answers/${id}`).send(attach).expect(200);
  assert.deepEqual(attached.body.answer.action, { name: "order_status", slots: [slot] });
  // An agent rewording the text keeps the action; the text is still checked against it.
  const reworded = await agent
    .patch(`/api/answers/${id}`)
    .send({ version: 2, text: "Order {{order_number}} should arrive {{order.eta}}." })
    .expect(200);
  assert.equal(reworded.body.answer.action.name, "order_status");
  await agent.patch(`/api/answers/${id}`).send({ version: 3, text: "Order {{order_number}}: {{order.internalNote}}" }).expect(400);
  // Edited slots replace the old ones; detaching needs a text without the action's fields.
  const edited = await admin
    .patch(`/api/answers/${id}`)
    .send({ version: 3, action: { name: "order_status", slots: [{ ...slot, prompt: "What is the order number?" }] } })
    .expect(200);
  assert.equal(edited.body.answer.action.slots[0].prompt, "What is the order number?");
  await admin.patch(`/api/answers/${id}`).send({ version: 4, action: null }).expect(400);
  const detached = await admin
    .patch(`/api/answers/${id}`)
    .send({ version: 4, text: "Most orders arrive in 2-4 working days.", action: null })
    .expect(200);
  assert.equal(detached.body.answer.action, null);
  await admin.post(`/api/answers/${id}/retire`).send({ version: 5 }).expect(200);
});

test("the service down: hand-off with action_error, nothing else breaks", async () => {
  await orders.close();
  const turn = await say(newCustomer(), "where is order 4321?");
  assert.equal(turn.handoff, "action_error");
  const call = await ActionCall.findOne({}).sort({ createdAt: -1 }).lean();
  assert.equal(call?.detail, "ECONNREFUSED");
});
