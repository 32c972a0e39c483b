import { AsyncLocalStorage } from "node:async_hooks";
import type mongoose from "mongoose";

type MongoClient = ReturnType<typeof mongoose.connection.getClient>;

// Which part of a chat turn a database command belongs to. The driver emits commandStarted inside the
// operation's own async chain, so the stage set around a command's caller reaches the event listener.
// Commands sent outside any stage (dispatchers, sweepers, leases, REST) are tallied as "background".
const stage = new AsyncLocalStorage<string>();

/** Runs `fn` with its database commands tallied under `name` (when DB_TALLY is on; otherwise only runs it). */
export function inDbStage<T>(name: string, fn: () => T): T {
  return active ? stage.run(name, fn) : fn();
}

export interface TallyRow {
  stage: string;
  command: string;
  collection: string;
  count: number;
  perTurn: number;
  msTotal: number;
  msP50: number;
  msP99: number;
  msMax: number;
}

export interface TallyReport {
  enabled: boolean;
  turns: number;
  commandsPerTurn: number;
  writesPerTurn: number;
  rows: TallyRow[];
}

const WRITES = new Set(["insert", "update", "delete", "findAndModify"]);
const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;

let active: CommandTally | null = null;

/**
 * Every database command this process sends, by (turn stage, command, collection): how many and how long
 * (DB_TALLY). A turn is one customer message stored; per-turn figures divide by that.
 */
export class CommandTally {
  private readonly rows = new Map<string, { stage: string; command: string; collection: string; ms: number[] }>();
  private readonly started = new Map<number, { key: string }>();
  private turnCount = 0;

  attach(client: MongoClient): void {
    active = this;
    client.on("commandStarted", (e) => {
      const cmd = e.command as Record<string, unknown>;
      const coll = cmd[e.commandName];
      const s = stage.getStore() ?? "background";
      const key = `${s}\u0000${e.commandName}\u0000${typeof coll === "string" ? coll : "-"}`;
      if (!this.rows.has(key))
        this.rows.set(key, { stage: s, command: e.commandName, collection: typeof coll === "string" ? coll : "-", ms: [] });
      this.started.set(e.requestId, { key });
    });
    const finish = (e: { requestId: number; duration: number }) => {
      const s = this.started.get(e.requestId);
      if (!s) return;
      this.started.delete(e.requestId);
      this.rows.get(s.key)!.ms.push(e.duration);
    };
    client.on("commandSucceeded", finish);
    client.on("commandFailed", finish);
  }

  turn(): void {
    this.turnCount++;
  }

  reset(): void {
    this.rows.clear();
    this.turnCount = 0;
  }

  report(): TallyReport {
    const turns = this.turnCount;
    const round = (v: number) => Math.round(v * 100) / 100;
    const rows = [...this.rows.values()]
      .filter((r) => r.ms.length > 0)
      .map((r) => {
        const ms = [...r.ms].sort((a, b) => a - b);
        return {
          stage: r.stage,
          command: r.command,
          collection: r.collection,
          count: ms.length,
          perTurn: turns ? round(ms.length / turns) : 0,
          msTotal: Math.round(ms.reduce((a, b) => a + b, 0)),
          msP50: round(quantile(ms, 0.5)),
          msP99: round(quantile(ms, 0.99)),
          msMax: round(ms[ms.length - 1]!),
        };
      })
      .sort((a, b) => a.stage.localeCompare(b.stage) || b.count - a.count);
    const inTurns = rows.filter((r) => r.stage !== "background");
    return {
      enabled: true,
      turns,
      commandsPerTurn: turns ? round(inTurns.reduce((a, r) => a + r.count, 0) / turns) : 0,
      writesPerTurn: turns ? round(inTurns.filter((r) => WRITES.has(r.command)).reduce((a, r) => a + r.count, 0) / turns) : 0,
      rows,
    };
  }
}

/** The tally of this process, when DB_TALLY turned it on. */
export function commandTally(): CommandTally | null {
  return active;
}
