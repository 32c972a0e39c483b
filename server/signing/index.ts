import crypto from "node:crypto";

// One signature scheme for everything Understudy sends out (action calls and webhooks), so a receiver
// writes its check once. The header is `Understudy-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` over
// `<t>.<payload>`: the timestamp is inside the MAC, so a captured request cannot be replayed outside the
// receiver's window by rewriting it.
export const SIGNATURE_HEADER = "understudy-signature";
export const DEFAULT_TOLERANCE_S = 300;

export function newSigningSecret(): string {
  return `whsec_${crypto.randomBytes(24).toString("base64url")}`;
}

export function signPayload(secret: string, payload: string, now = Date.now()): string {
  const t = Math.floor(now / 1000);
  const mac = crypto.createHmac("sha256", secret).update(`${t}.${payload}`).digest("hex");
  return `t=${t},v1=${mac}`;
}

export type SignatureCheck = { ok: true } | { ok: false; reason: "malformed" | "mismatch" | "expired" };

/** The receiver's side (used by the tests, the demo order service and the docs' snippet). */
export function verifySignature(
  secret: string,
  header: string | undefined | null,
  payload: string,
  now = Date.now(),
  toleranceS = DEFAULT_TOLERANCE_S,
): SignatureCheck {
  const parts = Object.fromEntries((header ?? "").split(",").map((kv) => kv.trim().split("=", 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !/^[0-9a-f]{64}$/.test(parts.v1 ?? "")) return { ok: false, reason: "malformed" };
  const expected = crypto.createHmac("sha256", secret).update(`${t}.${payload}`).digest();
  if (!crypto.timingSafeEqual(expected, Buffer.from(parts.v1, "hex"))) return { ok: false, reason: "mismatch" };
  if (Math.abs(now / 1000 - t) > toleranceS) return { ok: false, reason: "expired" };
  return { ok: true };
}
