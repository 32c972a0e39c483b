import { test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { Conversation, Message } from "../../server/models/index.js";
import type { Bot } from "../../server/bot/types.js";
import type { TestServer } from "../helpers/server.js";
import { useTestServer } from "../helpers/suite.js";
import { connectCustomer, connectSocket, newWidgetSession } from "../helpers/socketClient.js";

// The real bot (no model yet) hands every message off, which is what these tests exercise.
let t: TestServer;
const sockets: { close(): void }[] = [];
useTestServer((server) => (t = server), { clearBetweenTests: true, beforeStop: () => sockets.forEach((s) => s.close()) });

async function customer(session?: Awaited<ReturnType<typeof newWidgetSession>>, extra = {}) {
  const c = await connectCustomer(t.url, session, extra);
  sockets.push(c);
  return c;
}

test("a message is in the database when the ack arrives", async () => {
  const c = await customer();
  const clientId = randomUUID();
  const ack = await c.request("message:send", { clientId, text: "  Where is my order?  " });
  assert.equal(ack.ok, true);
  assert.equal(ack.duplicate, false);
  assert.equal(ack.message.text, "Where is my order?");
  assert.equal(ack.message.role, "customer");
  assert.equal(ack.message.seq, 1);
  assert.equal(ack.message.clientId, clientId);
  assert.equal(ack.message.bot, null);
  assert.equal("review" in ack.message, false, "customers never see review state");
  const stored = await Message.findById(ack.message.id).lean();
  assert.ok(stored, "stored before the ack");
  assert.equal(stored.text, "Where is my order?");
  const conv = await Conversation.findById(ack.conversation.id).lean();
  assert.equal(conv?.customerId, c.session.customerId);
  // The bot's turn runs after the ack and may already have added its hand-off notice: the summary counts at least this message.
  assert.ok((conv?.lastSeq ?? 0) >= ack.message.seq, "the conversation's summary includes the message before the ack");
});

test("the same clientId sent twice is stored once and acked the same", async () => {
  const c = await customer();
  const clientId = randomUUID();
  const first = await c.request("message:send", { clientId, text: "hello" });
  // A resend after a lost ack does not know the conversation yet, and comes over a new socket.
  c.close();
  const again = await customer(c.session);
  const second = await again.request("message:send", { clientId, text: "hello" });
  const third = await again.request("message:send", { conversationId: first.conversation.id, clientId, text: "hello" });
  assert.equal(second.ok, true);
  assert.equal(second.duplicate, true);
  assert.deepEqual(second.message, first.message);
  assert.deepEqual(third.message, first.message);
  assert.equal(await Message.countDocuments({ clientId }), 1);
  assert.equal(await Conversation.countDocuments({ customerId: c.session.customerId }), 1);
});

test("concurrent resends of a first message open one conversation", async () => {
  const c = await customer();
  const clientId = randomUUID();
  const acks = await Promise.all([1, 2, 3].map(() => c.request("message:send", { clientId, text: "hi there" })));
  assert.equal(new Set(acks.map((a) => a.message.id)).size, 1);
  assert.equal(acks.filter((a) => !a.duplicate).length, 1);
  assert.equal(await Conversation.countDocuments({ customerId: c.session.customerId }), 1);
  assert.equal(await Message.countDocuments({ clientId }), 1);
});

test("without a model the customer is told a human will answer and the conversation waits", async () => {
  const c = await customer(undefined, { language: "zh-CN" });
  const notice = c.next("message:new", (m: any) => m.role === "system");
  const updated = c.next("conversation:updated", (conv: any) => conv.status === "waiting");
  const ack = await c.request("message:send", { clientId: randomUUID(), text: "我的订单在哪里?" });
  const m = await notice;
  assert.match(m.text, /客服/);
  assert.equal(m.conversationId, ack.conversation.id);
  assert.equal(m.seq, 2);
  assert.equal("handoffReason" in m, false, "internal reason stays internal");
  assert.equal((await updated).status, "waiting");
  const conv = await Conversation.findById(ack.conversation.id).lean();
  assert.equal(conv?.status, "waiting");
  assert.ok(conv?.waitingSince);
  const sys = await Message.findOne({ conversationId: conv!._id, role: "system" }).lean();
  assert.equal(sys?.handoffReason, "no_model");

  // A second message in a waiting conversation adds no second notice.
  await c.request("message:send", { conversationId: ack.conversation.id, clientId: randomUUID(), text: "hello?" });
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(await Message.countDocuments({ conversationId: conv!._id, role: "system" }), 1);
});

test("while an agent has the conversation the bot stays silent", async () => {
  const c = await customer();
  const first = await c.request("message:send", { clientId: randomUUID(), text: "hi" });
  await c.next("message:new", (m: any) => m.role === "system");
  await Conversation.updateOne({ _id: first.conversation.id }, { $set: { status: "agent" } });
  await c.request("message:send", { conversationId: first.conversation.id, clientId: randomUUID(), text: "still there?" });
  await new Promise((r) => setTimeout(r, 300));
  const roles = (await Message.find({ conversationId: first.conversation.id }).sort({ seq: 1 }).lean()).map((m) => m.role);
  assert.deepEqual(roles, ["customer", "system", "customer"]);
});

test("after a reconnect the widget gets every message since the last one it saw", async () => {
  const c = await customer();
  const first = await c.request("message:send", { clientId: randomUUID(), text: "one" });
  await c.next("message:new", (m: any) => m.role === "system");
  const convId = first.conversation.id;
  c.close();
  // While the widget is away, two more messages arrive (e.g. from another tab of the same customer).
  const other = await customer(c.session);
  await other.request("message:send", { conversationId: convId, clientId: randomUUID(), text: "two" });
  await other.request("message:send", { conversationId: convId, clientId: randomUUID(), text: "three" });
  const back = await customer(c.session);
  const sync = await back.request("conversation:sync", { conversationId: convId, afterSeq: 1 });
  assert.equal(sync.ok, true);
  assert.deepEqual(
    sync.messages.map((m: any) => [m.seq, m.role]),
    [
      [2, "system"],
      [3, "customer"],
      [4, "customer"],
    ],
  );
  assert.equal(sync.conversation.lastSeq, 4);
  // The synced socket is in the room: new messages reach it live.
  const live = back.next("message:new", (m: any) => m.text === "five");
  await other.request("message:send", { conversationId: convId, clientId: randomUUID(), text: "five" });
  assert.equal((await live).seq, 5);
  // Without an id, sync resumes the latest open conversation.
  const resumed = await back.request("conversation:sync", {});
  assert.equal(resumed.conversation.id, convId);
  assert.equal(resumed.messages.length, 5);
});

test("a customer cannot read or write someone else's conversation", async () => {
  const alice = await customer();
  const a = await alice.request("message:send", { clientId: randomUUID(), text: "private" });
  const mallory = await customer();
  const sync = await mallory.request("conversation:sync", { conversationId: a.conversation.id });
  assert.deepEqual(sync, { ok: false, error: { code: "not_found", message: "Conversation not found" } });
  const send = await mallory.request("message:send", { conversationId: a.conversation.id, clientId: randomUUID(), text: "x" });
  assert.equal(send.error.code, "not_found");
  const typing = await mallory.request("typing", { conversationId: a.conversation.id, typing: true });
  assert.equal(typing.error.code, "not_found");
  assert.equal(await Message.countDocuments({ conversationId: a.conversation.id, role: "customer" }), 1);
});

test("a socket without a valid token is refused at the handshake", async () => {
  await assert.rejects(connectSocket(t.url, {}), /widget token/);
  const s = await newWidgetSession(t.url);
  const forged = s.token.slice(0, -2) + (s.token.endsWith("AA") ? "BB" : "AA");
  await assert.rejects(connectSocket(t.url, { token: forged }), /widget token/);
});

test("thumbs up/down is stored on bot replies only", async () => {
  const c = await customer();
  const sent = await c.request("message:send", { clientId: randomUUID(), text: "hi" });
  const onCustomerMsg = await c.request("message:feedback", { messageId: sent.message.id, value: "up" });
  assert.equal(onCustomerMsg.error.code, "not_a_bot_reply");
  const botMsg = await Message.create({
    conversationId: sent.conversation.id,
    seq: 99,
    role: "bot",
    text: "Orders ship in 2 days.",
    clientId: "bot:test",
    bot: { modelVersion: "v1", confidence: 0.9, replyId: "r1", alternatives: [] },
  });
  const updated = c.next("message:updated");
  const ack = await c.request("message:feedback", { messageId: String(botMsg._id), value: "down" });
  assert.equal(ack.ok, true);
  assert.equal(ack.message.feedback, "down");
  assert.deepEqual(ack.message.bot, { replyId: "r1" }, "no confidence or model version for customers");
  assert.equal((await updated).feedback, "down");
  assert.equal((await Message.findById(botMsg._id).lean())?.feedback, "down");
});

test("a bot reply is stored with its model version and sent to the customer", async () => {
  const replying: Bot = {
    async decide() {
      return {
        kind: "reply",
        answerId: "a1",
        text: "We ship in 2 days.",
        confidence: 0.93,
        modelVersion: "m-7",
        replyId: "rep-1",
        alternatives: [],
      };
    },
    activeVersion: () => "m-7",
  };
  // One mongoose connection per process, so swap the bot on the running server rather than start another.
  const original = t.server.ctx.bot;
  t.server.ctx.bot = replying;
  try {
    const c = await customer();
    const reply = c.next("message:new", (m: any) => m.role === "bot");
    const sent = await c.request("message:send", { clientId: randomUUID(), text: "shipping time?" });
    const m = await reply;
    assert.equal(m.text, "We ship in 2 days.");
    assert.deepEqual(m.bot, { replyId: "rep-1" });
    const stored = await Message.findById(m.id).lean();
    assert.equal(stored?.bot?.modelVersion, "m-7");
    assert.equal(stored?.bot?.confidence, 0.93);
    assert.equal(String(stored?.bot?.inReplyTo), sent.message.id);
    assert.equal((await Conversation.findById(sent.conversation.id).lean())?.status, "bot");
  } finally {
    t.server.ctx.bot = original;
  }
});

test("a first message reuses an empty conversation left by a failed attempt instead of opening another", async () => {
  const c = await customer();
  const empty = await Conversation.create({ customerId: c.session.customerId, status: "bot" });
  const notice = c.next("message:new", (m: any) => m.role === "system");
  const ack = await c.request("message:send", { clientId: randomUUID(), text: "hello again" });
  await notice;
  assert.equal(ack.conversation.id, String(empty._id));
  assert.equal(await Conversation.countDocuments({ customerId: c.session.customerId }), 1);
});

test("a conversation whose first message failed after it was opened (summary written, no message) is reused from seq 1", async () => {
  const c = await customer();
  // What openConversation leaves when the message insert fails: the conversation with its summary, no message.
  const left = await Conversation.create({
    customerId: c.session.customerId,
    status: "bot",
    lastSeq: 1,
    unreadByAgents: 1,
    lastMessagePreview: "hello",
    lastMessageAt: new Date(),
  });
  const ack = await c.request("message:send", { clientId: randomUUID(), text: "hello" });
  assert.equal(ack.conversation.id, String(left._id));
  assert.equal(ack.message.seq, 1);
  // One with a stored message is not "empty", even while the bot has not answered yet.
  const next = await c.request("message:send", { clientId: randomUUID(), text: "another question" });
  assert.notEqual(next.conversation.id, String(left._id));
  assert.equal(next.message.seq, 1);
  assert.equal(await Conversation.countDocuments({ customerId: c.session.customerId }), 2);
});

test("writing to a closed conversation opens a new one; the ack says which", async () => {
  const c = await customer();
  const first = await c.request("message:send", { clientId: randomUUID(), text: "first visit" });
  await c.next("message:new", (m: any) => m.role === "system");
  await Conversation.updateOne({ _id: first.conversation.id }, { $set: { status: "closed", closedAt: new Date() } });
  const notice = c.next("message:new", (m: any) => m.role === "system" && m.conversationId !== first.conversation.id);
  const again = await c.request("message:send", { conversationId: first.conversation.id, clientId: randomUUID(), text: "back again" });
  assert.notEqual(again.conversation.id, first.conversation.id);
  assert.equal(again.message.seq, 1);
  await notice;
  const sync = await c.request("conversation:sync", {});
  assert.equal(sync.conversation.id, again.conversation.id, "sync without an id resumes the open one, not the closed one");
});
