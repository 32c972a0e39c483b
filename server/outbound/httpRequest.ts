import http from "node:http";
import https from "node:https";
import net from "node:net";
import type { LookupFunction } from "node:net";
import { isPrivateAddress, systemResolver, type ResolvedAddress, type Resolver } from "./addresses.js";
import { matchAllowList, namesAddress, type AllowList } from "./allowList.js";

// Every request the server makes to an admin-configured URL (actions, webhooks) goes through here, so the
// SSRF rules hold in one place: the URL must fall under the allow-list; the name is resolved once and every
// address checked (a private or loopback one only where the allow-list names that address); the socket
// connects to the checked address (no second lookup a DNS rebinding could answer differently); redirects
// are followed by hand, each hop checked the same way. One deadline covers the whole exchange.

export interface OutboundRequest {
  url: string;
  method: "GET" | "POST";
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  maxBytes?: number;
  maxRedirects?: number;
}

export type OutboundResult =
  | { outcome: "ok"; status: number; body: string; durationMs: number }
  | { outcome: "http_error"; status: number; durationMs: number }
  | { outcome: "timeout"; durationMs: number }
  | { outcome: "blocked"; reason: string; durationMs: number }
  | { outcome: "error"; reason: string; durationMs: number };

export interface OutboundOptions {
  allowList: AllowList;
  resolve?: Resolver;
}

class Refused extends Error {}

/** Checks a URL against the rules and returns the address to connect to. */
export async function vetTarget(rawUrl: string, opts: OutboundOptions): Promise<{ url: URL; address: ResolvedAddress }> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new Refused("not a valid URL");
  }
  if (url.username || url.password) throw new Refused("URLs with credentials are not allowed");
  const entry = matchAllowList(opts.allowList, url);
  if (!entry) throw new Refused(`${url.protocol}//${url.host} is not in OUTBOUND_ALLOWED_URLS`);
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const family = net.isIP(host);
  const addresses: ResolvedAddress[] = family
    ? [{ address: host, family: family as 4 | 6 }]
    : await (opts.resolve ?? systemResolver)(host).catch(() => []);
  if (addresses.length === 0) throw new Refused(`${host} does not resolve`);
  // Every address must be acceptable, or a name with one public and one private record could be steered inward.
  const inward = addresses.find((a) => isPrivateAddress(a.address));
  if (inward && !(namesAddress(entry) && inward.address === host))
    throw new Refused(`${host} resolves to a private or loopback address (${inward.address}) the allow-list does not name`);
  return { url, address: addresses[0] };
}

export async function outboundRequest(req: OutboundRequest, opts: OutboundOptions): Promise<OutboundResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const deadline = AbortSignal.timeout(req.timeoutMs);
  let target = req.url;
  try {
    for (let hop = 0; ; hop++) {
      const { url, address } = await vetTarget(target, opts);
      if (deadline.aborted) return { outcome: "timeout", durationMs: elapsed() };
      const res = await send(url, address, req, deadline);
      if (res.status >= 300 && res.status < 400 && res.location) {
        if (hop >= (req.maxRedirects ?? 3)) return { outcome: "error", reason: "too many redirects", durationMs: elapsed() };
        target = new URL(res.location, url).toString();
        continue;
      }
      if (res.status < 200 || res.status >= 300) return { outcome: "http_error", status: res.status, durationMs: elapsed() };
      return { outcome: "ok", status: res.status, body: res.body, durationMs: elapsed() };
    }
  } catch (err) {
    if (err instanceof Refused) return { outcome: "blocked", reason: err.message, durationMs: elapsed() };
    if (deadline.aborted) return { outcome: "timeout", durationMs: elapsed() };
    return { outcome: "error", reason: (err as NodeJS.ErrnoException).code ?? (err as Error).message, durationMs: elapsed() };
  }
}

function send(
  url: URL,
  address: ResolvedAddress,
  req: OutboundRequest,
  signal: AbortSignal,
): Promise<{ status: number; location?: string; body: string }> {
  const maxBytes = req.maxBytes ?? 64 * 1024;
  const lookup: LookupFunction = (_host, options, cb) => {
    if ((options as { all?: boolean }).all) (cb as unknown as (e: null, a: ResolvedAddress[]) => void)(null, [address]);
    else cb(null, address.address, address.family);
  };
  const client = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const r = client.request(
      url,
      {
        method: req.method,
        headers: { ...req.headers, ...(req.body !== undefined ? { "content-length": Buffer.byteLength(req.body) } : {}) },
        lookup,
        signal,
        agent: false,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400) {
          res.resume();
          resolve({ status, location: res.headers.location, body: "" });
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (c: Buffer) => {
          size += c.length;
          if (size > maxBytes) {
            r.destroy(new Error(`response larger than ${maxBytes} bytes`));
            return;
          }
          chunks.push(c);
        });
        res.on("end", () => resolve({ status, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    r.on("error", reject);
    r.end(req.body);
  });
}
