import { test } from "node:test";
import assert from "node:assert/strict";
import type { TestServer } from "../helpers/server.js";
import { useTestServer } from "../helpers/suite.js";
import { createAnswer, loginAs, seedBotExchange } from "../helpers/agents.js";
import { Answer } from "../../server/models/answer.js";
import { Example } from "../../server/models/example.js";
import { Message } from "../../server/models/message.js";
import { recordAgentMessage } from "../../server/conversationLog/messageRecorder.js";
import { conversationAssigner } from "../../server/conversationLog/conversationAssigner.js";

let t: TestServer;
useTestServer((server) => (t = server));

test("queue: thumbs-down first, then lowest confidence; reviewed replies leave it", async () => {
  const agent = await loginAs(t.url, "agent");
  const high = await seedBotExchange(t.server.ctx, { confidence: 0.9 });
  const low = await seedBotExchange(t.server.ctx, { confidence: 0.2 });
  const disliked = await seedBotExchange(t.server.ctx, { confidence: 0.95 });
  await Message.updateOne({ _id: disliked.reply._id }, { $set: { feedback: "down" } });
  const { body } = await agent.get("/api/reviews").expect(200);
  const order = body.items.map((i: { reply: { id: string } }) => i.reply.id);
  assert.deepEqual(
    order,
    [disliked, low, high].map((x) => String(x.reply._id)),
  );
  assert.equal(body.items[0].question.text, "How do I reset my password?");
  assert.equal(body.items[0].answer.title, "Reset password");
  await agent.post(`/api/reviews/${low.reply._id}/approve`).send({}).expect(201);
  const after = await agent.get("/api/reviews?limit=10").expect(200);
  assert.equal(after.body.items.length, 2);
});

test("approve a bot reply: example with full lineage, review recorded", async () => {
  const agent = await loginAs(t.url, "agent");
  const ex = await seedBotExchange(t.server.ctx, { modelVersion: "v2026-11-28" });
  const res = await agent.post(`/api/reviews/${ex.reply._id}/approve`).send({}).expect(201);
  const e = res.body.example;
  assert.equal(e.question, "How do I reset my password?");
  assert.equal(e.answerId, ex.answerId);
  assert.equal(e.polarity, "positive");
  assert.equal(e.golden, false);
  assert.deepEqual(
    { ...e.lineage, approvedAt: typeof e.lineage.approvedAt },
    {
      kind: "bot_reply",
      newAnswer: false,
      conversationId: String(ex.conversation._id),
      questionMessageId: String(ex.question._id),
      replyMessageId: String(ex.reply._id),
      customerId: ex.customerId,
      modelVersion: "v2026-11-28",
      approvedBy: agent.user.id,
      approvedByName: agent.user.name,
      approvedAt: "string",
    },
  );
  const msg = await Message.findById(ex.reply._id).lean();
  assert.equal(msg!.review?.status, "approved");
  assert.equal(String(msg!.review?.exampleId), e.id);
  // Reviewing again is a 409 carrying the current state; no second example.
  const again = await agent.post(`/api/reviews/${ex.reply._id}/reject`).send({}).expect(409);
  assert.equal(again.body.error.details.current.review.status, "approved");
  assert.equal(await Example.countDocuments({ "source.replyMessageId": ex.reply._id }), 1);
});

test("approve as 'the same as answer X' and mark golden at once", async () => {
  const agent = await loginAs(t.url, "agent");
  const x = await createAnswer("Opening hours", "We are open 9-17.");
  const ex = await seedBotExchange(t.server.ctx);
  const res = await agent
    .post(`/api/reviews/${ex.reply._id}/approve`)
    .send({ answerId: String(x._id), golden: true })
    .expect(201);
  assert.equal(res.body.example.answerId, String(x._id));
  assert.equal(res.body.example.golden, true);
});

test("edit: the edited text becomes a new answer, or reuses the identical one; unknown placeholders refused", async () => {
  const agent = await loginAs(t.url, "agent");
  const ex = await seedBotExchange(t.server.ctx);
  const bad = await agent.post(`/api/reviews/${ex.reply._id}/edit`).send({ text: "Hi {{nmae}}!" }).expect(400);
  assert.deepEqual(bad.body.error.details.unknown, ["nmae"]);
  assert.equal((await Message.findById(ex.reply._id).lean())!.review?.status ?? null, null);
  const answersBefore = await Answer.countDocuments();

  const res = await agent
    .post(`/api/reviews/${ex.reply._id}/edit`)
    .send({ text: "Hi {{name}}, click 'Forgot password'.", title: "Password reset v2" })
    .expect(201);
  assert.equal(res.body.createdAnswer, true);
  assert.equal(res.body.answer.title, "Password reset v2");
  assert.deepEqual(res.body.answer.placeholders, ["name"]);
  assert.equal(res.body.example.answerId, res.body.answer.id);
  assert.equal(res.body.message.review.status, "edited");
  assert.equal(await Answer.countDocuments(), answersBefore + 1);

  const ex2 = await seedBotExchange(t.server.ctx);
  const res2 = await agent.post(`/api/reviews/${ex2.reply._id}/edit`).send({ text: "Hi {{name}}, click 'Forgot password'." }).expect(201);
  assert.equal(res2.body.createdAnswer, false);
  assert.equal(res2.body.answer.id, res.body.answer.id);
  await agent.post(`/api/reviews/${ex2.reply._id}/edit`).send({ text: "Another text" }).expect(409);
  const ex3 = await seedBotExchange(t.server.ctx);
  await agent.post(`/api/reviews/${ex3.reply._id}/edit`).send({}).expect(400);
});

test("reject keeps a negative example for the bot's answer", async () => {
  const agent = await loginAs(t.url, "agent");
  const ex = await seedBotExchange(t.server.ctx);
  const res = await agent.post(`/api/reviews/${ex.reply._id}/reject`).send({}).expect(201);
  assert.equal(res.body.example.polarity, "negative");
  assert.equal(res.body.example.answerId, ex.answerId);
  assert.equal(res.body.message.review.status, "rejected");
});

test("not for the bot: the question is kept as an out-of-scope example with no answer, from a bot or an agent reply", async () => {
  const agent = await loginAs(t.url, "agent");
  const ex = await seedBotExchange(t.server.ctx, { question: "I want to make a formal complaint about your staff" });
  await agent.post(`/api/reviews/${ex.reply._id}/not-for-bot`).send({ answerId: ex.answerId }).expect(400);
  const res = await agent.post(`/api/reviews/${ex.reply._id}/not-for-bot`).send({}).expect(201);
  assert.equal(res.body.example.outOfScope, true);
  assert.equal(res.body.example.answerId, null);
  assert.equal(res.body.answer, null);
  assert.equal(res.body.example.question, "I want to make a formal complaint about your staff");
  assert.equal(res.body.message.review.status, "not_for_bot");
  const stored = await Example.findById(res.body.example.id).lean();
  assert.equal(stored?.outOfScope, true);
  assert.equal(stored?.golden, false);
  // once reviewed, it cannot be reviewed again
  await agent.post(`/api/reviews/${ex.reply._id}/approve`).send({}).expect(409);

  // an agent's reply to a hand-off: the team wants a person for this one
  const other = await seedBotExchange(t.server.ctx, { question: "Can you tell me a joke?" });
  await conversationAssigner(t.server.ctx, agent.user, String(other.conversation._id));
  const sent = await recordAgentMessage(t.server.ctx, {
    conversationId: String(other.conversation._id),
    agentId: agent.user.id,
    clientId: "agent-j",
    text: "Ha, I am here for banking questions.",
  });
  const byAgent = await agent.post(`/api/reviews/${sent.message._id}/not-for-bot`).send({}).expect(201);
  assert.equal(byAgent.body.example.outOfScope, true);
  assert.equal(byAgent.body.createdAnswer, false, "no answer is made from the agent's words");
  assert.equal(await Answer.countDocuments({ text: "Ha, I am here for banking questions." }), 0);
});

test("an agent's own reply to a customer is approved as a training pair", async () => {
  const agent = await loginAs(t.url, "agent");
  const ex = await seedBotExchange(t.server.ctx, { question: "Can I change my delivery address?" });
  await conversationAssigner(t.server.ctx, agent.user, String(ex.conversation._id));
  const sent = await recordAgentMessage(t.server.ctx, {
    conversationId: String(ex.conversation._id),
    agentId: agent.user.id,
    clientId: "agent-1",
    text: "Yes, under Orders > Change address until it ships.",
  });
  const queue = await agent.get("/api/reviews?kind=agent").expect(200);
  const item = queue.body.items.find((i: { reply: { id: string } }) => i.reply.id === String(sent.message._id));
  assert.equal(item.question.text, "Can I change my delivery address?");
  await agent.post(`/api/reviews/${sent.message._id}/reject`).send({}).expect(400);
  const res = await agent.post(`/api/reviews/${sent.message._id}/approve`).send({ title: "Change delivery address" }).expect(201);
  assert.equal(res.body.createdAnswer, true);
  assert.equal(res.body.answer.text, "Yes, under Orders > Change address until it ships.");
  assert.equal(res.body.example.lineage.kind, "agent_reply");
  assert.equal(res.body.example.lineage.newAnswer, true, "the question had no answer when it was asked");
  assert.equal(res.body.example.lineage.modelVersion, null);
  assert.equal(res.body.example.question, "Can I change my delivery address?");
});

test("customer and system messages cannot be reviewed; unknown ids 404", async () => {
  const agent = await loginAs(t.url, "agent");
  const ex = await seedBotExchange(t.server.ctx);
  await agent.post(`/api/reviews/${ex.question._id}/approve`).send({}).expect(400);
  await agent.post(`/api/reviews/0123456789abcdef01234567/approve`).send({}).expect(404);
  await agent.post(`/api/reviews/${ex.reply._id}/approve`).send({ answerId: "0123456789abcdef01234567" }).expect(404);
  await agent.post(`/api/reviews/${ex.reply._id}/approve`).send({ bogus: true }).expect(400);
  assert.equal((await Message.findById(ex.reply._id).lean())!.review?.status ?? null, null);
});

test("two agents approving the same reply at once: one example, one 409", async () => {
  const [a, b] = await Promise.all([loginAs(t.url, "agent"), loginAs(t.url, "agent")]);
  const ex = await seedBotExchange(t.server.ctx);
  const results = await Promise.all([a, b].map((x) => x.post(`/api/reviews/${ex.reply._id}/approve`).send({})));
  assert.deepEqual(results.map((r) => r.status).sort(), [201, 409]);
  assert.equal(await Example.countDocuments({ "source.replyMessageId": ex.reply._id }), 1);
});
