import net from "node:net";

// The admin's list of places the server may call (actions and webhooks). An entry is an origin:
// `https://api.shop.example`, `https://*.shop.example` (any subdomain), `http://10.0.0.5:8080`.
// Plain http is allowed only where an entry says http, and a private or loopback address only where an
// entry names that address itself: a public-looking name that resolves inward is refused (see addresses.ts).
export interface AllowEntry {
  protocol: "http:" | "https:";
  host: string; // lower case; "*.x" for a subdomain wildcard; IPv6 without brackets
  port: string; // "" = the protocol's default
}

export type AllowList = readonly AllowEntry[];

export class AllowListError extends Error {}

const stripBrackets = (h: string) => h.replace(/^\[(.*)\]$/, "$1").toLowerCase();

export function parseAllowList(raw: string): AllowList {
  return raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const wildcard = /^(https?:\/\/)\*\./i.exec(entry);
      let url: URL;
      try {
        url = new URL(wildcard ? entry.replace("*.", "wildcard.") : entry);
      } catch {
        throw new AllowListError(`"${entry}" is not an origin like https://api.example.com`);
      }
      if (url.protocol !== "http:" && url.protocol !== "https:") throw new AllowListError(`"${entry}" must be http or https`);
      if ((url.pathname !== "/" && url.pathname !== "") || url.search || url.username)
        throw new AllowListError(`"${entry}" must be an origin, without a path`);
      const host = stripBrackets(url.hostname);
      return { protocol: url.protocol, host: wildcard ? `*.${host.slice("wildcard.".length)}` : host, port: url.port };
    });
}

/** The entry a URL falls under, or null. */
export function matchAllowList(list: AllowList, url: URL): AllowEntry | null {
  const host = stripBrackets(url.hostname);
  return (
    list.find((e) => {
      if (e.protocol !== url.protocol || e.port !== url.port) return false;
      if (e.host.startsWith("*.")) return host.endsWith(e.host.slice(1)) && host.length > e.host.length - 1;
      return e.host === host;
    }) ?? null
  );
}

/** True when the entry names an address (not a DNS name): only such entries may reach private networks. */
export function namesAddress(entry: AllowEntry): boolean {
  return net.isIP(entry.host) !== 0;
}
