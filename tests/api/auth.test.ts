import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import request from "supertest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { clearDatabase } from "../helpers/database.js";
import { createUser, loginAs } from "../helpers/agents.js";
import { User } from "../../server/models/user.js";
import { AuditEntry } from "../../server/models/auditEntry.js";
import { startSessionSweeper } from "../../server/auth/sessionSweeper.js";
import mongoose from "mongoose";

let t: TestServer;
before(async () => {
  t = await startTestServer({ ADMIN_EMAIL: "boot@example.test", ADMIN_PASSWORD: "bootstrap-password-1" });
});
after(async () => {
  await t.stop();
});

test("the first admin is created from ADMIN_EMAIL/ADMIN_PASSWORD with an argon2 hash", async () => {
  const admin = await User.findOne({ email: "boot@example.test" }).lean();
  assert.equal(admin?.role, "admin");
  assert.match(admin!.passwordHash!, /^\$argon2id\$/);
  const agent = request.agent(t.url);
  const res = await agent.post("/api/auth/login").send({ email: "BOOT@example.test", password: "bootstrap-password-1" }).expect(200);
  assert.equal(res.body.user.role, "admin");
  assert.equal(typeof res.body.csrfToken, "string");
  assert.equal("passwordHash" in res.body.user, false);
});

test("sessions are stored in MongoDB and rotated on login", async () => {
  await clearDatabase();
  const user = await createUser("agent");
  const agent = request.agent(t.url);
  // An anonymous request that creates no session, then a planted cookie value: login must issue a new id.
  const planted = "understudy.sid=s%3Aplanted.invalid";
  const res = await agent.post("/api/auth/login").set("Cookie", planted).send({ email: user.email, password: user.password }).expect(200);
  const sid = ([] as string[]).concat(res.headers["set-cookie"]).find((c) => c.startsWith("understudy.sid="));
  assert.ok(sid && !sid.startsWith(planted));
  const sessions = await mongoose.connection.db!.collection("sessions").countDocuments();
  assert.equal(sessions, 1);
  const me = await agent.get("/api/auth/session").expect(200);
  assert.equal(me.body.user.email, user.email);
});

test("expired sessions are swept with acknowledged deletes; live sessions keep working", async () => {
  await clearDatabase();
  const [kept, expired] = [await createUser("agent"), await createUser("agent")];
  const keptAgent = request.agent(t.url);
  const expiredAgent = request.agent(t.url);
  await keptAgent.post("/api/auth/login").send({ email: kept.email, password: kept.password }).expect(200);
  await expiredAgent.post("/api/auth/login").send({ email: expired.email, password: expired.password }).expect(200);
  const sessions = mongoose.connection.db!.collection("sessions");
  await sessions.updateOne({ "session.passport.user": expired.id }, { $set: { expires: new Date(Date.now() - 1000) } });
  const sweeper = startSessionSweeper(60_000);
  try {
    assert.equal(await sweeper.sweep(), 1);
  } finally {
    sweeper.stop();
  }
  assert.equal(await sessions.countDocuments(), 1);
  // Many requests, so every pooled connection is used after the sweep and answers its own request.
  for (let i = 0; i < 12; i++) {
    const me = await keptAgent.get("/api/auth/session").expect(200);
    assert.equal(me.body.user.email, kept.email);
  }
  await expiredAgent.get("/api/auth/session").expect(401);
});

test("wrong password is 401 invalid_credentials, unknown email the same", async () => {
  const user = await createUser("agent");
  const a = await request(t.url).post("/api/auth/login").send({ email: user.email, password: "nope" }).expect(401);
  const b = await request(t.url).post("/api/auth/login").send({ email: "ghost@example.test", password: "nope" }).expect(401);
  assert.equal(a.body.error.code, "invalid_credentials");
  assert.deepEqual(a.body, b.body);
});

test("malformed login body is a 400 with details", async () => {
  const res = await request(t.url).post("/api/auth/login").send({ email: "not-an-email" }).expect(400);
  assert.equal(res.body.error.code, "invalid_input");
  assert.ok(res.body.error.details.length >= 1);
});

test("a disabled user cannot log in and their live session stops working", async () => {
  const agent = await loginAs(t.url, "agent");
  await agent.get("/api/auth/session").expect(200);
  await User.updateOne({ _id: agent.user.id }, { $set: { disabled: true } });
  await agent.get("/api/auth/session").expect(401);
  await request(t.url).post("/api/auth/login").send({ email: agent.user.email, password: agent.user.password }).expect(401);
});

test("CSRF: mutating routes need the header; a token from before the session rotated is stale", async () => {
  const user = await createUser("agent");
  const agent = await loginAs(t.url, user);
  const oldToken = agent.csrfToken;
  // No header at all.
  const noHeader = await request(t.url).post("/api/auth/logout").set("Cookie", agent.cookie).expect(403);
  assert.equal(noHeader.body.error.code, "csrf_invalid");
  // Log in again on the same agent: the session id rotates, the old token no longer matches it.
  const again = await agent.post("/api/auth/login").send({ email: user.email, password: user.password }).expect(200);
  assert.notEqual(again.body.csrfToken, oldToken);
  const stale = await agent.post("/api/auth/logout").set("x-csrf-token", oldToken).expect(403);
  assert.equal(stale.body.error.code, "csrf_invalid");
  await agent.post("/api/auth/logout").set("x-csrf-token", again.body.csrfToken).expect(204);
  await agent.get("/api/auth/session").expect(401);
});

test("GET /api/auth/csrf returns a token usable for the current session", async () => {
  const agent = await loginAs(t.url, "agent");
  const { body } = await agent.get("/api/auth/csrf").expect(200);
  await agent.post("/api/auth/logout").set("x-csrf-token", body.csrfToken).expect(204);
});

test("anonymous: session and csrf are 401, logout is 401 (not a CSRF error)", async () => {
  await request(t.url).get("/api/auth/session").expect(401);
  await request(t.url).get("/api/auth/csrf").expect(401);
  const res = await request(t.url).post("/api/auth/logout").expect(401);
  assert.equal(res.body.error.code, "unauthorized");
});

test("invites: an admin invites, the invitee sets a password once and logs in; login is audited", async () => {
  const admin = await loginAs(t.url, "admin");
  const created = await admin.post("/api/users").send({ email: "new.agent@example.test", name: "New Agent" }).expect(201);
  assert.equal(created.body.user.invitePending, true);
  const token = created.body.inviteToken as string;
  assert.ok(created.body.inviteUrl.endsWith(token));
  await request(t.url).post("/api/auth/invite/accept").send({ token, password: "short" }).expect(400);
  await request(t.url).post("/api/auth/invite/accept").send({ token, password: "a good long password" }).expect(204);
  await request(t.url).post("/api/auth/invite/accept").send({ token, password: "another long password" }).expect(400);
  const res = await request(t.url)
    .post("/api/auth/login")
    .send({ email: "new.agent@example.test", password: "a good long password" })
    .expect(200);
  assert.equal(res.body.user.role, "agent");
  const entries = await AuditEntry.find({ actorEmail: "new.agent@example.test" }).lean();
  assert.deepEqual(entries.map((e) => e.action).sort(), ["auth.login", "user.accept_invite"]);
});
