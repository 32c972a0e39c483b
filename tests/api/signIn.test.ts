import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import request from "supertest";
import { startServerOn, startTestServer, type TestServer } from "../helpers/server.js";
import { createUser } from "../helpers/agents.js";
import { recordHardening } from "../helpers/faults.js";
import { startChatProcess, type ChatProcess } from "../helpers/processes.js";
import { ADDRESS_LIMIT, FREE_FAILURES } from "../../server/auth/loginThrottle.js";

// Sign-in that neither leaks nor locks out. The test client is on loopback, which TRUSTED_PROXIES trusts by
// default, so X-Forwarded-For gives each test its own client address.
let t: TestServer;
let attempts = 0;
let unauthorizedSucceeded = 0;
before(async () => {
  t = await startTestServer();
});
after(async () => {
  await t.stop();
  await recordHardening("api.signIn", { unauthorizedAttempts: attempts, unauthorizedSucceeded });
});

async function login(url: string, from: string, email: string, password: string) {
  const res = await request(url).post("/api/auth/login").set("X-Forwarded-For", from).send({ email, password });
  // Every call here uses a wrong password: a 200 would be a guess that got in.
  attempts++;
  if (res.status === 200) unauthorizedSucceeded++;
  return res;
}

test("a known and an unknown email get the same answers, try after try; the account is never locked", async () => {
  const user = await createUser("admin");
  const known: unknown[] = [];
  const unknown: unknown[] = [];
  for (let i = 0; i < 8; i++) {
    const a = await login(t.url, "192.0.2.1", user.email, `wrong guess ${i}`);
    const b = await login(t.url, "192.0.2.2", "nobody-here@example.test", `wrong guess ${i}`);
    known.push([a.status, a.body, a.headers["retry-after"] !== undefined]);
    unknown.push([b.status, b.body, b.headers["retry-after"] !== undefined]);
  }
  assert.deepEqual(known, unknown);
  assert.deepEqual(
    known.map((k) => (k as [number])[0]),
    [401, 401, 401, 401, 429, 429, 429, 429],
    `the first ${FREE_FAILURES + 1} guesses are answered, then the pair waits`,
  );
  // Nothing is locked: the owner, from their own address, signs in at once.
  await request(t.url)
    .post("/api/auth/login")
    .set("X-Forwarded-For", "192.0.2.3")
    .send({ email: user.email, password: user.password })
    .expect(200);
});

// Equal cost comes by construction: an unknown email runs one argon2 verification against a decoy hash, as a known
// one does against its own (server/auth/strategy.ts). A wall-clock comparison here was a timed test that the load of
// a shared 2-core machine decided, so what is checked is that nothing in the answer tells the two apart.
test("a wrong email and a wrong password get the same answer", async () => {
  const user = await createUser("agent");
  for (let i = 0; i < 3; i++) {
    const known = await login(t.url, `192.0.2.${10 + i}`, user.email, "definitely not it");
    const unknown = await login(t.url, `192.0.2.${30 + i}`, `ghost-${i}@example.test`, "definitely not it");
    assert.equal(known.status, 401);
    assert.equal(unknown.status, known.status);
    assert.deepEqual(unknown.body, known.body);
  }
});

test("the wait grows with each failure, and ends", async () => {
  const user = await createUser("agent");
  const from = "192.0.2.50";
  for (let i = 0; i <= FREE_FAILURES; i++) assert.equal((await login(t.url, from, user.email, `nope ${i}`)).status, 401);
  const first = await login(t.url, from, user.email, "nope again");
  assert.equal(first.status, 429);
  assert.equal(first.body.error.code, "rate_limited");
  assert.equal(first.headers["retry-after"], "1");
  await new Promise((r) => setTimeout(r, 1100));
  assert.equal((await login(t.url, from, user.email, "nope after the wait")).status, 401);
  const second = await login(t.url, from, user.email, "nope again");
  assert.equal(second.status, 429);
  assert.equal(second.headers["retry-after"], "2", "doubled");
  await new Promise((r) => setTimeout(r, 2100));
  await request(t.url)
    .post("/api/auth/login")
    .set("X-Forwarded-For", from)
    .send({ email: user.email, password: user.password })
    .expect(200);
  // Success forgives the pair: the next mistake is free again.
  assert.equal((await login(t.url, from, user.email, "typo")).status, 401);
});

test("an address over its limit gets 429 for wrong passwords, but the right password still signs in", async () => {
  const [sprayed, colleague] = [await createUser("agent"), await createUser("agent")];
  const from = "192.0.2.60";
  for (let i = 0; i < ADDRESS_LIMIT; i++) assert.equal((await login(t.url, from, `spray-${i}@example.test`, "Winter2026!")).status, 401);
  const wrong = await login(t.url, from, sprayed.email, "Winter2026!");
  assert.equal(wrong.status, 429);
  assert.equal(wrong.body.error.code, "rate_limited");
  // Someone else behind the same proxy, with the right password.
  await request(t.url)
    .post("/api/auth/login")
    .set("X-Forwarded-For", from)
    .send({ email: colleague.email, password: colleague.password })
    .expect(200);
  // The address's limit took the sprayed account's free tries: its owner waits a second, then gets in.
  await new Promise((r) => setTimeout(r, 1100));
  await request(t.url)
    .post("/api/auth/login")
    .set("X-Forwarded-For", from)
    .send({ email: sprayed.email, password: sprayed.password })
    .expect(200);
});

test("malformed sign-in bodies (400) do not count against the address", async () => {
  const user = await createUser("agent");
  const from = "192.0.2.70";
  for (let i = 0; i < ADDRESS_LIMIT + 10; i++) {
    const res = await request(t.url).post("/api/auth/login").set("X-Forwarded-For", from).send({ email: "not-an-email", password: "x" });
    assert.equal(res.status, 400);
  }
  assert.equal((await login(t.url, from, user.email, "wrong")).status, 401, "still answered, not limited");
});

test("X-Forwarded-For is believed only from the proxies named in TRUSTED_PROXIES", async () => {
  // Behind https, with a proxy that is not the test client: a client reaching the app port directly and
  // rotating X-Forwarded-For is still one address.
  const direct = await startServerOn(t.db, { PUBLIC_URL: "https://support.example.test", TRUSTED_PROXIES: "10.9.9.9" });
  try {
    const statuses: number[] = [];
    for (let i = 0; i < ADDRESS_LIMIT + 5; i++)
      statuses.push((await login(direct.url, `203.0.113.${i + 1}`, `rotating-${i}@example.test`, "guess")).status);
    assert.deepEqual(statuses.slice(0, ADDRESS_LIMIT), Array(ADDRESS_LIMIT).fill(401));
    assert.deepEqual(
      statuses.slice(ADDRESS_LIMIT),
      Array(5).fill(429),
      `rotating X-Forwarded-For escaped the limit: ${statuses.join(",")}`,
    );
  } finally {
    await direct.stop();
  }
});

test("the limiter's state is shared by every chat process and kept across a restart", async () => {
  const env = { MONGODB_URI: t.db.uri, SESSION_SECRET: "shared-secret-for-sign-in-0123456789" };
  const from = "192.0.2.80";
  const user = await createUser("agent");
  const a: ChatProcess | null = await startChatProcess("signin-a", env);
  let b: ChatProcess | null = await startChatProcess("signin-b", env);
  try {
    // Failures spread over two processes add up…
    for (let i = 0; i < ADDRESS_LIMIT; i++)
      assert.equal((await login(i % 2 ? a.url : b.url, from, `shared-${i}@example.test`, "guess")).status, 401);
    assert.equal((await login(b.url, from, user.email, "guess")).status, 429);
    // …and a restarted process still knows.
    await b.stop();
    b = null;
    b = await startChatProcess("signin-b2", env);
    assert.equal((await login(b.url, from, user.email, "guess")).status, 429);
    // The pair's own wait is shared too.
    const other = "192.0.2.81";
    for (let i = 0; i <= FREE_FAILURES; i++) await login(a.url, other, user.email, `nope ${i}`);
    assert.equal((await login(b.url, other, user.email, "nope")).status, 429);
  } finally {
    await a?.stop();
    await b?.stop();
  }
});
