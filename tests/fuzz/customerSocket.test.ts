import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Conversation, Message } from "../../server/models/index.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { connectCustomer, newWidgetSession, type TestSocket, type WidgetSession } from "../helpers/socketClient.js";
import { recordHardening } from "../helpers/faults.js";

// Property: whatever a widget socket sends — wrong types, operator objects, oversized or hostile strings,
// unknown events — the server answers with a clear error (never "internal"), stores nothing malformed,
// and keeps serving. Each socket gets a fresh rate limiter, so the fuzzer rotates sockets before the limit.
const EVENTS = ["message:send", "conversation:sync", "typing", "message:feedback"] as const;
const ALLOWED_CODES = new Set(["invalid_input", "unknown_event", "not_found", "not_a_bot_reply", "rate_limited"]);
const PER_SOCKET = 20;

let t: TestServer;
let session: WidgetSession;
const open: TestSocket[] = [];
let tried = 0;
let serverErrors = 0;
before(async () => {
  t = await startTestServer();
  session = await newWidgetSession(t.url);
});
after(async () => {
  open.forEach((s) => s.close());
  await t.stop();
  await recordHardening("fuzz.customerSocket", { payloadsTried: tried, serverErrors });
  console.log(`fuzz: ${tried} customer socket payloads tried, ${serverErrors} internal errors`);
});

const operator = fc.constantFrom<unknown>(
  { $gt: "" },
  { $ne: null },
  { $where: "sleep(100)" },
  { $regex: ".*" },
  { $exists: true },
  ["$gt", ""],
  { __proto__: { admin: true } },
);
const hostileString = fc.oneof(
  fc.string({ maxLength: 50 }),
  fc.constantFrom(
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "' OR 1=1 --",
    "../../etc/passwd",
    "\u0000\u0001",
    "0123456789abcdef0123456",
    "0123456789abcdef01234567",
    "$gt",
    "{}",
    "\uD800",
    "x".repeat(4001),
  ),
  fc.string({ unit: "binary", maxLength: 30 }),
);
const value: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  operator,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.array(fc.anything({ maxDepth: 1 }), { maxLength: 3 }),
);
const payloadFor = (event: string) =>
  fc.oneof(
    fc.anything({ maxDepth: 2 }),
    fc.record<Record<string, unknown>>(
      event === "message:send"
        ? { conversationId: value, clientId: value, text: value }
        : event === "conversation:sync"
          ? { conversationId: value, afterSeq: fc.oneof(value, fc.integer({ min: -5, max: 1e12 })) }
          : event === "typing"
            ? { conversationId: value, typing: value }
            : { messageId: value, value },
      { requiredKeys: [] },
    ),
    fc.dictionary(fc.string({ maxLength: 8 }), value, { maxKeys: 4 }),
  );

let current: TestSocket | null = null;
let used = 0;
async function socket(): Promise<TestSocket> {
  if (!current || used >= PER_SOCKET || !current.socket.connected) {
    current?.close();
    current = await connectCustomer(t.url, session);
    open.push(current);
    used = 0;
  }
  used++;
  return current;
}

function checkAck(event: string, payload: unknown, ack: { ok: boolean; error?: { code: string; message: string } }) {
  tried++;
  if (ack.ok) return;
  if (ack.error?.code === "internal") serverErrors++;
  assert.ok(ALLOWED_CODES.has(ack.error!.code), `${event} ${JSON.stringify(payload)} → ${JSON.stringify(ack)}`);
  assert.equal(typeof ack.error!.message, "string");
  assert.ok(ack.error!.message.length > 0 && ack.error!.message.length < 500, "a clear, short message");
}

test("every known event with malformed, wrong-typed and operator payloads gets a clear error", async () => {
  for (const event of EVENTS) {
    await fc.assert(
      fc.asyncProperty(payloadFor(event), async (payload) => {
        const s = await socket();
        checkAck(event, payload, await s.request(event, payload));
      }),
      { numRuns: 150 },
    );
  }
});

test("unknown and server-to-client event names are refused as unknown_event", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.constantFrom("message:new", "chat:error", "conversation:updated", "__proto__", "constructor", "hasOwnProperty"),
      ),
      fc.anything({ maxDepth: 1 }),
      async (event, payload) => {
        fc.pre(
          !(EVENTS as readonly string[]).includes(event) &&
            !["connect", "disconnect", "connect_error", "disconnecting", "newListener", "removeListener"].includes(event),
        );
        const s = await socket();
        const ack = await s.request(event, payload);
        checkAck(event, payload, ack);
        assert.equal(ack.ok, false);
        assert.ok(["unknown_event", "rate_limited"].includes(ack.error.code), JSON.stringify(ack));
      },
    ),
    { numRuns: 60 },
  );
});

test("events without an ack callback, or with extra arguments, are answered on chat:error and do not crash", async () => {
  const s = await connectCustomer(t.url, session);
  open.push(s);
  const errors = s.next("chat:error", (e) => e.event === "message:send");
  s.socket.emit("message:send", { clientId: { $gt: "" }, text: 1 });
  assert.equal((await errors).code, "invalid_input");
  const extra = await s.socket.timeout(5000).emitWithAck("conversation:sync", { afterSeq: 0 }, "extra", { $gt: "" });
  tried += 2;
  assert.ok(extra.ok === true || extra.error.code === "invalid_input", JSON.stringify(extra));
});

test("an oversized packet closes only that connection; the server and other sockets keep working", async () => {
  const victim = await connectCustomer(t.url, session);
  const bystander = await connectCustomer(t.url, session);
  open.push(victim, bystander);
  const closed = new Promise((resolve) => victim.socket.once("disconnect", resolve));
  victim.socket.emit("message:send", { clientId: "big", text: "x".repeat(200_000) });
  await closed;
  tried++;
  const handedOff = bystander.next("message:new", (m) => m.role === "system");
  const ok = await bystander.request("message:send", { clientId: "after-flood", text: "still here" });
  assert.equal(ok.ok, true);
  // Let the bot's hand-off finish before the database goes away.
  await handedOff;
});

test("after the fuzzing nothing malformed was stored", async () => {
  const messages = await Message.find({}).lean();
  for (const m of messages) {
    assert.equal(typeof m.text, "string");
    assert.ok(m.text.trim().length >= 1 && m.text.length <= 4000);
    assert.match(m.clientId, /^[A-Za-z0-9_:.-]{1,64}$/);
  }
  const conversations = await Conversation.find({}).lean();
  assert.ok(
    conversations.every((c) => c.customerId === session.customerId),
    "every conversation belongs to the fuzzing customer",
  );
  const health = await fetch(`${t.url}/api/health`);
  assert.equal(health.status, 200);
});
