import type { IncomingMessage } from "node:http";
import type { RequestHandler } from "express";
import type { Config } from "../config.js";
import { AppError } from "../errors.js";

// Which websites may embed the widget: CORS_ORIGINS, a comma-separated list of origins, or "*".
// The console is same-origin and never needs to be listed.

export type OriginList = "*" | ReadonlySet<string>;

export function embeddingOrigins(config: Pick<Config, "CORS_ORIGINS">): OriginList {
  const raw = config.CORS_ORIGINS.trim();
  if (raw === "*") return "*";
  return new Set(
    raw
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean)
      .map(normalizeOrigin)
      .filter((o): o is string => o !== null),
  );
}

/** "https://Shop.example:443/" → "https://shop.example"; null for anything that is not an http(s) origin. */
export function normalizeOrigin(value: string): string | null {
  try {
    const u = new URL(value);
    if (u.protocol !== "http:" && u.protocol !== "https:") return null;
    return u.origin;
  } catch {
    return null;
  }
}

/** For the `cors` package: `true` reflects any origin, otherwise only the listed ones get CORS headers. */
export function corsOrigin(config: Pick<Config, "CORS_ORIGINS">): boolean | string[] {
  const list = embeddingOrigins(config);
  return list === "*" ? true : [...list];
}

/**
 * socket.io `allowRequest`: CORS headers do not protect WebSockets, so the handshake's Origin is checked
 * here. Allowed: no Origin (not a browser), the server's own origin (console, demo page, PUBLIC_URL),
 * or an embedding site from CORS_ORIGINS.
 */
export function socketOriginCheck(config: Pick<Config, "CORS_ORIGINS" | "PUBLIC_URL">) {
  const allowed = originAllowed(config);
  return (req: IncomingMessage, callback: (err: string | null | undefined, success: boolean) => void): void => {
    const ok = allowed(req);
    callback(ok ? null : "origin not allowed", ok);
  };
}

/**
 * The same rule for the widget's REST routes: CORS headers only stop a browser from reading the answer, so a
 * listed-sites-only install also refuses the request itself when it comes from another site's page.
 */
export function restOriginCheck(config: Pick<Config, "CORS_ORIGINS" | "PUBLIC_URL">): RequestHandler {
  const allowed = originAllowed(config);
  return (req, _res, next) =>
    next(allowed(req) ? undefined : new AppError(403, "forbidden", "This site is not allowed to embed the widget (CORS_ORIGINS)"));
}

function originAllowed(config: Pick<Config, "CORS_ORIGINS" | "PUBLIC_URL">): (req: IncomingMessage) => boolean {
  const list = embeddingOrigins(config);
  const publicOrigin = config.PUBLIC_URL ? normalizeOrigin(config.PUBLIC_URL) : null;
  return (req) => {
    const origin = req.headers.origin;
    if (origin === undefined || list === "*") return true;
    const normalized = normalizeOrigin(origin);
    return normalized !== null && (list.has(normalized) || normalized === publicOrigin || new URL(normalized).host === req.headers.host);
  };
}
