import crypto from "node:crypto";

// Widget identity: an anonymous customer id plus an HMAC over it, so the widget can keep it in
// localStorage and any server holding the secret can check it without a lookup.
// Format: <customerId>.<issuedAt, base36 ms>.<signature, base64url>
const MAX_AGE_MS = 400 * 24 * 3600 * 1000;
const CUSTOMER_ID = /^cus_[A-Za-z0-9_-]{16,32}$/;

const sign = (secret: string, payload: string) =>
  crypto.createHmac("sha256", secret).update(`understudy.widget.v1:${payload}`).digest("base64url");

export function newCustomerId(): string {
  return `cus_${crypto.randomBytes(16).toString("base64url")}`;
}

export function issueCustomerToken(secret: string, customerId = newCustomerId(), now = Date.now()): { customerId: string; token: string } {
  const payload = `${customerId}.${now.toString(36)}`;
  return { customerId, token: `${payload}.${sign(secret, payload)}` };
}

/** The customer id the token was issued for, or null when it is malformed, forged or too old. */
export function verifyCustomerToken(secret: string, token: unknown, now = Date.now()): string | null {
  if (typeof token !== "string" || token.length > 200) return null;
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  const [customerId, issued, signature] = parts;
  if (!CUSTOMER_ID.test(customerId)) return null;
  const expected = Buffer.from(sign(secret, `${customerId}.${issued}`));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return null;
  const issuedAt = parseInt(issued, 36);
  if (!Number.isFinite(issuedAt) || issuedAt > now + 60_000 || now - issuedAt > MAX_AGE_MS) return null;
  return customerId;
}
