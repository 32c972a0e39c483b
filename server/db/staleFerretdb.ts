import fs from "node:fs";
import path from "node:path";
import { logger } from "../logger.js";

/** Processes (Linux /proc) running `bin` on `stateDir`: FerretDBs serving these SQLite files. */
export function ferretdbProcessesOn(bin: string, stateDir: string): number[] {
  if (!fs.existsSync("/proc/self/cmdline")) return [];
  const name = path.basename(bin);
  const flag = `--state-dir=${path.resolve(stateDir)}`;
  const pids: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let argv: string[];
    try {
      argv = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
    } catch {
      continue; // gone meanwhile, or not ours to read
    }
    if (path.basename(argv[0] ?? "") === name && argv.includes(flag)) pids.push(Number(entry));
  }
  return pids;
}

// A zombie (exited, not yet reaped by its parent) no longer serves anything.
const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
};

/**
 * Stops FerretDBs still serving `stateDir` (left by a server that died before its watchdog could stop them,
 * or by an older version without one). Only called while holding the DATA_DIR lock, so no live server owns
 * them. SIGTERM, then SIGKILL after 5 s.
 */
export async function stopStaleFerretdb(bin: string, stateDir: string): Promise<number[]> {
  const pids = ferretdbProcessesOn(bin, stateDir);
  if (!pids.length) return [];
  logger.warn({ pids, stateDir }, "stopping FerretDB left running on this DATA_DIR by a previous server");
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
  const deadline = Date.now() + 5000;
  while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  for (const pid of pids.filter(alive)) process.kill(pid, "SIGKILL");
  const killed = Date.now() + 5000;
  while (pids.some(alive) && Date.now() < killed) await new Promise((r) => setTimeout(r, 20));
  return pids;
}
