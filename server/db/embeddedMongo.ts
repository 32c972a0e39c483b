import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";

export interface EmbeddedMongo {
  uri: string;
  port: number;
  stop(): Promise<void>;
}

// FerretDB runs under this watchdog, which stops it when our end of its stdin pipe closes: whatever ends
// this process (kill -9 included), the database does not outlive it.
const WATCHDOG = path.resolve(import.meta.dirname, "watchdog.mjs");

export interface EmbeddedMongoOptions {
  bin: string;
  dataDir: string;
  port?: number;
  database?: string;
  logLevel?: "DEBUG" | "INFO" | "WARN" | "ERROR";
  /** SQLite's `synchronous` (DB_SYNCHRONOUS): see sqliteUrl. */
  synchronous?: Synchronous;
}

export const SYNCHRONOUS = ["NORMAL", "FULL"] as const;
export type Synchronous = (typeof SYNCHRONOUS)[number];

/**
 * FerretDB's `--sqlite-url`: the directory of its database files plus the pragmas each SQLite connection runs
 * when it opens (modernc's `_pragma` DSN parameters; FerretDB adds its own defaults only for the ones not given).
 * - busy_timeout first: it has to be in place before the WAL switch, which may wait for another connection.
 * - WAL: readers never block the writer, and a commit appends to the log instead of rewriting pages.
 * - synchronous NORMAL (the default here): in WAL mode a commit is not fsynced; the log is synced at each
 *   checkpoint. Every committed write survives a crash of FerretDB or of this process (the log is in the OS's
 *   page cache), but a power loss or kernel crash can lose the last commits before the latest checkpoint —
 *   the database itself stays consistent. FULL fsyncs the log on every commit, so an acknowledged message
 *   survives a power loss too, at one fsync per write (docs/security.md).
 * - cache_size: 32 MiB of page cache per connection (SQLite's default is 2 MiB), so that the hot indexes of
 *   the messages and conversations tables stay in memory on a database of months of chats.
 */
export function sqliteUrl(dir: string, synchronous: Synchronous = "NORMAL"): string {
  const pragmas = ["busy_timeout(10000)", "journal_mode(wal)", `synchronous(${synchronous})`, "cache_size(-32768)"];
  const encoded = path.resolve(dir).split("/").map(encodeURIComponent).join("/");
  return `file:${encoded}/?${pragmas.map((p) => `_pragma=${p}`).join("&")}`;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`FerretDB exited with code ${child.exitCode} before listening`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, "127.0.0.1");
      s.once("connect", () => (s.destroy(), resolve(true)));
      s.once("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`FerretDB did not listen on port ${port} within ${timeoutMs} ms`);
}

/**
 * Starts FerretDB (MongoDB wire protocol, SQLite backend) as a child process. Used when no
 * MONGODB_URI is configured and by the tests, so that a newcomer needs no MongoDB server.
 */
export async function startEmbeddedMongo(opts: EmbeddedMongoOptions): Promise<EmbeddedMongo> {
  if (!fs.existsSync(opts.bin)) {
    throw new Error(
      `Embedded database binary not found at ${opts.bin}. Run \`npm run setup\` to build FerretDB, ` +
        `or set MONGODB_URI to use an existing MongoDB server.`,
    );
  }
  const sqliteDir = path.resolve(opts.dataDir);
  fs.mkdirSync(sqliteDir, { recursive: true });
  const port = opts.port ?? (await freePort());
  const child = spawn(
    process.execPath,
    [
      WATCHDOG,
      opts.bin,
      "--handler=sqlite",
      `--sqlite-url=${sqliteUrl(sqliteDir, opts.synchronous)}`,
      `--state-dir=${sqliteDir}`,
      `--listen-addr=127.0.0.1:${port}`,
      "--debug-addr=-",
      "--telemetry=disable",
      `--log-level=${opts.logLevel ?? "ERROR"}`,
    ],
    // stdin is the watchdog's lifeline: never written, closed by the kernel when this process ends.
    { stdio: ["pipe", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  try {
    await waitForPort(port, child, 15000);
  } catch (err) {
    child.kill("SIGKILL");
    throw new Error(`${(err as Error).message}\n${stderr}`, { cause: err });
  }
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    port,
    uri: `mongodb://127.0.0.1:${port}/${opts.database ?? "understudy"}`,
    async stop() {
      if (child.exitCode !== null) return;
      // The watchdog passes SIGTERM on and escalates to SIGKILL after 5 s itself.
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 8000);
      await exited;
      clearTimeout(timer);
    },
  };
}
