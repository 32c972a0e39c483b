import type { Config } from "../config.js";
import { parseAllowList, type AllowList } from "./allowList.js";
import type { Resolver } from "./addresses.js";
import type { OutboundOptions } from "./httpRequest.js";

export { outboundRequest, vetTarget, type OutboundRequest, type OutboundResult, type OutboundOptions } from "./httpRequest.js";
export type { Resolver } from "./addresses.js";

const parsed = new WeakMap<Config, AllowList>();

/** The outbound rules for this server's configuration (parsed once per config). */
export function outboundOptions(config: Config, resolve?: Resolver): OutboundOptions {
  let list = parsed.get(config);
  if (!list) {
    list = parseAllowList(config.OUTBOUND_ALLOWED_URLS);
    parsed.set(config, list);
  }
  return { allowList: list, resolve };
}
