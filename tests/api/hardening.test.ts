import { after, test } from "node:test";
import assert from "node:assert/strict";
import request from "supertest";
import type { TestServer } from "../helpers/server.js";
import { startServerOn } from "../helpers/server.js";
import { useTestServerWithLogins } from "../helpers/suite.js";
import { seedWaitingConversation, type LoggedInAgent } from "../helpers/agents.js";
import { connectCustomer } from "../helpers/socketClient.js";
import { recordHardening } from "../helpers/faults.js";
import { Message } from "../../server/models/message.js";

// The outside probe's smaller findings (docs/security.md, "Smaller findings").
let t: TestServer;
let admin: LoggedInAgent;
let agent: LoggedInAgent;
useTestServerWithLogins((s) => ({ t, admin, agent } = s));
let payloads = 0;
after(async () => {
  await recordHardening("api.hardening", { payloadsTried: payloads, serverErrors: 0 });
});

test("pages that do not exist answer the API's JSON 404, not the framework's HTML", async () => {
  for (const path of ["/no-such-page", "/console/nope.js", "/api/nope"]) {
    const res = await request(t.url).get(path).expect(404);
    assert.match(res.headers["content-type"], /application\/json/, path);
    assert.equal(res.body.error.code, "not_found");
    assert.doesNotMatch(res.text, /Cannot GET/);
  }
});

test("API answers are never cached", async () => {
  for (const [who, path] of [
    [admin, "/api/users"],
    [agent, "/api/conversations"],
    [agent, "/api/auth/session"],
  ] as const) {
    const res = await who.get(path).expect(200);
    assert.equal(res.headers["cache-control"], "no-store", path);
  }
  assert.equal((await request(t.url).get("/api/health")).headers["cache-control"], "no-store");
});

test("message text is normalised at every edge; text with nothing visible is refused", async () => {
  const nasty = "pay\u0000 to inv\u202Eoice.exe\uD800 now \u2066x\u2069";
  const clean = "pay to invoice.exe now x";
  const invisible = ["\u200B\u200B\u200B", "\u0000", "\u202E \u200D\uFEFF", "\uDC00"];

  // The widget socket.
  const customer = await connectCustomer(t.url);
  try {
    payloads++;
    const ack = await customer.request("message:send", { clientId: "nasty-1", text: nasty });
    assert.equal(ack.ok, true, JSON.stringify(ack));
    assert.equal((await Message.findOne({ clientId: "nasty-1" }).lean())?.text, clean);
    for (const [i, text] of invisible.entries()) {
      payloads++;
      const refused = await customer.request("message:send", { clientId: `invisible-${i}`, text });
      assert.equal(refused.ok, false, JSON.stringify(text));
      assert.equal(refused.error.code, "invalid_input");
      assert.match(refused.error.message, /must not be empty/);
    }
  } finally {
    customer.socket.close();
  }

  // An agent's REST reply.
  const { conversation } = await seedWaitingConversation(t.server.ctx);
  await agent.post(`/api/conversations/${conversation._id}/takeover`).expect(200);
  payloads++;
  await agent.post(`/api/conversations/${conversation._id}/messages`).send({ clientId: "agent-nasty", text: nasty }).expect(201);
  assert.equal((await Message.findOne({ clientId: "agent-nasty" }).lean())?.text, clean);
  for (const text of invisible) {
    payloads++;
    const res = await agent.post(`/api/conversations/${conversation._id}/messages`).send({ clientId: "agent-invisible", text }).expect(400);
    assert.match(JSON.stringify(res.body.error.details), /must not be empty/);
  }
  // Emoji joined by U+200D keep their joiner.
  await agent.post(`/api/conversations/${conversation._id}/messages`).send({ clientId: "agent-emoji", text: "thanks 👩‍💻" }).expect(201);
  assert.equal((await Message.findOne({ clientId: "agent-emoji" }).lean())?.text, "thanks 👩‍💻");
});

test("in production, source maps and Swagger UI are off unless enabled; widget REST follows CORS_ORIGINS", async () => {
  const prod = await startServerOn(t.db, { NODE_ENV: "production", CORS_ORIGINS: "https://shop.example" });
  try {
    await request(prod.url).get("/widget.js").expect(200);
    await request(prod.url).get("/widget.js.map").expect(404);
    await request(prod.url).get("/console/main.js.map").expect(404);
    await request(prod.url).get("/api/docs/").expect(404);
    await request(prod.url).get("/api/openapi.json").expect(200);
    payloads++;
    const foreign = await request(prod.url).post("/api/widget/session").set("Origin", "https://evil.example").send({}).expect(403);
    assert.equal(foreign.body.error.code, "forbidden");
    await request(prod.url).post("/api/widget/session").set("Origin", "https://shop.example").send({}).expect(201);
    await request(prod.url).post("/api/widget/session").send({}).expect(201);
  } finally {
    await prod.stop();
  }
  const enabled = await startServerOn(t.db, { NODE_ENV: "production", SOURCE_MAPS: "true", API_DOCS: "true" });
  try {
    await request(enabled.url).get("/widget.js.map").expect(200);
    await request(enabled.url).get("/api/docs/").expect(200);
  } finally {
    await enabled.stop();
  }
  await request(t.url).get("/widget.js.map").expect(200);
});
