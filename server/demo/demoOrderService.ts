import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";
import type { Config } from "../config.js";
import { logger } from "../logger.js";
import { Action } from "../models/action.js";
import { matchAllowList, parseAllowList } from "../outbound/allowList.js";

// The demo's order service (scripts/order-service) runs beside a demo server as its own process, as the
// shop's real backend would: the sample "Where is my order" answer calls it through the order_status action,
// and stopping it shows the bot handing off. It listens on loopback only.

const script = path.resolve(import.meta.dirname, "../../scripts/order-service/main.ts");
const TSX = import.meta.resolve("tsx");

export const DEMO_ORDER_ACTION = "order_status";

export const demoOrdersOrigin = (config: Pick<Config, "DEMO_ORDERS_PORT">): string => `http://127.0.0.1:${config.DEMO_ORDERS_PORT}`;

/**
 * The configuration with the demo order service's origin (that loopback address and port, nothing else)
 * added to OUTBOUND_ALLOWED_URLS, for a server whose database holds, or is about to get, the demo workspace.
 */
export function withDemoOrdersAllowed(config: Config): Config {
  const origin = demoOrdersOrigin(config);
  if (matchAllowList(parseAllowList(config.OUTBOUND_ALLOWED_URLS), new URL(origin))) return config;
  return { ...config, OUTBOUND_ALLOWED_URLS: [config.OUTBOUND_ALLOWED_URLS.trim(), origin].filter(Boolean).join(", ") };
}

export interface DemoOrderService {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Starts the order service for the demo action, with the action's signing secret (so it checks every call
 * as a real receiver would). Null when there is no demo action pointing at DEMO_ORDERS_PORT, or the port is
 * taken: the demo then runs without it, and order questions are handed off (action_error).
 */
export async function startDemoOrderService(config: Config): Promise<DemoOrderService | null> {
  const action = await Action.findOne({ name: DEMO_ORDER_ACTION, status: "active" }, { url: 1, signingSecret: 1 }).lean();
  const origin = demoOrdersOrigin(config);
  if (!action || !action.url.startsWith(`${origin}/`)) return null;
  const child: ChildProcess = fork(script, [], {
    execArgv: ["--import", TSX],
    env: { ...process.env, ORDER_SERVICE_PORT: String(config.DEMO_ORDERS_PORT), ORDER_SERVICE_SECRET: action.signingSecret },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const url = await new Promise<string | null>((resolve) => {
    child.once("message", (m) => resolve((m as { listening?: string }).listening ?? null));
    child.once("exit", () => resolve(null));
  });
  if (!url) {
    logger.warn(
      { port: config.DEMO_ORDERS_PORT },
      "the demo order service did not start (is DEMO_ORDERS_PORT taken?); order questions will be handed off",
    );
    return null;
  }
  const exited = new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once("exit", () => resolve())));
  child.once("exit", (code, signal) =>
    logger.info({ code, signal }, "the demo order service stopped; order questions are handed off until it runs again"),
  );
  return {
    url,
    pid: child.pid!,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const kill = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(kill);
    },
  };
}
