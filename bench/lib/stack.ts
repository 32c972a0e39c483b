import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort, startEmbeddedMongo, type EmbeddedMongo } from "../../server/db/embeddedMongo.js";
import { log, sleep } from "./args.js";
import { root } from "./output.js";

export { root, writeOutput } from "./output.js";

export const ADMIN = { email: "admin@bench.test", password: "bench-admin-password-1" };
export const AGENT = { email: "agent@bench.test", password: "bench-agent-password-1", name: "Bench Agent" };

const groups = new Set<number>();
function killGroups() {
  for (const g of groups) {
    try {
      process.kill(-g, "SIGKILL");
    } catch {
      // gone
    }
  }
}
process.once("exit", killGroups);
for (const sig of ["SIGINT", "SIGTERM"] as const) process.once(sig, () => process.exit(130));

export interface Database {
  uri: string;
  dir: string;
  mongo: EmbeddedMongo;
  stop(): Promise<void>;
}

/** A throw-away embedded FerretDB (SQLite) in a temp directory, as a fresh install would use. */
export async function startDatabase(name: string, keep = false, existingDir?: string): Promise<Database> {
  const dir = existingDir ?? fs.mkdtempSync(path.join(process.env.BENCH_TMPDIR ?? os.tmpdir(), `understudy-bench-${name}-`));
  const mongo = await startEmbeddedMongo({
    bin: process.env.FERRETDB_BIN ?? path.join(root, ".local/bin/ferretdb"),
    dataDir: path.join(dir, "ferretdb"),
    database: "understudy_bench",
  });
  return {
    uri: mongo.uri,
    dir,
    mongo,
    async stop() {
      await mongo.stop();
      if (!keep) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface ServerProcess {
  url: string;
  pid: number;
  child: ChildProcess;
  modelsDir: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * The real chat server, `node --import tsx server/index.ts`, in its own process group (its trainer child included).
 * BENCH_SERVER_NODE_ARGS adds node flags to it alone, e.g. `--cpu-prof --cpu-prof-dir=tmp/prof` to profile it under
 * load (node refuses --cpu-prof in NODE_OPTIONS).
 */
export async function startServer(db: Database, name: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const port = await freePort();
  const dataDir = path.join(db.dir, `${name}-data`);
  const modelsDir = path.join(db.dir, `${name}-models`);
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", "server/index.ts"], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: String(port),
      HOST: "127.0.0.1",
      MONGODB_URI: db.uri,
      DATA_DIR: dataDir,
      MODELS_DIR: modelsDir,
      SESSION_SECRET: "understudy-bench-session-secret",
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      LOG_LEVEL: "warn",
      LOG_PRETTY: "false",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  groups.add(child.pid!);
  let out = "";
  // BENCH_SERVER_LOG=<file>: keep the server's whole log (e.g. with DB_SLOW_MS=50 for a slow-query profile).
  const logFile = process.env.BENCH_SERVER_LOG ? fs.createWriteStream(process.env.BENCH_SERVER_LOG, { flags: "a" }) : null;
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-200_000);
    logFile?.write(d);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}) before it was healthy:\n${out.slice(-4000)}`);
    const ok = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(3000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`server not healthy within 180 s:\n${out.slice(-4000)}`);
    await sleep(300);
  }
  log(`server ${name} up at ${url} (pid ${child.pid})`);
  return {
    url,
    pid: child.pid!,
    child,
    modelsDir,
    output: () => out,
    async stop() {
      if (child.exitCode === null) {
        try {
          process.kill(-child.pid!, "SIGTERM");
        } catch {
          // gone
        }
        const t = setTimeout(() => {
          try {
            process.kill(-child.pid!, "SIGKILL");
          } catch {
            // gone
          }
        }, 15_000);
        await exited;
        clearTimeout(t);
      }
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // gone
      }
      groups.delete(child.pid!);
    },
  };
}

/** CPU (user+system ticks) and RSS of one process, from /proc. */
export function procSample(pid: number): { cpuSeconds: number; rssMiB: number } | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    const rssPages = Number(fields[21]);
    return { cpuSeconds: ticks / 100, rssMiB: (rssPages * 4096) / 1048576 };
  } catch {
    return null;
  }
}

/**
 * Runs a benchmark's main and exits 0; on a failure logs it with the tail of the server's output, stops the server
 * (and database) that `running` names and exits 1.
 */
export function runBenchmark(
  name: string,
  main: () => Promise<void>,
  running: () => { server: ServerProcess | null; db?: Database | null },
): void {
  main().then(
    () => process.exit(0),
    async (err) => {
      const { server, db } = running();
      log(`${name} benchmark failed: ${(err as Error).stack ?? err}`);
      if (server) log(`server output (tail):\n${server.output().slice(-3000)}`);
      await server?.stop().catch(() => {});
      await db?.stop().catch(() => {});
      process.exit(1);
    },
  );
}

export function machine() {
  return {
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? "unknown",
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    loadAverage: os.loadavg().map((x) => Number(x.toFixed(2))),
  };
}
