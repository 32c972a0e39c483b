import { test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { Message } from "../../server/models/index.js";
import { loginAs } from "../helpers/agents.js";
import type { TestServer } from "../helpers/server.js";
import { useTestServer } from "../helpers/suite.js";
import { connectCustomer, connectSocket } from "../helpers/socketClient.js";

// Both sides of one conversation over real sockets: what the widget sends reaches the console (agent view)
// and what an agent does reaches the widget (customer view).
let t: TestServer;
const sockets: { close(): void }[] = [];
useTestServer((server) => (t = server), { clearBetweenTests: true, beforeStop: () => sockets.forEach((s) => s.close()) });

async function agentSocket() {
  const agent = await loginAs(t.url, "agent");
  const s = await connectSocket(t.url, {}, "/agent", { cookie: agent.cookie });
  sockets.push(s);
  return { agent, s };
}

test("a customer's message, its hand-off and typing reach every agent, with internal fields", async () => {
  const { s: desk } = await agentSocket();
  const customer = await connectCustomer(t.url);
  sockets.push(customer);

  const seen = desk.next("message:new", (m: any) => m.role === "customer");
  const handedOff = desk.next("message:new", (m: any) => m.role === "system");
  const waiting = desk.next("conversation:updated", (c: any) => c.status === "waiting");
  const sent = await customer.request("message:send", { clientId: randomUUID(), text: "My parcel never arrived" });
  const m = await seen;
  assert.equal(m.id, sent.message.id);
  assert.equal(m.text, "My parcel never arrived");
  assert.deepEqual(m.review, { status: null, reviewedBy: null, reviewedAt: null, exampleId: null });
  assert.equal((await handedOff).handoffReason, "no_model");
  const conv = await waiting;
  assert.equal(conv.customerId, customer.session.customerId);
  assert.equal(conv.lastMessagePreview.length > 0, true);
  assert.ok(conv.waitingSince);

  const typing = desk.next("typing");
  await customer.request("typing", { conversationId: sent.conversation.id, typing: true });
  assert.deepEqual(await typing, { conversationId: sent.conversation.id, role: "customer", typing: true });
});

test("an agent takes over and replies: the widget hears it, and the bot stays silent from then on", async () => {
  const { s: desk } = await agentSocket();
  const customer = await connectCustomer(t.url);
  sockets.push(customer);
  const notice = customer.next("message:new", (m: any) => m.role === "system");
  const sent = await customer.request("message:send", { clientId: randomUUID(), text: "Can a person help?" });
  await notice;
  const conversationId = sent.conversation.id;

  const joined = customer.next("conversation:updated", (c: any) => c.status === "agent");
  const take = await desk.request("conversation:takeover", { conversationId });
  assert.equal(take.ok, true, JSON.stringify(take));
  const update = await joined;
  assert.equal(update.agentAssigned, true);
  assert.equal("assignedAgentId" in update, false, "customers do not see agent ids");

  const agentTyping = customer.next("typing");
  await desk.request("typing", { conversationId, typing: true });
  assert.deepEqual(await agentTyping, { conversationId, role: "agent", typing: true });

  const reply = customer.next("message:new", (m: any) => m.role === "agent");
  const ack = await desk.request("message:send", { conversationId, clientId: randomUUID(), text: "Hi, I'm on it." });
  assert.equal(ack.ok, true, JSON.stringify(ack));
  const r = await reply;
  assert.equal(r.text, "Hi, I'm on it.");
  assert.equal("authorId" in r, false);

  await customer.request("message:send", { conversationId, clientId: randomUUID(), text: "Thank you!" });
  await new Promise((res) => setTimeout(res, 300));
  const roles = (await Message.find({ conversationId }).sort({ seq: 1 }).lean()).map((m) => m.role);
  assert.deepEqual(
    roles.filter((r) => r !== "system"),
    ["customer", "agent", "customer"],
    "no bot turn while the agent has it",
  );
  assert.equal(roles.filter((r) => r === "system").length, 2, "the hand-off notice and the 'joined' notice");
});
