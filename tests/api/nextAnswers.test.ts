// "What to answer next": handed-off questions that no answer covers, clustered by embedding (the real base
// encoder in the embedding thread), with counts and trend; an answer made from a cluster takes its questions
// along as pending examples, and the cluster is then covered.
import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { useTestServerWithLogins } from "../helpers/suite.js";
import type { LoggedInAgent } from "../helpers/agents.js";
import type { TestServer } from "../helpers/server.js";
import { recordCustomerMessage } from "../../server/conversationLog/messageRecorder.js";
import { handOff } from "../../server/conversationLog/botResponder.js";
import { Answer } from "../../server/models/answer.js";
import { Example } from "../../server/models/example.js";
import { Message } from "../../server/models/message.js";
import { CLUSTER_SIMILARITY } from "../../server/embeddings/similarity.js";

let t: TestServer;
let agent: LoggedInAgent;
useTestServerWithLogins((s) => ({ t, agent } = s));

async function handedOff(text: string, daysAgo = 0) {
  const asked = await recordCustomerMessage(t.server.ctx, { customerId: `c-${crypto.randomUUID()}`, clientId: crypto.randomUUID(), text });
  await handOff(t.server.ctx, asked.conversation, "low_confidence", asked.message);
  if (daysAgo) {
    const at = new Date(Date.now() - daysAgo * 86_400_000);
    await Message.collection.updateMany({ conversationId: asked.conversation._id }, { $set: { createdAt: at } });
  }
  return asked.message;
}

test("clusters uncovered hand-offs by meaning, biggest first, with 7/30-day counts; an answer from a cluster covers it", async () => {
  await handedOff("do you sell teapots?");
  await handedOff("Do you sell a teapot?", 3);
  await handedOff("do you sell teapots too", 12);
  await handedOff("is there a physical store I can visit", 1);
  await handedOff("can I visit your physical store?", 20);
  await handedOff("what's the weather in Darjeeling");
  // Covered already: its text is a training phrasing.
  const covered = await Answer.create({ title: "Shipping", text: "Shipping is $4.95." });
  await Example.create({ question: "how much is shipping", answerId: covered._id, source: { kind: "manual" } });
  await handedOff("How much is shipping?");
  // Older than the window.
  await handedOff("do you sell teapots", 45);

  const res = await agent.get("/api/next-answers").expect(200);
  assert.equal(res.body.questions, 6, JSON.stringify(res.body));
  assert.equal(res.body.baseModel, "minilm", "the default base family");
  assert.equal(res.body.similarity, CLUSTER_SIMILARITY.minilm, "its measured default");
  const sizes = res.body.clusters.map((c: { count: number }) => c.count);
  assert.deepEqual(sizes, [3, 2, 1], JSON.stringify(res.body.clusters.map((c: { label: string; count: number }) => [c.label, c.count])));
  const teapots = res.body.clusters[0];
  assert.match(teapots.label, /teapot/i);
  assert.equal(teapots.last7Days, 2);
  assert.equal(teapots.last30Days, 3);
  assert.equal(teapots.daily.length, 30);
  assert.equal(
    teapots.daily.reduce((a: number, b: number) => a + b, 0),
    3,
  );
  assert.equal(teapots.daily[29], 1, "today is the last day");
  assert.equal(teapots.examples.length, 3);

  const created = await agent
    .post("/api/next-answers")
    .send({ title: "Teaware", text: "We sell glass teapots and infusers under Shop > Teaware.", questionIds: teapots.questionIds })
    .expect(201);
  assert.equal(created.body.pendingExamples, 3);
  const pending = await Example.find({ answerId: created.body.answer.id }).lean();
  assert.ok(pending.every((e) => e.status === "pending" && e.source?.questionMessageId));
  const after = await agent.get("/api/next-answers").expect(200);
  assert.deepEqual(
    after.body.clusters.map((c: { count: number }) => c.count),
    [2, 1],
  );
});

test("bad input is a clear 400", async () => {
  await agent.get("/api/next-answers?similarity=2").expect(400);
  await agent.post("/api/next-answers").send({ title: "x", text: "y", questionIds: [] }).expect(400);
  await agent
    .post("/api/next-answers")
    .send({ title: "x", text: "y", questionIds: ["0123456789abcdef01234567"] })
    .expect(400);
});
