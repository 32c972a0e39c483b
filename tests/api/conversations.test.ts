import { test } from "node:test";
import assert from "node:assert/strict";
import type { TestServer } from "../helpers/server.js";
import { useTestServer } from "../helpers/suite.js";
import { loginAs, seedBotExchange, seedWaitingConversation } from "../helpers/agents.js";
import { Conversation } from "../../server/models/conversation.js";
import { Message } from "../../server/models/message.js";
import { AuditEntry } from "../../server/models/auditEntry.js";
import { randomUUID } from "node:crypto";
import { Types } from "mongoose";
import type { Bot, BotReply } from "../../server/bot/types.js";
import {
  recordAgentMessage,
  recordBotReply,
  recordCustomerMessage,
  recordSystemMessage,
  respondToCustomerMessage,
} from "../../server/conversationLog/index.js";

let t: TestServer;
useTestServer((server) => (t = server));

test("the list puts waiting conversations first, longest-waiting on top", async () => {
  const agent = await loginAs(t.url, "agent");
  const bot = await seedBotExchange(t.server.ctx);
  const w1 = await seedWaitingConversation(t.server.ctx, "first");
  const w2 = await seedWaitingConversation(t.server.ctx, "second");
  const { body } = await agent.get("/api/conversations").expect(200);
  const ids = body.conversations.map((c: { id: string }) => c.id);
  assert.deepEqual(ids.slice(0, 2), [String(w1.conversation._id), String(w2.conversation._id)]);
  assert.ok(ids.includes(String(bot.conversation._id)));
  assert.equal(body.conversations[0].status, "waiting");
  assert.equal(body.conversations[0].unreadByAgents, 1);
  const waitingOnly = await agent.get("/api/conversations?status=waiting").expect(200);
  assert.equal(waitingOnly.body.conversations.length, 2);
  await agent.get("/api/conversations?status=nope").expect(400);
});

test("take over, reply, hand back, close: states, messages and audit", async () => {
  const agent = await loginAs(t.url, "agent");
  const { conversation } = await seedWaitingConversation(t.server.ctx);
  const id = String(conversation._id);

  // Replying before taking over is refused, nothing stored.
  const early = await agent.post(`/api/conversations/${id}/messages`).send({ clientId: "c1", text: "hello" }).expect(409);
  assert.equal(early.body.error.details.status, "waiting");
  assert.equal(await Message.countDocuments({ conversationId: id, role: "agent" }), 0);

  const taken = await agent.post(`/api/conversations/${id}/takeover`).expect(200);
  assert.equal(taken.body.conversation.status, "agent");
  assert.equal(taken.body.conversation.assignedAgentId, agent.user.id);
  assert.equal(taken.body.conversation.assignedAgentName, agent.user.name);
  assert.equal(taken.body.conversation.unreadByAgents, 0);

  const sent = await agent.post(`/api/conversations/${id}/messages`).send({ clientId: "c1", text: "<b>Hi</b> I'm here" }).expect(201);
  assert.equal(sent.body.message.text, "<b>Hi</b> I'm here");
  assert.equal(sent.body.message.authorId, agent.user.id);
  // A resend with the same clientId is stored once.
  const again = await agent.post(`/api/conversations/${id}/messages`).send({ clientId: "c1", text: "<b>Hi</b> I'm here" }).expect(200);
  assert.equal(again.body.message.id, sent.body.message.id);

  const detail = await agent.get(`/api/conversations/${id}`).expect(200);
  const roles = detail.body.messages.map((m: { role: string }) => m.role);
  assert.deepEqual(roles, ["customer", "system", "system", "agent"]);
  const since = await agent.get(`/api/conversations/${id}/messages?after=${detail.body.messages[2].seq}`).expect(200);
  assert.equal(since.body.messages.length, 1);

  // Another agent cannot take it, reply in it or hand it back.
  const other = await loginAs(t.url, "agent");
  const stolen = await other.post(`/api/conversations/${id}/takeover`).expect(409);
  assert.equal(stolen.body.error.details.assignedAgentId, agent.user.id);
  await other.post(`/api/conversations/${id}/messages`).send({ clientId: "x", text: "me too" }).expect(409);
  await other.post(`/api/conversations/${id}/handback`).expect(409);
  await other.post(`/api/conversations/${id}/close`).expect(409);

  const back = await agent.post(`/api/conversations/${id}/handback`).expect(200);
  assert.equal(back.body.conversation.status, "bot");
  assert.equal(back.body.conversation.assignedAgentId, null);
  const closed = await agent.post(`/api/conversations/${id}/close`).expect(200);
  assert.equal(closed.body.conversation.status, "closed");
  await agent.post(`/api/conversations/${id}/close`).expect(409);
  await agent.post(`/api/conversations/${id}/takeover`).expect(409);

  const actions = (await AuditEntry.find({ targetId: id }).sort({ at: 1 }).lean()).map((e) => e.action);
  assert.deepEqual(actions, ["conversation.takeover", "conversation.handback", "conversation.close"]);
});

test("read resets the unread count", async () => {
  const agent = await loginAs(t.url, "agent");
  const { conversation } = await seedWaitingConversation(t.server.ctx);
  assert.equal((await Conversation.findById(conversation._id).lean())!.unreadByAgents, 1);
  const res = await agent.post(`/api/conversations/${conversation._id}/read`).expect(200);
  assert.equal(res.body.conversation.unreadByAgents, 0);
});

test("bad ids and bodies are clear 400/404s", async () => {
  const agent = await loginAs(t.url, "agent");
  const bad = await agent.get("/api/conversations/not-an-id").expect(400);
  assert.equal(bad.body.error.code, "invalid_input");
  await agent.get("/api/conversations/0123456789abcdef01234567").expect(404);
  await agent.post("/api/conversations/0123456789abcdef01234567/takeover").expect(404);
  const { conversation } = await seedWaitingConversation(t.server.ctx);
  await agent.post(`/api/conversations/${conversation._id}/takeover`).expect(200);
  await agent.post(`/api/conversations/${conversation._id}/messages`).send({ clientId: "c", text: "   " }).expect(400);
  await agent
    .post(`/api/conversations/${conversation._id}/messages`)
    .send({ clientId: "c", text: "x".repeat(4001) })
    .expect(400);
  await agent.post(`/api/conversations/${conversation._id}/messages`).send({ clientId: "c", text: "hi", extra: 1 }).expect(400);
});

test("two agents taking over at once: exactly one wins", async () => {
  const [a, b] = await Promise.all([loginAs(t.url, "agent"), loginAs(t.url, "agent")]);
  const { conversation } = await seedWaitingConversation(t.server.ctx);
  const results = await Promise.all([a, b].map((x) => x.post(`/api/conversations/${conversation._id}/takeover`)));
  assert.deepEqual(results.map((r) => r.status).sort(), [200, 409]);
  assert.equal(await Message.countDocuments({ conversationId: conversation._id, text: /joined/ }), 1);
});

test("an agent who takes over while the model is thinking gets the conversation; the bot's late reply is dropped", async () => {
  const agent = await loginAs(t.url, "agent");
  const asked = await recordCustomerMessage(t.server.ctx, {
    customerId: `cust-${randomUUID()}`,
    clientId: randomUUID(),
    text: "Where is my card?",
  });
  let release!: () => void;
  const thinking = new Promise<void>((resolve) => (release = resolve));
  const slowBot: Bot = {
    activeVersion: () => "v-test-1",
    decide: async () => {
      await thinking;
      return {
        kind: "reply",
        answerId: String(new Types.ObjectId()),
        text: "It is on its way.",
        confidence: 0.99,
        modelVersion: "v-test-1",
        replyId: randomUUID(),
        alternatives: [],
      };
    },
  };
  const turn = respondToCustomerMessage({ ...t.server.ctx, bot: slowBot }, asked.conversation, asked.message);
  await agent.post(`/api/conversations/${asked.conversation._id}/takeover`).expect(200);
  release();
  await turn;
  const roles = (await Message.find({ conversationId: asked.conversation._id }).sort({ seq: 1 }).lean()).map((m) => m.role);
  assert.deepEqual(roles, ["customer", "system"]);
  assert.equal((await Conversation.findById(asked.conversation._id).lean())?.status, "agent");
});

test("concurrent writers in one conversation each store their own seq; lastSeq and the summary end at the highest", async () => {
  const asked = await recordCustomerMessage(t.server.ctx, { customerId: `cust-${randomUUID()}`, clientId: randomUUID(), text: "first" });
  assert.equal(asked.message.seq, 1);
  const agentId = String(new Types.ObjectId());
  const results = await Promise.all(
    Array.from({ length: 8 }, (_, i) =>
      i % 2 === 0
        ? recordAgentMessage(t.server.ctx, {
            conversationId: String(asked.conversation._id),
            agentId,
            clientId: `agent-${i}`,
            text: `agent ${i}`,
          })
        : recordSystemMessage(t.server.ctx, asked.conversation, `notice ${i}`),
    ),
  );
  const seqs = results.map((r) => r.message.seq).sort((a, b) => a - b);
  assert.equal(new Set(seqs).size, 8, `seqs ${seqs.join(",")}`);
  assert.ok(seqs[0]! >= 2);
  const stored = await Message.find({ conversationId: asked.conversation._id }).sort({ seq: 1 }).lean();
  assert.equal(stored.length, 9);
  const conv = await Conversation.findById(asked.conversation._id).lean();
  assert.equal(conv?.lastSeq, stored[stored.length - 1]!.seq);
  // The next writer takes the next number, whether it knows the current lastSeq or a stale one.
  const after = await recordSystemMessage(t.server.ctx, { _id: asked.conversation._id, lastSeq: conv!.lastSeq }, "after the burst");
  const stale = await recordSystemMessage(t.server.ctx, asked.conversation, "with a stale lastSeq");
  assert.equal(stale.message.seq, after.message.seq + 1);
  assert.equal(after.message.seq, conv!.lastSeq + 1);
  assert.equal(after.conversation.lastMessagePreview, "after the burst");
});

test("a resent message is stored once, and a resent bot reply too", async () => {
  const customerId = `cust-${randomUUID()}`;
  const clientId = randomUUID();
  const first = await recordCustomerMessage(t.server.ctx, { customerId, clientId, text: "Hello?" });
  const again = await recordCustomerMessage(t.server.ctx, { customerId, clientId, text: "Hello?" });
  assert.equal(again.duplicate, true);
  assert.equal(String(again.message._id), String(first.message._id));
  const reply: BotReply = {
    kind: "reply",
    answerId: String(new Types.ObjectId()),
    text: "Hi!",
    confidence: 0.9,
    modelVersion: "v-test-1",
    replyId: randomUUID(),
    alternatives: [],
  };
  const a = await recordBotReply(t.server.ctx, first.conversation, reply, first.message._id);
  const b = await recordBotReply(t.server.ctx, first.conversation, reply, first.message._id);
  assert.equal(a?.duplicate, false);
  assert.equal(b?.duplicate, true);
  assert.equal(String(b?.message._id), String(a?.message._id));
  assert.equal(await Message.countDocuments({ conversationId: first.conversation._id }), 2);
});
