import { test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import request from "supertest";
import type { TestServer } from "../helpers/server.js";
import { useTestServer } from "../helpers/suite.js";
import { connectCustomer } from "../helpers/socketClient.js";

let t: TestServer;
useTestServer((server) => (t = server), { clearBetweenTests: true });

test("a new widget gets a customer id and a signed token; sending it back keeps the identity", async () => {
  const first = await request(t.url).post("/api/widget/session").send({}).expect(201);
  assert.match(first.body.customerId, /^cus_/);
  assert.ok(first.body.token.startsWith(`${first.body.customerId}.`));
  const again = await request(t.url).post("/api/widget/session").send({ token: first.body.token }).expect(200);
  assert.equal(again.body.customerId, first.body.customerId);
  assert.equal(again.body.token, first.body.token);
});

test("a forged or foreign token is replaced by a fresh identity, never accepted", async () => {
  const first = await request(t.url).post("/api/widget/session").send({}).expect(201);
  const [id, issued] = first.body.token.split(".");
  const forged = `${id}.${issued}.${"A".repeat(43)}`;
  const res = await request(t.url).post("/api/widget/session").send({ token: forged }).expect(201);
  assert.notEqual(res.body.customerId, first.body.customerId);
});

test("session input is validated", async () => {
  const res = await request(t.url).post("/api/widget/session").send({ token: 12 }).expect(400);
  assert.equal(res.body.error.code, "invalid_input");
  await request(t.url).post("/api/widget/session").set("content-type", "application/json").send("{oops").expect(400);
});

test("the widget API allows cross-origin calls (it runs on customers' sites)", async () => {
  const res = await request(t.url)
    .options("/api/widget/session")
    .set("Origin", "https://shop.example")
    .set("Access-Control-Request-Method", "POST")
    .set("Access-Control-Request-Headers", "content-type");
  assert.ok(res.status === 204 || res.status === 200);
  assert.equal(res.headers["access-control-allow-origin"], "https://shop.example");
});

test("history over REST: the customer's conversations and messages in order, nobody else's", async () => {
  const c = await connectCustomer(t.url);
  const notice = c.next("message:new", (m: any) => m.role === "system");
  const sent = await c.request("message:send", { clientId: randomUUID(), text: "Do you ship to Canada?" });
  await notice;
  await c.request("message:send", { conversationId: sent.conversation.id, clientId: randomUUID(), text: "And to Mexico?" });
  c.close();
  const auth = { Authorization: `Bearer ${c.session.token}` };

  const list = await request(t.url).get("/api/widget/conversations").set(auth).expect(200);
  assert.equal(list.body.conversations.length, 1);
  assert.equal(list.body.conversations[0].id, sent.conversation.id);
  assert.equal(list.body.conversations[0].status, "waiting");
  assert.equal("customerId" in list.body.conversations[0], false, "customer view only");

  const history = await request(t.url).get(`/api/widget/conversations/${sent.conversation.id}/messages`).set(auth).expect(200);
  assert.deepEqual(
    history.body.messages.map((m: any) => [m.seq, m.role, m.text.slice(0, 14)]),
    [
      [1, "customer", "Do you ship to"],
      [2, "system", "Thanks for you"],
      [3, "customer", "And to Mexico?"],
    ],
  );
  assert.equal(history.body.hasMore, false);
  assert.match(history.body.messages[0].createdAt, /^\d{4}-\d\d-\d\dT/);
  assert.equal(typeof history.body.messages[0].id, "string");
  assert.equal("review" in history.body.messages[0], false);

  const since = await request(t.url).get(`/api/widget/conversations/${sent.conversation.id}/messages?afterSeq=2`).set(auth).expect(200);
  assert.deepEqual(
    since.body.messages.map((m: any) => m.seq),
    [3],
  );
  const page = await request(t.url).get(`/api/widget/conversations/${sent.conversation.id}/messages?limit=2`).set(auth).expect(200);
  assert.equal(page.body.hasMore, true);

  const stranger = (await request(t.url).post("/api/widget/session").send({})).body.token;
  await request(t.url)
    .get(`/api/widget/conversations/${sent.conversation.id}/messages`)
    .set({ Authorization: `Bearer ${stranger}` })
    .expect(404);
  const strangerList = await request(t.url)
    .get("/api/widget/conversations")
    .set({ Authorization: `Bearer ${stranger}` })
    .expect(200);
  assert.deepEqual(strangerList.body.conversations, []);
});

test("history needs a valid token and well-formed parameters", async () => {
  await request(t.url).get("/api/widget/conversations").expect(401);
  await request(t.url).get("/api/widget/conversations").set({ Authorization: "Bearer nope" }).expect(401);
  const { token } = (await request(t.url).post("/api/widget/session").send({})).body;
  const auth = { Authorization: `Bearer ${token}` };
  const badId = await request(t.url).get("/api/widget/conversations/not-an-id/messages").set(auth).expect(400);
  assert.equal(badId.body.error.code, "invalid_input");
  await request(t.url).get("/api/widget/conversations/0123456789abcdef01234567/messages?afterSeq=-3").set(auth).expect(400);
  await request(t.url).get("/api/widget/conversations/0123456789abcdef01234567/messages").set(auth).expect(404);
});

// Keep this test last: it spends the address's allowance of new sessions for the minute.
test("new identities are rate limited per address; returning visitors are not", async () => {
  const { token } = (await request(t.url).post("/api/widget/session").send({}).expect(201)).body;
  // This file has already asked for a few; use up the rest of the minute's allowance.
  let limited: request.Response | null = null;
  for (let i = 0; i < 70 && !limited; i++) {
    const res = await request(t.url).post("/api/widget/session").send({});
    if (res.status === 429) limited = res;
  }
  assert.ok(limited, "new sessions are capped");
  assert.equal(limited.body.error.code, "rate_limited");
  const back = await request(t.url).post("/api/widget/session").send({ token }).expect(200);
  assert.equal(back.body.token, token);
});
