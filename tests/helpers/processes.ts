import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "../../server/db/embeddedMongo.js";

const root = path.resolve(import.meta.dirname, "../..");

export interface TestProcess {
  name: string;
  child: ChildProcess;
  /** The last ~64 kB of stdout and stderr together, for assertions and failure messages. */
  output(): string;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

export interface ChatProcess extends TestProcess {
  url: string;
  port: number;
}

// Every process group a test started, so that even a test that crashes leaves nothing running.
const running = new Set<number>();
process.once("exit", () => {
  for (const pgid of running) {
    try {
      process.kill(-pgid, "SIGKILL");
    } catch {
      // already gone
    }
  }
});

/**
 * Runs a TypeScript entry point in its own Node process (through tsx, as `npm start` does) and in its own
 * process group, so stopping it also stops whatever it spawned (the trainer's training child processes).
 */
export function spawnTs(name: string, script: string, args: string[], env: Record<string, string>): TestProcess {
  const child = spawn(process.execPath, ["--import", "tsx", script, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const pgid = child.pid!;
  running.add(pgid);
  let out = "";
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-64_000);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      running.delete(pgid);
      resolve(code);
    }),
  );
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pgid, sig);
    } catch {
      // the group is already gone
    }
  };
  return {
    name,
    child,
    output: () => out,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        // SIGTERM first: the server drains sockets and closes its database and Redis connections.
        signal("SIGTERM");
        const timer = setTimeout(() => signal("SIGKILL"), 10_000);
        await exited;
        clearTimeout(timer);
      }
      // Grandchildren that outlived their parent.
      signal("SIGKILL");
    },
  };
}

/**
 * A throw-away DATA_DIR/MODELS_DIR pair: each process keeps its own local model cache, as separate hosts
 * would. `remove` deletes it once the process has stopped.
 */
export function processDirs(name: string): { env: { DATA_DIR: string; MODELS_DIR: string }; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `understudy-${name}-`));
  return {
    env: { DATA_DIR: path.join(dir, "data"), MODELS_DIR: path.join(dir, "models") },
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

function withDirsRemovedOnStop<T extends TestProcess>(p: T, dirs: { remove(): void }): T {
  const stop = p.stop;
  return Object.assign(p, {
    async stop() {
      await stop();
      dirs.remove();
    },
  });
}

/** Resolves once GET /api/health answers 200; fails early, with the process's output, if it exits. */
export async function waitForHealth(p: TestProcess, url: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  void p.exited.then((c) => (exitCode = c));
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`${p.name} exited (${exitCode}) before it was healthy:\n${p.output()}`);
    const ok = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${p.name} was not healthy at ${url} within ${timeoutMs} ms:\n${p.output()}`);
}

/**
 * A real chat server process (`tsx server/index.ts`) on a free port, or on `port` when the caller needs a
 * restarted server to come back where the widget (and its reconnect loop) expects it. `env` must name the
 * shared MONGODB_URI (and REDIS_URL, SESSION_SECRET for a multi-process setup).
 */
export async function startChatProcess(name: string, env: Record<string, string>, port?: number): Promise<ChatProcess> {
  port ??= await freePort();
  const dirs = processDirs(name);
  const p = withDirsRemovedOnStop(
    spawnTs(name, "server/index.ts", [], {
      NODE_ENV: "test",
      HOST: "127.0.0.1",
      PORT: String(port),
      LOG_LEVEL: "info",
      LOG_PRETTY: "false",
      TRAINER_ENABLED: "false",
      ...dirs.env,
      ...env,
    }),
    dirs,
  );
  // A server killed with SIGKILL (killHard) is never stopped; its directories go when it exits.
  void p.exited.then(() => dirs.remove());
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(p, url);
  } catch (err) {
    await p.stop();
    throw err;
  }
  return { ...p, url, port };
}

/** A long-running trainer process (`npm run trainer`), following the schedule and the run queue. */
export function startNightlyProcess(name: string, env: Record<string, string>): TestProcess {
  const dirs = processDirs(name);
  return withDirsRemovedOnStop(
    spawnTs(name, "server/nightly/main.ts", ["--watch"], { NODE_ENV: "test", LOG_LEVEL: "info", LOG_PRETTY: "false", ...dirs.env, ...env }),
    dirs,
  );
}
