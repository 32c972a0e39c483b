import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fc from "fast-check";
import request from "supertest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { createUser, loginAs, seedBotExchange, type LoggedInAgent } from "../helpers/agents.js";
import { connectCustomer, connectSocket, newWidgetSession } from "../helpers/socketClient.js";
import { recordHardening } from "../helpers/faults.js";
import { catalog } from "../../server/api/openapi/catalog.js";
import { PERMISSIONS } from "../../server/policies/permissions.js";
import { issueCustomerToken } from "../../server/gateway/customer/customerToken.js";
import { Message } from "../../server/models/message.js";

// Access control, tried rather than assumed: customers reaching other customers' conversations, agents
// reaching admin routes, forged widget tokens, session fixation, password guessing, and sites outside the
// embedding allow-list. Every attempt that must fail is counted; the goal for "succeeded" is 0.
const EMBEDDER = "https://shop.example";
let t: TestServer;
let agent: LoggedInAgent;
let attempts = 0;
let succeeded = 0;
const attempt = (ok: boolean, label: string) => {
  attempts++;
  if (!ok) succeeded++;
  assert.ok(ok, label);
};
before(async () => {
  t = await startTestServer({ CORS_ORIGINS: `${EMBEDDER}, https://other.example` });
  agent = await loginAs(t.url, "agent");
});
after(async () => {
  await t.stop();
  await recordHardening("access", { unauthorizedAttempts: attempts, unauthorizedSucceeded: succeeded });
  console.log(`access: ${attempts} unauthorized attempts, ${succeeded} succeeded`);
});

test("a widget token reaches only its own customer's conversations (socket and REST)", async () => {
  const alice = await connectCustomer(t.url);
  const sent = await alice.request("message:send", { clientId: "a-1", text: "my card number is 4111" });
  const aliceConversation = sent.conversation.id as string;
  const bot = await seedBotExchange(t.server.ctx, { customerId: alice.session.customerId });
  const aliceIds = [aliceConversation, String(bot.conversation._id), String(bot.reply._id), String(bot.question._id)];
  const mallory = await connectCustomer(t.url);
  const ids = fc.oneof(fc.constantFrom(...aliceIds), fc.stringMatching(/^[0-9a-f]{24}$/));
  await fc.assert(
    fc.asyncProperty(ids, fc.nat(5), async (id, afterSeq) => {
      const sync = await mallory.request("conversation:sync", { conversationId: id, afterSeq });
      attempt(sync.ok === false && sync.error.code === "not_found", `sync ${id}: ${JSON.stringify(sync)}`);
      const fb = await mallory.request("message:feedback", { messageId: id, value: "down" });
      attempt(fb.ok === false && fb.error.code === "not_found", `feedback ${id}: ${JSON.stringify(fb)}`);
      const typing = await mallory.request("typing", { conversationId: id, typing: true });
      attempt(typing.ok === false && typing.error.code === "not_found", `typing ${id}: ${JSON.stringify(typing)}`);
      const rest = await request(t.url)
        .get(`/api/widget/conversations/${id}/messages`)
        .set("Authorization", `Bearer ${mallory.session.token}`);
      attempt(rest.status === 404, `REST ${id}: ${rest.status}`);
    }),
    // Sockets are rate limited (burst 30, then 5/s); a few dozen runs stay inside the budget.
    { numRuns: 8 },
  );
  // Writing into Alice's conversation, or replaying her clientId, does not land there.
  const intrude = await mallory.request("message:send", { conversationId: aliceConversation, clientId: "m-1", text: "hi" });
  attempt(intrude.ok === false && intrude.error.code === "not_found", JSON.stringify(intrude));
  const replay = await mallory.request("message:send", { clientId: "a-1", text: "replay" });
  attempt(replay.ok === true && replay.duplicate === false && replay.conversation.id !== aliceConversation, JSON.stringify(replay));
  const list = await request(t.url).get("/api/widget/conversations").set("Authorization", `Bearer ${mallory.session.token}`);
  attempt(!list.body.conversations.some((c: { id: string }) => aliceIds.includes(c.id)), "Mallory's list shows Alice's conversation");
  // Alice's next message is not broadcast to Mallory.
  await alice.request("message:send", { conversationId: aliceConversation, clientId: "a-2", text: "secret follow-up" });
  await new Promise((r) => setTimeout(r, 300));
  attempt(
    !mallory.received("message:new").some((m: { text: string }) => m.text === "secret follow-up"),
    "broadcast leaked to another customer",
  );
  assert.equal(await Message.countDocuments({ conversationId: bot.conversation._id, feedback: "down" }), 0);
  alice.close();
  mallory.close();
});

test("forged, tampered and foreign-secret widget tokens are refused", async () => {
  const real = await newWidgetSession(t.url);
  const [id, issued, sig] = real.token.split(".");
  const forged = [
    `${id}.${issued}.${sig.slice(0, -2)}AA`,
    `cus_${crypto.randomBytes(16).toString("base64url")}.${issued}.${sig}`,
    issueCustomerToken("some-other-secret-0123456789", id).token,
    issueCustomerToken("test-session-secret-0123456789", id, Date.now() - 401 * 24 * 3600 * 1000).token,
    `${id}.${issued}`,
    JSON.stringify({ $ne: null }),
  ];
  for (const token of forged) {
    const rest = await request(t.url).get("/api/widget/conversations").set("Authorization", `Bearer ${token}`);
    attempt(rest.status === 401, `REST with ${token}: ${rest.status}`);
    const connected = await connectSocket(t.url, { token }).then(
      (s) => (s.close(), true),
      () => false,
    );
    attempt(!connected, `socket with ${token}`);
  }
});

test("agents are refused every admin-only route", async () => {
  const adminOnly = catalog.filter(
    (r) => r.access !== null && r.access !== "session" && !(PERMISSIONS[r.access] as readonly string[]).includes("agent"),
  );
  assert.ok(adminOnly.length >= 8, `admin-only routes: ${adminOnly.length}`);
  for (const r of adminOnly) {
    const res = await agent[r.method](r.path.replace(/:(\w+)/g, "0123456789abcdef01234567")).send({});
    attempt(res.status === 403, `${r.method} ${r.path} as agent → ${res.status}`);
  }
});

test("the session id changes on login, and the pre-login id is worthless afterwards", async () => {
  const user = await createUser("agent");
  const anon = request.agent(t.url);
  // Plant a session id before login (session fixation): any cookie the server set before is replaced.
  const first = await anon.post("/api/auth/login").send({ email: user.email, password: "wrong password!" });
  assert.equal(first.status, 401);
  const res = await anon.post("/api/auth/login").send({ email: user.email, password: user.password });
  assert.equal(res.status, 200);
  const sid = ([] as string[]).concat(res.headers["set-cookie"] ?? []).find((c) => c.startsWith("understudy.sid="));
  assert.ok(sid, "login sets a new session cookie");
  const planted = "understudy.sid=s%3Aplanted-session-id.x";
  const withPlanted = await request(t.url).get("/api/auth/session").set("Cookie", planted);
  attempt(withPlanted.status === 401, `planted session → ${withPlanted.status}`);
  const again = await request(t.url)
    .post("/api/auth/login")
    .set("Cookie", sid.split(";")[0])
    .send({ email: user.email, password: user.password });
  const sid2 = ([] as string[]).concat(again.headers["set-cookie"] ?? []).find((c) => c.startsWith("understudy.sid="));
  assert.ok(sid2 && sid2.split(";")[0] !== sid.split(";")[0], "a second login rotates the id again");
  const old = await request(t.url).get("/api/auth/session").set("Cookie", sid.split(";")[0]);
  attempt(old.status === 401, `the session before re-login still works: ${old.status}`);
});

test("password guessing is slowed for the guesser's address, and never locks the account", async () => {
  const victim = await createUser("admin");
  const statuses: number[] = [];
  for (let i = 0; i < 22; i++) {
    const res = await request(t.url)
      .post("/api/auth/login")
      .set("X-Forwarded-For", "198.51.100.7")
      .send({ email: victim.email, password: `guess-${i}-xxxxxx` });
    attempt(res.status === 401 || res.status === 429, `guess ${i} → ${res.status}`);
    statuses.push(res.status);
  }
  assert.ok(
    statuses.slice(0, 4).every((s) => s === 401),
    statuses.join(","),
  );
  // Each wait doubles (1 s, 2 s, …): on a slow machine one of the later guesses may land after the first.
  assert.ok(statuses[4] === 429 && statuses.slice(4).filter((s) => s === 401).length <= 2, `later guesses wait: ${statuses.join(",")}`);
  const right = await request(t.url)
    .post("/api/auth/login")
    .set("X-Forwarded-For", "198.51.100.7")
    .send({ email: victim.email, password: victim.password });
  attempt(right.status === 429, `the right password from the guesser's address while it waits → ${right.status}`);
  // The admin, elsewhere, is not locked out by someone guessing at their account.
  await request(t.url)
    .post("/api/auth/login")
    .set("X-Forwarded-For", "203.0.113.20")
    .send({ email: victim.email, password: victim.password })
    .expect(200);
});

test("security headers: CSP, no sniffing, no framing; widget.js loadable by other sites", async () => {
  for (const path of ["/", "/console/", "/api/health"]) {
    const res = await request(t.url).get(path);
    const csp = res.headers["content-security-policy"] ?? "";
    assert.match(csp, /default-src 'self'/, path);
    assert.match(csp, /script-src 'self'(;|$)/, `${path}: no inline or eval script`);
    assert.match(csp, /object-src 'none'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(res.headers["x-content-type-options"], "nosniff");
    assert.equal(res.headers["x-powered-by"], undefined);
    assert.equal(res.headers["x-frame-options"], "DENY", "the same frame policy as frame-ancestors 'none'");
  }
  const widget = await request(t.url).get("/widget.js");
  assert.equal(widget.status, 200);
  assert.equal(widget.headers["cross-origin-resource-policy"], "cross-origin");
  const page = await request(t.url).get("/");
  assert.equal(page.headers["cross-origin-resource-policy"], "same-origin");
});

test("CORS and the socket handshake allow the listed embedding sites only", async () => {
  const allowed = await request(t.url).options("/api/widget/session").set("Origin", EMBEDDER).set("Access-Control-Request-Method", "POST");
  assert.equal(allowed.headers["access-control-allow-origin"], EMBEDDER);
  const denied = await request(t.url)
    .options("/api/widget/session")
    .set("Origin", "https://evil.example")
    .set("Access-Control-Request-Method", "POST");
  attempt(denied.headers["access-control-allow-origin"] === undefined, "CORS allowed an unlisted origin");
  const session = await newWidgetSession(t.url);
  const listed = await connectSocket(t.url, { token: session.token }, "/customer", { Origin: EMBEDDER });
  listed.close();
  const same = await connectSocket(t.url, { token: session.token }, "/customer", { Origin: t.url });
  same.close();
  for (const origin of ["https://evil.example", "https://shop.example.evil.example", "null", "http://shop.example"]) {
    const connected = await connectSocket(t.url, { token: session.token }, "/customer", { Origin: origin }).then(
      (s) => (s.close(), true),
      () => false,
    );
    attempt(!connected, `socket from ${origin}`);
  }
  // Widget REST follows the same list (CORS alone only hides the answer from the page).
  for (const origin of ["https://evil.example", "null"]) {
    const res = await request(t.url).post("/api/widget/session").set("Origin", origin).send({});
    attempt(res.status === 403, `widget session from ${origin} → ${res.status}`);
  }
  await request(t.url).post("/api/widget/session").set("Origin", EMBEDDER).send({}).expect(201);
  // The console's session cookie does not open the agent socket from an embedding site either.
  const fromShop = await connectSocket(t.url, {}, "/agent", { Cookie: agent.cookie, Origin: EMBEDDER }).then(
    (s) => (s.close(), true),
    () => false,
  );
  attempt(!fromShop, "agent socket from an embedding site");
});
