import { test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { Conversation, Message } from "../../server/models/index.js";
import type { TestServer } from "../helpers/server.js";
import { useTestServer } from "../helpers/suite.js";
import { connectCustomer, newWidgetSession, type WidgetSession } from "../helpers/socketClient.js";

let t: TestServer;
const sockets: { close(): void }[] = [];
useTestServer((server) => (t = server), { clearBetweenTests: true, beforeStop: () => sockets.forEach((s) => s.close()) });

// One widget identity for the whole file (new identities are rate limited per address); each test
// still gets its own socket, which is what the per-socket limits apply to.
let session: WidgetSession | undefined;
async function customer() {
  session ??= await newWidgetSession(t.url);
  const c = await connectCustomer(t.url, session);
  sockets.push(c);
  return c;
}

async function nothingStored() {
  assert.equal(await Message.countDocuments({}), 0, "no message stored");
  assert.equal(await Conversation.countDocuments({}), 0, "no conversation opened");
}

async function stillServing(c: Awaited<ReturnType<typeof customer>>) {
  const notice = c.next("message:new", (m: any) => m.role === "system");
  const ack = await c.request("message:send", { clientId: randomUUID(), text: "still works" });
  assert.equal(ack.ok, true, "the socket and server keep working");
  // Let the hand-off finish so it does not land after the next test has emptied the database.
  await notice;
}

const badPayloads: [string, unknown, RegExp][] = [
  ["oversized text", { clientId: "a", text: "x".repeat(4001) }, /text must be at most 4000 characters/],
  ["empty text", { clientId: "a", text: "" }, /text must not be empty/],
  ["whitespace-only text", { clientId: "a", text: " \n\t " }, /text must not be empty/],
  ["text is a number", { clientId: "a", text: 42 }, /text must be a string/],
  ["text is an object", { clientId: "a", text: { $gt: "" } }, /text must be a string/],
  ["missing clientId", { text: "hi" }, /clientId/],
  ["clientId is an operator object", { clientId: { $ne: null }, text: "hi" }, /clientId/],
  ["conversationId not an id", { conversationId: "../../etc", clientId: "a", text: "hi" }, /conversationId must be a 24-character hex id/],
  ["unexpected field", { clientId: "a", text: "hi", role: "agent" }, /Unrecognized key/],
  ["payload is a string", "hello", /payload Expected object/],
  ["no payload at all", undefined, /payload Expected object/],
];

for (const [name, payload, message] of badPayloads) {
  test(`message:send with ${name} is refused with a clear error and nothing stored`, async () => {
    const c = await customer();
    const errorEvent = c.next("chat:error");
    const ack = await c.request("message:send", payload);
    assert.equal(ack.ok, false);
    assert.equal(ack.error.code, "invalid_input");
    assert.match(ack.error.message, message);
    const ev = await errorEvent;
    assert.equal(ev.event, "message:send");
    assert.equal(ev.code, "invalid_input");
    await nothingStored();
    await stillServing(c);
  });
}

test("exactly 4000 characters is accepted", async () => {
  const c = await customer();
  const notice = c.next("message:new", (m: any) => m.role === "system");
  const ack = await c.request("message:send", { clientId: randomUUID(), text: "字".repeat(4000) });
  assert.equal(ack.ok, true);
  await notice;
  assert.equal((await Message.findById(ack.message.id).lean())?.text.length, 4000);
});

test("an event sent without an ack callback still gets an error event", async () => {
  const c = await customer();
  const errorEvent = c.next("chat:error");
  c.socket.emit("message:send", { clientId: "x", text: "" });
  const ev = await errorEvent;
  assert.equal(ev.code, "invalid_input");
  await nothingStored();
});

test("an unknown event gets an unknown_event error, and the socket stays usable", async () => {
  const c = await customer();
  const errorEvent = c.next("chat:error");
  const ack = await c.request("admin:dropDatabase", { please: true });
  assert.deepEqual(ack, { ok: false, error: { code: "unknown_event", message: 'Unknown event "admin:dropDatabase"' } });
  assert.equal((await errorEvent).event, "admin:dropDatabase");
  c.socket.emit("conversation:updated", {});
  assert.equal((await c.next("chat:error")).code, "unknown_event", "server-to-client names are not accepted from clients");
  await stillServing(c);
});

test("typing and feedback payloads are validated too", async () => {
  const c = await customer();
  const typing = await c.request("typing", { conversationId: "abc", typing: "yes" });
  assert.equal(typing.error.code, "invalid_input");
  assert.equal(typing.error.details.length, 2);
  const fb = await c.request("message:feedback", { messageId: "0123456789abcdef01234567", value: "meh" });
  assert.equal(fb.error.code, "invalid_input");
  const missing = await c.request("message:feedback", { messageId: "0123456789abcdef01234567", value: "up" });
  assert.equal(missing.error.code, "not_found");
  const sync = await c.request("conversation:sync", { afterSeq: -1 });
  assert.equal(sync.error.code, "invalid_input");
});

test("a flood is rate limited per socket: refused sends are not stored, other sockets are unaffected", async () => {
  const flooder = await customer();
  const bystander = await customer();
  const acks = await Promise.all(
    Array.from({ length: 40 }, (_, i) => flooder.request("message:send", { clientId: `flood-${i}`, text: `spam ${i}` })),
  );
  const accepted = acks.filter((a) => a.ok);
  const limited = acks.filter((a) => !a.ok);
  assert.ok(limited.length >= 25, `most of the flood is refused (refused ${limited.length})`);
  assert.ok(accepted.length >= 5, `the burst allowance is honoured (accepted ${accepted.length})`);
  for (const a of limited) {
    assert.equal(a.error.code, "rate_limited");
    assert.ok(a.error.retryAfter > 0);
  }
  assert.ok(flooder.received("chat:error").some((e: any) => e.code === "rate_limited"));
  // Exactly the acknowledged messages are stored.
  assert.equal(await Message.countDocuments({ role: "customer", clientId: /^flood-/ }), accepted.length);
  await stillServing(bystander);
  await new Promise((r) => setTimeout(r, 300));
});

test("a socket that keeps flooding is disconnected; the server keeps serving", async () => {
  const flooder = await customer();
  const gone = new Promise((resolve) => flooder.socket.once("disconnect", resolve));
  for (let i = 0; i < 160; i++) flooder.socket.emit("typing", { conversationId: "0123456789abcdef01234567", typing: true });
  assert.equal(await gone, "io server disconnect");
  await stillServing(await customer());
});

test("a packet over the 64 KB transport limit closes only that socket", async () => {
  const c = await customer();
  const gone = new Promise((resolve) => c.socket.once("disconnect", resolve));
  c.socket.emit("message:send", { clientId: "big", text: "x".repeat(70 * 1024) });
  assert.equal(await gone, "transport close");
  await nothingStored();
  await stillServing(await customer());
});
