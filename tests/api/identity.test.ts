// Verified customers: the embedding site signs its customer id; the widget session follows it across devices,
// and a tampered, expired or absent signature never reaches a verified customer's conversations.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { recordCustomerMessage } from "../../server/conversationLog/index.js";
import { VerifiedCustomer } from "../../server/models/index.js";
import { identitySignature, verifyIdentity } from "../../server/identity/identityVerifier.js";
import { customerIdentity } from "../../server/identity/customerIdentity.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

const SITE_SECRET = "site-identity-secret-0123456789";
let t: TestServer;
before(async () => {
  t = await startTestServer({ IDENTITY_SECRET: SITE_SECRET });
});
after(async () => {
  await t?.stop();
});

const signed = (id: string, expiresInS = 3600, secret = SITE_SECRET) => {
  const expires = Math.floor(Date.now() / 1000) + expiresInS;
  return { id, expires, signature: identitySignature(secret, id, expires) };
};
async function session(body: Record<string, unknown>) {
  const res = await fetch(`${t.url}/api/widget/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}
const conversationsOf = async (token: string) =>
  (
    (await (await fetch(`${t.url}/api/widget/conversations`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
      conversations: { id: string }[];
    }
  ).conversations.map((c) => c.id);

test("a verified customer gets the same id on every device, and sees the same conversations", async () => {
  const laptop = await session({ identity: signed("shop-user-7") });
  assert.equal(laptop.status, 201);
  assert.equal(laptop.body.verified, true);
  assert.match(laptop.body.customerId, /^cus_v/);
  const convo = await recordCustomerMessage(t.server.ctx, {
    customerId: laptop.body.customerId,
    clientId: crypto.randomUUID(),
    text: "where is my order 4321?",
  });
  // The phone had an anonymous token before the customer signed in there.
  const before = await session({});
  const phone = await session({ token: before.body.token, identity: signed("shop-user-7") });
  assert.equal(phone.body.customerId, laptop.body.customerId);
  assert.equal(phone.body.renewed, true, "the anonymous history is not merged in");
  assert.deepEqual(await conversationsOf(phone.body.token), [String(convo.conversation._id)]);
  // Same device, same person: the token is kept.
  const again = await session({ token: laptop.body.token, identity: signed("shop-user-7") });
  assert.equal(again.status, 200);
  assert.equal(again.body.token, laptop.body.token);
  // Actions may trust the site's id.
  assert.deepEqual(await customerIdentity(laptop.body.customerId), { id: "shop-user-7", verified: true });
  assert.equal(await VerifiedCustomer.countDocuments({ externalId: "shop-user-7" }), 1);
});

test("tampered, forged or expired signatures: a clear error and an anonymous session, never the verified history", async () => {
  const real = await session({ identity: signed("shop-user-9") });
  await recordCustomerMessage(t.server.ctx, {
    customerId: real.body.customerId,
    clientId: crypto.randomUUID(),
    text: "my address is 1 Main St",
  });
  const good = signed("shop-user-9");
  for (const [identity, code] of [
    [{ ...good, id: "shop-user-8" }, "identity_invalid"], // the id changed under the signature
    [{ ...good, expires: good.expires + 60 }, "identity_invalid"], // the expiry pushed out
    [signed("shop-user-9", 3600, "not-the-site-secret-0123456789"), "identity_invalid"],
    [{ ...good, signature: "zz" }, "identity_invalid"],
    [signed("shop-user-9", -10), "identity_expired"],
  ] as const) {
    const res = await session({ identity });
    assert.equal(res.body.verified, false);
    assert.equal(res.body.identityError.code, code, JSON.stringify(identity));
    assert.notEqual(res.body.customerId, real.body.customerId);
    assert.deepEqual(await conversationsOf(res.body.token), []);
    // Even holding the verified customer's token, a bad signature does not keep it.
    const withToken = await session({ token: real.body.token, identity });
    assert.notEqual(withToken.body.customerId, real.body.customerId);
    assert.equal(withToken.body.identityError.code, code);
  }
  // Signed out (no identity) on a shared computer: the verified token is not kept either.
  const signedOut = await session({ token: real.body.token });
  assert.notEqual(signedOut.body.customerId, real.body.customerId);
  assert.equal(signedOut.body.verified, false);
  // Another account on the same browser gets its own id.
  const other = await session({ token: real.body.token, identity: signed("shop-user-10") });
  assert.notEqual(other.body.customerId, real.body.customerId);
  assert.equal(other.body.verified, true);
  // Anonymous visitors are unchanged: their token survives reloads.
  const anon = await session({});
  assert.equal((await session({ token: anon.body.token })).body.token, anon.body.token);
  // Malformed identity payloads are refused by the schema.
  assert.equal((await session({ identity: { id: "x" } })).status, 400);
});

test("without IDENTITY_SECRET identities are not trusted", () => {
  const check = verifyIdentity(undefined, signed("a"));
  assert.equal(check.ok, false);
  assert.equal(!check.ok && check.code, "identity_not_enabled");
});
