import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { connectSocket, type TestSocket } from "../helpers/socketClient.js";
import { loginAs, seedWaitingConversation } from "../helpers/agents.js";
import { recordCustomerMessage } from "../../server/conversationLog/messageRecorder.js";

let t: TestServer;
const sockets: TestSocket[] = [];
before(async () => {
  t = await startTestServer();
});
after(async () => {
  for (const s of sockets) s.close();
  await t.stop();
});

async function desk(role: "agent" | "admin" = "agent") {
  const agent = await loginAs(t.url, role);
  const s = await connectSocket(t.url, {}, "/agent", { cookie: agent.cookie });
  sockets.push(s);
  return { agent, s };
}

const connectError = (headers: Record<string, string>) =>
  connectSocket(t.url, {}, "/agent", headers).then(
    (s) => (s.close(), null),
    (err: Error & { data?: { code?: string } }) => err,
  );

test("the namespace requires the console session", async () => {
  const none = await connectError({});
  assert.equal(none?.message, "unauthorized");
  assert.equal(none?.data?.code, "unauthorized");
  const forged = await connectError({ cookie: "understudy.sid=s%3Aforged.sig" });
  assert.equal(forged?.message, "unauthorized");
  // A valid session from a page on another origin is refused; the console's own origin is fine.
  const agent = await loginAs(t.url, "agent");
  const foreign = await connectError({ cookie: agent.cookie, origin: "https://evil.example" });
  assert.equal(foreign?.message, "forbidden");
  const own = await connectSocket(t.url, {}, "/agent", { cookie: agent.cookie, origin: t.url });
  own.close();
});

test("open joins the conversation: its messages now, its new messages live; unread resets on read", async () => {
  const { s } = await desk();
  const { conversation, customerId } = await seedWaitingConversation(t.server.ctx, "first question");
  const id = String(conversation._id);
  const opened = await s.request("conversation:open", { conversationId: id });
  assert.equal(opened.ok, true);
  assert.deepEqual(
    opened.messages.map((m: { role: string }) => m.role),
    ["customer", "system"],
  );
  assert.equal(opened.conversation.status, "waiting");

  const live = s.next("message:new", (m: { text: string }) => m.text === "<script>alert(1)</script>");
  const listUpdate = s.next("conversation:updated", (c: { id: string; unreadByAgents: number }) => c.id === id && c.unreadByAgents === 2);
  await recordCustomerMessage(t.server.ctx, { customerId, conversationId: id, clientId: randomUUID(), text: "<script>alert(1)</script>" });
  assert.equal((await live).role, "customer");
  await listUpdate;
  const read = await s.request("conversation:read", { conversationId: id });
  assert.equal(read.conversation.unreadByAgents, 0);
  const left = await s.request("conversation:leave", { conversationId: id });
  assert.equal(left.ok, true);
});

test("takeover / hand back / close over the socket, with conflicts for a second agent", async () => {
  const { s: a, agent } = await desk();
  const { s: b } = await desk();
  const { conversation } = await seedWaitingConversation(t.server.ctx);
  const conversationId = String(conversation._id);
  const took = await a.request("conversation:takeover", { conversationId });
  assert.equal(took.conversation.assignedAgentId, agent.user.id);
  const refused = await b.request("conversation:takeover", { conversationId });
  assert.equal(refused.ok, false);
  assert.equal(refused.error.code, "conflict");
  const cannotReply = await b.request("message:send", { conversationId, clientId: "b1", text: "hi" });
  assert.equal(cannotReply.error.code, "conflict");
  const sent = await a.request("message:send", { conversationId, clientId: "a1", text: "hello" });
  assert.equal(sent.ok, true);
  assert.equal(sent.message.role, "agent");
  const back = await a.request("conversation:handback", { conversationId });
  assert.equal(back.conversation.status, "bot");
  const closed = await b.request("conversation:close", { conversationId });
  assert.equal(closed.conversation.status, "closed");
});

test("bad payloads and unknown events are refused with a reason", async () => {
  const { s } = await desk();
  const bad = await s.request("conversation:open", { conversationId: "nope" });
  assert.equal(bad.ok, false);
  assert.equal(bad.error.code, "invalid_input");
  const missing = await s.request("conversation:takeover", { conversationId: "0123456789abcdef01234567" });
  assert.equal(missing.error.code, "not_found");
  const empty = await s.request("message:send", { conversationId: "0123456789abcdef01234567", clientId: "x", text: "  " });
  assert.equal(empty.error.code, "invalid_input");
  const unknown = await s.request("admin:everything", {});
  assert.equal(unknown.error.code, "unknown_event");
});

test("logging out or being disabled disconnects the console's socket", async () => {
  const { s, agent } = await desk();
  const gone = new Promise((resolve) => s.socket.once("disconnect", resolve));
  await agent.post("/api/auth/logout").expect(204);
  await gone;

  const { s: s2, agent: agent2 } = await desk();
  const admin = await loginAs(t.url, "admin");
  const gone2 = new Promise((resolve) => s2.socket.once("disconnect", resolve));
  await admin.patch(`/api/users/${agent2.user.id}`).send({ disabled: true }).expect(200);
  await gone2;
  const again = await connectError({ cookie: agent2.cookie });
  assert.equal(again?.message, "unauthorized");
});
