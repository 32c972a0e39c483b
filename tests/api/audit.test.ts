import { test } from "node:test";
import assert from "node:assert/strict";
import type { TestServer } from "../helpers/server.js";
import { useTestServer } from "../helpers/suite.js";
import { loginAs, seedBotExchange, seedWaitingConversation } from "../helpers/agents.js";

let t: TestServer;
useTestServer((server) => (t = server));

test("agent and admin actions land in the audit log, newest first, filterable; agents cannot read it", async () => {
  const admin = await loginAs(t.url, "admin");
  const agent = await loginAs(t.url, "agent");
  const { conversation } = await seedWaitingConversation(t.server.ctx);
  await agent.post(`/api/conversations/${conversation._id}/takeover`).expect(200);
  const ex = await seedBotExchange(t.server.ctx);
  const approved = await agent.post(`/api/reviews/${ex.reply._id}/approve`).send({ golden: true }).expect(201);
  await admin.post("/api/users").send({ email: "invitee@example.test", name: "Invitee" }).expect(201);

  const { body } = await admin.get("/api/audit").expect(200);
  const actions = body.entries.map((e: { action: string }) => e.action);
  assert.deepEqual(actions.slice(0, 3), ["user.invite", "review.approve", "conversation.takeover"]);
  const review = body.entries[1];
  assert.equal(review.actorEmail, agent.user.email);
  assert.equal(review.actorId, agent.user.id);
  assert.equal(review.targetType, "message");
  assert.equal(review.targetId, String(ex.reply._id));
  assert.equal(review.details.exampleId, approved.body.example.id);
  assert.equal(review.details.golden, true);

  const filtered = await admin.get(`/api/audit?actorId=${agent.user.id}&action=conversation.takeover`).expect(200);
  assert.equal(filtered.body.entries.length, 1);
  const older = await admin.get(`/api/audit?before=${encodeURIComponent(body.entries[0].at)}`).expect(200);
  assert.ok(older.body.entries.every((e: { at: string }) => e.at < body.entries[0].at));
  await admin.get("/api/audit?before=not-a-date").expect(400);
  await agent.get("/api/audit").expect(403);
});
