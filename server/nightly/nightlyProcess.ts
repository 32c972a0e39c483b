import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";
import { logger } from "../logger.js";

const script = path.resolve(import.meta.dirname, "main.ts");
const TSX = import.meta.resolve("tsx");

/**
 * Runs the trainer (schedule, queued "train now" runs) as a child of the chat server, so snapshot
 * embeddings, training and evals never share the chat server's event loop. It talks to the same
 * database; a crash is logged and the trainer restarted after a pause (its run is failed by the lease).
 */
export function startNightlyProcess(databaseUri: string): { stop(): Promise<void> } {
  let child: ChildProcess | null = null;
  let stopping = false;
  let restartTimer: NodeJS.Timeout | null = null;

  const start = () => {
    child = fork(script, ["--watch"], { execArgv: ["--import", TSX], env: { ...process.env, MONGODB_URI: databaseUri }, stdio: "inherit" });
    child.on("exit", (code, signal) => {
      child = null;
      if (stopping) return;
      logger.error({ code, signal }, "trainer process exited; restarting in 10 s");
      restartTimer = setTimeout(start, 10_000);
      restartTimer.unref();
    });
  };
  start();

  return {
    async stop() {
      stopping = true;
      if (restartTimer) clearTimeout(restartTimer);
      const c = child;
      if (!c) return;
      await new Promise<void>((resolve) => {
        const kill = setTimeout(() => c.kill("SIGKILL"), 10_000);
        c.once("exit", () => (clearTimeout(kill), resolve()));
        c.kill("SIGTERM");
      });
    },
  };
}
