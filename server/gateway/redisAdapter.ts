import { createAdapter } from "@socket.io/redis-adapter";
import { Redis } from "ioredis";
import type { Server as SocketServer } from "socket.io";
import { ConfigError } from "../config.js";
import type { AppContext } from "../context.js";
import { logger } from "../logger.js";
import { fanOutModelChanges } from "./modelChangeFanout.js";

// A ConfigError, so server/index.ts prints it plainly (whatever LOG_LEVEL says) and exits with status 1.
export class RedisUnreachableError extends ConfigError {}

export interface RedisAdapterHandle {
  close(): Promise<void>;
}

const START_TIMEOUT_MS = 5000;

/** The URL without its password, for messages and logs. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparsable REDIS_URL)";
  }
}

/**
 * The adapter publishes without handling the returned promise. During a long Redis outage ioredis rejects
 * the publishes it queued, and an unhandled rejection would take the whole chat process (and every socket
 * on it) down. Such a broadcast has already reached this process's own sockets and is lost for the others
 * either way: log it (once per outage) and carry on.
 */
function keepPublishFailuresLocal(pub: Redis): void {
  const publish = pub.publish.bind(pub) as (...args: unknown[]) => Promise<number>;
  let warned = false;
  pub.on("ready", () => (warned = false));
  Object.assign(pub, {
    publish: (...args: unknown[]) =>
      publish(...args).catch((err: Error) => {
        if (warned) return 0;
        warned = true;
        logger.warn({ err: err.message }, "Redis unavailable: broadcasts reach this process's sockets only until it is back");
        return 0;
      }),
  });
}

/**
 * Several chat processes share rooms through socket.io's Redis adapter: an emit to a room in one process
 * reaches sockets connected to every other process (broadcast.ts only ever emits to rooms, so nothing
 * else is needed). Returns null when REDIS_URL is unset: one process keeps the in-memory adapter.
 *
 * Redis must be reachable at start: a chat process that silently fell back to local rooms would split the
 * support team in two. Once started, the clients reconnect on their own if Redis restarts.
 */
export async function attachRedisAdapter(io: SocketServer, ctx: Pick<AppContext, "config" | "bot">): Promise<RedisAdapterHandle | null> {
  const url = ctx.config.REDIS_URL;
  if (!url) return null;

  let started = false;
  // Before the start succeeded, give up at the first failure (so the error reaches the operator);
  // afterwards, keep retrying with a capped backoff like any long-lived client.
  const retryStrategy = (times: number) => (started ? Math.min(times * 100, 2000) : null);
  const options = { lazyConnect: true, connectTimeout: START_TIMEOUT_MS, retryStrategy };
  const pub = new Redis(url, { ...options, connectionName: "understudy-socketio-pub" });
  const sub = new Redis(url, { ...options, connectionName: "understudy-socketio-sub" });

  let lastError = "";
  for (const [name, client] of [
    ["pub", pub],
    ["sub", sub],
  ] as const) {
    client.on("error", (err: Error) => {
      // ioredis repeats the same error on every retry; one line per distinct failure is enough.
      if (!started || err.message === lastError) return;
      lastError = err.message;
      logger.warn({ client: name, err: err.message }, "Redis connection error; socket.io rooms are not shared until it reconnects");
    });
    client.on("ready", () => {
      if (started && lastError) logger.info({ client: name }, "Redis connection restored");
      lastError = "";
    });
  }

  try {
    await Promise.all([pub.connect(), sub.connect()]);
  } catch (err) {
    pub.disconnect();
    sub.disconnect();
    throw new RedisUnreachableError(
      `Redis at ${redact(url)} (REDIS_URL) is unreachable: ${(err as Error).message}. ` +
        `Start Redis or unset REDIS_URL to run a single chat process without it.`,
    );
  }
  started = true;
  keepPublishFailuresLocal(pub);

  io.adapter(createAdapter(pub, sub));
  const stopFanOut = fanOutModelChanges(io, ctx.bot);
  logger.info({ redis: redact(url) }, "socket.io rooms shared through Redis");

  return {
    async close() {
      stopFanOut();
      // io.close() has already closed the adapters (they unsubscribe); now end the connections.
      await Promise.allSettled([pub.quit(), sub.quit()]);
      pub.disconnect();
      sub.disconnect();
    },
  };
}
