// SSRF defence and signatures of outbound calls, against real local HTTP servers.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { outboundRequest, type Resolver } from "../../server/outbound/index.js";
import { parseAllowList, AllowListError } from "../../server/outbound/allowList.js";
import { isPrivateAddress } from "../../server/outbound/addresses.js";
import { signPayload, verifySignature } from "../../server/signing/index.js";

let target: http.Server;
let redirector: http.Server;
let targetPort: number;
let redirectPort: number;
let hits = 0;
let redirectTo = "";

const listen = (s: http.Server) => new Promise<number>((r) => s.listen(0, "127.0.0.1", () => r((s.address() as { port: number }).port)));

before(async () => {
  target = http.createServer((_req, res) => {
    hits++;
    res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
  });
  redirector = http.createServer((_req, res) => res.writeHead(302, { location: redirectTo }).end());
  targetPort = await listen(target);
  redirectPort = await listen(redirector);
});
after(async () => {
  target.closeAllConnections();
  redirector.closeAllConnections();
  await Promise.all([new Promise((r) => target.close(r)), new Promise((r) => redirector.close(r))]);
});

// A hosts file: names the tests point wherever they like.
const hosts =
  (map: Record<string, string>): Resolver =>
  async (host) =>
    map[host] ? [{ address: map[host], family: 4 }] : [];
const get = (url: string, allow: string, resolve?: Resolver) =>
  outboundRequest({ url, method: "GET", headers: {}, timeoutMs: 2000 }, { allowList: parseAllowList(allow), resolve });

test("an allow-listed address is called; anything not listed is refused before a connection", async () => {
  hits = 0;
  const ok = await get(`http://127.0.0.1:${targetPort}/x`, `http://127.0.0.1:${targetPort}`);
  assert.equal(ok.outcome, "ok");
  assert.equal(hits, 1);
  for (const [url, allow] of [
    [`http://127.0.0.1:${targetPort}/x`, `https://127.0.0.1:${targetPort}`], // http where only https is listed
    [`http://127.0.0.1:${targetPort}/x`, `http://127.0.0.1:${targetPort + 1}`], // another port
    [`http://127.0.0.1:${targetPort}/x`, ""],
    [`http://user:pw@127.0.0.1:${targetPort}/x`, `http://127.0.0.1:${targetPort}`],
  ]) {
    const res = await get(url, allow);
    assert.equal(res.outcome, "blocked", `${url} under [${allow}]`);
  }
  assert.equal(hits, 1, "no refused request reached the server");
});

test("a listed DNS name that resolves to a private or loopback address is refused", async () => {
  hits = 0;
  const viaHosts = await get(
    `http://orders.test:${targetPort}/x`,
    `http://orders.test:${targetPort}`,
    hosts({ "orders.test": "127.0.0.1" }),
  );
  assert.equal(viaHosts.outcome, "blocked");
  assert.match((viaHosts as { reason: string }).reason, /private or loopback/);
  const metadata = await get("http://metadata.test/latest", "http://metadata.test", hosts({ "metadata.test": "169.254.169.254" }));
  assert.equal(metadata.outcome, "blocked");
  // The system resolver: localhost is a name, not the listed address.
  const localhost = await get(`http://localhost:${targetPort}/x`, `http://localhost:${targetPort}`);
  assert.equal(localhost.outcome, "blocked");
  assert.equal(hits, 0);
});

test("redirects are followed only to targets that pass the same checks", async () => {
  hits = 0;
  const allow = `http://127.0.0.1:${redirectPort}, http://shop.test:${targetPort}`;
  // To loopback on a port the list does not name.
  redirectTo = `http://127.0.0.1:${targetPort}/internal`;
  assert.equal((await get(`http://127.0.0.1:${redirectPort}/r`, allow)).outcome, "blocked");
  // To a listed name that resolves to loopback.
  redirectTo = `http://shop.test:${targetPort}/internal`;
  assert.equal((await get(`http://127.0.0.1:${redirectPort}/r`, allow, hosts({ "shop.test": "127.0.0.1" }))).outcome, "blocked");
  // To localhost by name.
  redirectTo = `http://localhost:${targetPort}/internal`;
  assert.equal((await get(`http://127.0.0.1:${redirectPort}/r`, allow)).outcome, "blocked");
  assert.equal(hits, 0, "the target was never reached");
  // To a listed address: followed.
  redirectTo = `http://127.0.0.1:${targetPort}/fine`;
  const followed = await get(`http://127.0.0.1:${redirectPort}/r`, `${allow}, http://127.0.0.1:${targetPort}`);
  assert.equal(followed.outcome, "ok");
  assert.equal(hits, 1);
  // A redirect loop ends.
  redirectTo = `http://127.0.0.1:${redirectPort}/again`;
  assert.equal((await get(`http://127.0.0.1:${redirectPort}/r`, allow)).outcome, "error");
});

test("a server that never answers is cut off at the deadline", async () => {
  const silent = http.createServer(() => undefined);
  const port = await listen(silent);
  const started = Date.now();
  const res = await outboundRequest(
    { url: `http://127.0.0.1:${port}/`, method: "GET", headers: {}, timeoutMs: 300 },
    { allowList: parseAllowList(`http://127.0.0.1:${port}`) },
  );
  assert.equal(res.outcome, "timeout");
  assert.ok(Date.now() - started < 1500);
  silent.closeAllConnections();
  await new Promise((r) => silent.close(r));
});

test("private address ranges and allow-list syntax", () => {
  for (const a of [
    "127.0.0.1",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",
    "::1",
    "fd00::1",
    "fe80::1",
    "::ffff:127.0.0.1",
    "0.0.0.0",
    "100.64.0.1",
  ])
    assert.ok(isPrivateAddress(a), a);
  for (const a of ["8.8.8.8", "1.1.1.1", "2606:4700::1111"]) assert.ok(!isPrivateAddress(a), a);
  assert.throws(() => parseAllowList("ftp://x.example"), AllowListError);
  assert.throws(() => parseAllowList("https://x.example/path"), AllowListError);
  const [wild] = parseAllowList("https://*.shop.example");
  assert.equal(wild.host, "*.shop.example");
});

test("signatures: the receiver accepts the sender's and refuses tampered, replayed or malformed ones", () => {
  const secret = "whsec_test";
  const body = '{"event":"x"}';
  const header = signPayload(secret, body);
  assert.deepEqual(verifySignature(secret, header, body), { ok: true });
  assert.deepEqual(verifySignature(secret, header, body.replace("x", "y")), { ok: false, reason: "mismatch" });
  assert.deepEqual(verifySignature("whsec_other", header, body), { ok: false, reason: "mismatch" });
  const old = signPayload(secret, body, Date.now() - 10 * 60_000);
  assert.deepEqual(verifySignature(secret, old, body), { ok: false, reason: "expired" });
  // Moving the timestamp forward breaks the MAC: the time is signed too.
  const [, mac] = old.split(",");
  assert.deepEqual(verifySignature(secret, `t=${Math.floor(Date.now() / 1000)},${mac}`, body), { ok: false, reason: "mismatch" });
  assert.deepEqual(verifySignature(secret, "garbage", body), { ok: false, reason: "malformed" });
  assert.deepEqual(verifySignature(secret, undefined, body), { ok: false, reason: "malformed" });
});
