import crypto from "node:crypto";

// Identity verification (as Intercom's): the embedding site's backend signs its own id for the signed-in
// customer with the per-site secret (IDENTITY_SECRET), and the page hands the result to the widget:
//   signature = hex HMAC-SHA256(IDENTITY_SECRET, "<id>.<expires, unix seconds>")
// The expiry is inside the MAC, so a signature copied from a page stops working when it lapses.
export interface SignedIdentity {
  id: string;
  expires: number;
  signature: string;
}

export type IdentityCheck =
  { ok: true; externalId: string } | { ok: false; code: "identity_not_enabled" | "identity_invalid" | "identity_expired"; message: string };

export function identitySignature(secret: string, id: string, expires: number): string {
  return crypto.createHmac("sha256", secret).update(`${id}.${expires}`).digest("hex");
}

export function verifyIdentity(secret: string | undefined, identity: SignedIdentity, now = Date.now()): IdentityCheck {
  if (!secret)
    return { ok: false, code: "identity_not_enabled", message: "This server does not verify identities (IDENTITY_SECRET is not set)" };
  const expected = Buffer.from(identitySignature(secret, identity.id, identity.expires), "hex");
  const given = /^[0-9a-f]{64}$/i.test(identity.signature) ? Buffer.from(identity.signature, "hex") : Buffer.alloc(0);
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected))
    return { ok: false, code: "identity_invalid", message: "The identity signature does not match" };
  if (identity.expires * 1000 < now)
    return { ok: false, code: "identity_expired", message: "The identity signature has expired; sign it again on your server" };
  return { ok: true, externalId: identity.id };
}

/**
 * The widget customer id of a verified customer: derived from the site's id with the server's secret, so
 * every device of that person gets the same one (and the same conversations), and nobody can compute it
 * without the secret.
 */
export function verifiedCustomerId(serverSecret: string, externalId: string): string {
  return `cus_v${crypto.createHmac("sha256", serverSecret).update(`understudy.verified.v1:${externalId}`).digest("base64url").slice(0, 27)}`;
}
