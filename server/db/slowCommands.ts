import type mongoose from "mongoose";
import { logger } from "../logger.js";

type MongoClient = ReturnType<typeof mongoose.connection.getClient>;

export interface SlowCommand {
  command: string;
  collection: unknown;
  keys: string[];
  ms: number;
  ok: boolean;
}

const report = (c: SlowCommand) => logger.warn({ db: c }, "slow database command");

// A slow-query log (DB_SLOW_MS). On the embedded FerretDB only equality filters on indexed fields reach an
// index, so a query shape that scans shows up here as the data grows. Filter values are never logged (they
// can be customer text), only their keys.
export function logSlowCommands(client: MongoClient, thresholdMs: number, sink: (c: SlowCommand) => void = report): void {
  const started = new Map<number, { command: string; collection: unknown; keys: string[] }>();
  client.on("commandStarted", (e) => {
    const cmd = e.command as Record<string, unknown>;
    const first = (list: unknown) => (Array.isArray(list) ? (list[0] as { q?: unknown })?.q : undefined);
    const filter = (cmd.filter ?? cmd.query ?? first(cmd.updates) ?? first(cmd.deletes)) as Record<string, unknown> | undefined;
    started.set(e.requestId, { command: e.commandName, collection: cmd[e.commandName], keys: filter ? Object.keys(filter) : [] });
  });
  const finish = (e: { requestId: number; duration: number }, ok: boolean) => {
    const s = started.get(e.requestId);
    started.delete(e.requestId);
    if (s && e.duration >= thresholdMs) sink({ ...s, ms: Math.round(e.duration), ok });
  };
  client.on("commandSucceeded", (e) => finish(e, true));
  client.on("commandFailed", (e) => finish(e, false));
}
