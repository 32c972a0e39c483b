import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { createAnswer, loginAs, seedBotExchange } from "../helpers/agents.js";
import { AuditEntry } from "../../server/models/auditEntry.js";

let t: TestServer;
before(async () => {
  t = await startTestServer();
});
after(async () => {
  await t.stop();
});

async function approvedExample(agent: Awaited<ReturnType<typeof loginAs>>, opts = {}) {
  const ex = await seedBotExchange(t.server.ctx, opts);
  return { ex, example: (await agent.post(`/api/reviews/${ex.reply._id}/approve`).send({}).expect(201)).body.example };
}

test("list and filter examples; each carries its lineage", async () => {
  const agent = await loginAs(t.url, "agent");
  const { ex, example } = await approvedExample(agent, { modelVersion: "v9" });
  const byConversation = await agent.get(`/api/examples?conversationId=${ex.conversation._id}`).expect(200);
  assert.equal(byConversation.body.examples.length, 1);
  assert.equal(byConversation.body.examples[0].lineage.modelVersion, "v9");
  assert.equal(byConversation.body.examples[0].answerTitle, "Reset password");
  const one = await agent.get(`/api/examples/${example.id}`).expect(200);
  assert.equal(one.body.example.lineage.replyMessageId, String(ex.reply._id));
  await agent.get("/api/examples?golden=maybe").expect(400);
  await agent.get("/api/examples/0123456789abcdef01234567").expect(404);
});

test("mark golden with the seen version; a stale edit is 409 with the current version", async () => {
  const [a, b] = await Promise.all([loginAs(t.url, "agent"), loginAs(t.url, "agent")]);
  const { example } = await approvedExample(a);
  const golden = await a.patch(`/api/examples/${example.id}`).send({ version: example.version, golden: true }).expect(200);
  assert.equal(golden.body.example.golden, true);
  assert.equal(golden.body.example.version, example.version + 1);
  const stale = await b.patch(`/api/examples/${example.id}`).send({ version: example.version, question: "changed" }).expect(409);
  assert.equal(stale.body.error.details.current.golden, true);
  assert.equal(stale.body.error.details.current.version, example.version + 1);
  assert.equal(stale.body.error.details.current.question, example.question);
  const goldens = await a.get("/api/examples?golden=true").expect(200);
  assert.deepEqual(
    goldens.body.examples.map((e: { id: string }) => e.id),
    [example.id],
  );
  const entry = await AuditEntry.findOne({ action: "example.mark_golden", targetId: example.id }).lean();
  assert.equal(entry?.actorEmail, a.user.email);
});

test("re-point an example to another answer, exclude it; negatives cannot be golden", async () => {
  const agent = await loginAs(t.url, "agent");
  const { example } = await approvedExample(agent);
  const other = await createAnswer("Other", "Other text");
  const moved = await agent
    .patch(`/api/examples/${example.id}`)
    .send({ version: example.version, answerId: String(other._id), status: "excluded" })
    .expect(200);
  assert.equal(moved.body.example.answerId, String(other._id));
  assert.equal(moved.body.example.status, "excluded");
  const ex = await seedBotExchange(t.server.ctx);
  const neg = (await agent.post(`/api/reviews/${ex.reply._id}/reject`).send({}).expect(201)).body.example;
  await agent.patch(`/api/examples/${neg.id}`).send({ version: neg.version, golden: true }).expect(400);
  await agent.patch(`/api/examples/${neg.id}`).send({ version: neg.version }).expect(400);
  await agent.patch(`/api/examples/${neg.id}`).send({ version: neg.version, golden: "yes" }).expect(400);
});
