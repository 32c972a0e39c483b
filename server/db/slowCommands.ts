import type mongoose from "mongoose";

type MongoClient = ReturnType<typeof mongoose.connection.getClient>;
import { logger } from "../logger.js";

// A slow-query log: on FerretDB's SQLite backend only `{_id: …}` filters reach an index, so a query
// shape that scans shows up here first as the data grows. Filter values are never logged (they can be
// customer text), only their keys.
export function logSlowCommands(client: MongoClient, thresholdMs: number): void {
  const started = new Map<number, { command: string; collection: unknown; keys: string[] }>();
  client.on("commandStarted", (e) => {
    const cmd = e.command as Record<string, unknown>;
    const filter = (cmd.filter ?? cmd.query ?? (Array.isArray(cmd.updates) ? (cmd.updates[0] as { q?: unknown })?.q : undefined) ??
      (Array.isArray(cmd.deletes) ? (cmd.deletes[0] as { q?: unknown })?.q : undefined)) as Record<string, unknown> | undefined;
    started.set(e.requestId, { command: e.commandName, collection: cmd[e.commandName], keys: filter ? Object.keys(filter) : [] });
  });
  const finish = (e: { requestId: number; duration: number }, ok: boolean) => {
    const s = started.get(e.requestId);
    started.delete(e.requestId);
    if (s && e.duration >= thresholdMs) logger.warn({ db: { ...s, ms: Math.round(e.duration), ok } }, "slow database command");
  };
  client.on("commandSucceeded", (e) => finish(e, true));
  client.on("commandFailed", (e) => finish(e, false));
}
