import { test } from "node:test";
import assert from "node:assert/strict";
import type { TestServer } from "../helpers/server.js";
import { useTestServer } from "../helpers/suite.js";
import { connectSocket, type TestSocket } from "../helpers/socketClient.js";
import { createUser, loginAs, seedWaitingConversation } from "../helpers/agents.js";

// What the console's conversation list is built from: REST's view, then every `conversation:updated` merged into
// it. Both must be the same view (the assigned agent's name included), and each change must arrive once.
let t: TestServer;
const sockets: TestSocket[] = [];
useTestServer((s) => (t = s), { beforeStop: () => sockets.forEach((s) => s.close()) });

interface ConversationUpdate {
  id: string;
  status: string;
  assignedAgentId: string | null;
  assignedAgentName?: string | null;
}

/** The seeding's own updates are broadcast asynchronously: wait for its last (the hand-off) before counting. */
async function seedSettled(s: TestSocket, id: string): Promise<void> {
  const waiting = (c: ConversationUpdate) => c.id === id && c.status === "waiting";
  if (s.received<ConversationUpdate>("conversation:updated").some(waiting)) return;
  await s.next("conversation:updated", waiting);
}

/** The `conversation:updated` events of conversation `id` that `act` caused, once its notice has arrived and a pause found no more. */
async function updatesOf(s: TestSocket, id: string, notice: string, act: () => Promise<unknown>): Promise<ConversationUpdate[]> {
  const before = s.received("conversation:updated").length;
  const noticed = s.next("message:new", (m: { conversationId: string; text: string }) => m.conversationId === id && m.text === notice);
  await act();
  await noticed;
  await new Promise((r) => setTimeout(r, 400));
  return s
    .received<ConversationUpdate>("conversation:updated")
    .slice(before)
    .filter((c) => c.id === id);
}

test("take over, hand back and close each send one conversation:updated, naming the agent the way REST does", async () => {
  const ann = await createUser("agent", { name: "Ann Agent" });
  const agent = await loginAs(t.url, ann);
  const desk = await connectSocket(t.url, {}, "/agent", { cookie: agent.cookie });
  sockets.push(desk);
  const { conversation } = await seedWaitingConversation(t.server.ctx, "a person, please");
  const id = String(conversation._id);
  await seedSettled(desk, id);

  const taken = await updatesOf(desk, id, "Ann Agent joined the conversation.", () =>
    agent.post(`/api/conversations/${id}/takeover`).expect(200),
  );
  assert.equal(taken.length, 1, "one update for the take-over");
  assert.equal(taken[0].status, "agent");
  assert.equal(taken[0].assignedAgentName, "Ann Agent");
  const rest = await agent.get("/api/conversations").expect(200);
  const listed = rest.body.conversations.find((c: ConversationUpdate) => c.id === id);
  assert.deepEqual(Object.keys(taken[0]).sort(), Object.keys(listed).sort(), "the socket sends REST's view");

  // The console merges the update into what it has: after a hand-back the list must not keep Ann's name.
  const back = await updatesOf(desk, id, "You are chatting with our assistant again.", () =>
    agent.post(`/api/conversations/${id}/handback`).expect(200),
  );
  assert.equal(back.length, 1, "one update for the hand-back");
  assert.equal(back[0].status, "bot");
  assert.equal(back[0].assignedAgentId, null);
  assert.equal(back[0].assignedAgentName, null);
  const merged = { ...listed, ...back[0] };
  assert.equal(merged.assignedAgentName, null);

  const closed = await updatesOf(desk, id, "This conversation has been closed.", () =>
    agent.post(`/api/conversations/${id}/close`).expect(200),
  );
  assert.equal(closed.length, 1, "one update for the close");
  assert.equal(closed[0].status, "closed");
});

test("a take-over through the socket sends one update too", async () => {
  const bo = await createUser("agent", { name: "Bo Agent" });
  const agent = await loginAs(t.url, bo);
  const desk = await connectSocket(t.url, {}, "/agent", { cookie: agent.cookie });
  sockets.push(desk);
  const { conversation } = await seedWaitingConversation(t.server.ctx);
  const id = String(conversation._id);
  await seedSettled(desk, id);
  const taken = await updatesOf(desk, id, "Bo Agent joined the conversation.", async () => {
    const ack = await desk.request("conversation:takeover", { conversationId: id });
    assert.equal(ack.ok, true);
    assert.equal(ack.conversation.assignedAgentName, "Bo Agent");
  });
  assert.equal(taken.length, 1);
  assert.equal(taken[0].assignedAgentName, "Bo Agent");
});
