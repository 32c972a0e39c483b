import { test } from "node:test";
import assert from "node:assert/strict";
import type { TestServer } from "../helpers/server.js";
import { useTestServer } from "../helpers/suite.js";
import { createUser, loginAs } from "../helpers/agents.js";
import { User } from "../../server/models/user.js";

let t: TestServer;
useTestServer((server) => (t = server));

test("admins list, create with a password, rename and change roles", async () => {
  const admin = await loginAs(t.url, "admin");
  const created = await admin
    .post("/api/users")
    .send({ email: "Bea@Example.test", name: "Bea", password: "a long enough password" })
    .expect(201);
  assert.equal(created.body.user.email, "bea@example.test");
  assert.equal(created.body.user.role, "agent");
  assert.equal(created.body.inviteToken, null);
  const stored = await User.findById(created.body.user.id).lean();
  assert.match(stored!.passwordHash!, /^\$argon2id\$/);
  const dup = await admin.post("/api/users").send({ email: "bea@example.test", name: "Bea 2" }).expect(409);
  assert.equal(dup.body.error.code, "conflict");
  await admin.post("/api/users").send({ email: "x@example.test", name: "X", role: "boss" }).expect(400);
  await admin.post("/api/users").send({ email: "y@example.test", name: "Y", password: "short" }).expect(400);

  const list = await admin.get("/api/users?role=agent").expect(200);
  assert.ok(list.body.users.some((u: { email: string }) => u.email === "bea@example.test"));
  assert.ok(list.body.users.every((u: Record<string, unknown>) => !("passwordHash" in u) && !("inviteTokenHash" in u)));
  const promoted = await admin.patch(`/api/users/${created.body.user.id}`).send({ role: "admin", name: "Beatrice" }).expect(200);
  assert.equal(promoted.body.user.role, "admin");
  assert.equal(promoted.body.user.name, "Beatrice");
  await admin.patch(`/api/users/${created.body.user.id}`).send({}).expect(400);
  await admin.patch("/api/users/0123456789abcdef01234567").send({ name: "Nobody" }).expect(404);
});

test("disabling an agent ends their session at once; enabling restores login", async () => {
  const admin = await loginAs(t.url, "admin");
  const agentUser = await createUser("agent");
  const agent = await loginAs(t.url, agentUser);
  await agent.get("/api/conversations").expect(200);
  const res = await admin.patch(`/api/users/${agentUser.id}`).send({ disabled: true }).expect(200);
  assert.equal(res.body.user.disabled, true);
  await agent.get("/api/conversations").expect(401);
  await admin.patch(`/api/users/${agentUser.id}`).send({ disabled: false }).expect(200);
  await loginAs(t.url, agentUser);
});

test("an admin cannot disable or demote themselves, nor the last admin", async () => {
  await User.deleteMany({ role: "admin" });
  const admin = await loginAs(t.url, "admin");
  await admin.patch(`/api/users/${admin.user.id}`).send({ disabled: true }).expect(400);
  await admin.patch(`/api/users/${admin.user.id}`).send({ role: "agent" }).expect(400);
  const other = await loginAs(t.url, "admin");
  // With two admins one may demote the other, but then the survivor is the last.
  await other.patch(`/api/users/${admin.user.id}`).send({ role: "agent" }).expect(200);
  assert.equal((await User.findById(admin.user.id).lean())!.role, "agent");
});
