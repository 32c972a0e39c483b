import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

// Children run TypeScript sources directly, so they load tsx the same way the parent's scripts do.
const TSX_LOADER = import.meta.resolve("tsx");

/** Forks `moduleUrl` (a .ts file next to this one) as a fresh node process with an IPC channel. */
export function forkTs(moduleUrl: string, env: NodeJS.ProcessEnv = process.env): ChildProcess {
  return fork(fileURLToPath(moduleUrl), [], {
    execArgv: ["--import", TSX_LOADER],
    env,
    serialization: "advanced",
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
}

export interface ChildError {
  name: string;
  message: string;
  stack?: string;
}

export function toChildError(err: unknown): ChildError {
  const e = err instanceof Error ? err : new Error(String(err));
  return { name: e.name, message: e.message, stack: e.stack };
}

export function fromChildError(e: ChildError): Error {
  const err = new Error(e.message);
  err.name = e.name;
  if (e.stack) err.stack = e.stack;
  return err;
}
