import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { logger } from "../logger.js";

export const LOCK_FILE = "understudy.lock";

export class DataDirBusyError extends Error {}

export interface DataDirLock {
  file: string;
  release(): void;
}

interface Holder {
  pid: number;
  host: string;
  startedAt: string;
  command: string;
}

function describeHolder(text: string): string {
  try {
    const h = JSON.parse(text) as Holder;
    return `pid ${h.pid} on ${h.host} (started ${h.startedAt}: ${h.command})`;
  } catch {
    return "another process (its lock file names no holder yet)";
  }
}

/**
 * Makes this process the one owner of DATA_DIR for as long as it lives. Two servers on one directory
 * would run two FerretDBs on one set of SQLite files, which is how data gets lost.
 *
 * The lock is flock(2) on DATA_DIR/understudy.lock, taken by util-linux `flock` on a file descriptor this
 * process opened and shares with it: a flock belongs to the open file description, so it stays held after
 * `flock` exits and is released by the kernel when this process closes the descriptor or dies, kill -9
 * included. A pid file could outlive its process; this cannot. Node opens files close-on-exec, so FerretDB
 * and the trainer do not inherit (and cannot keep) the lock. The file's text only names the holder.
 */
export function lockDataDir(dataDir: string): DataDirLock {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, LOCK_FILE);
  const fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o600);
  const r = spawnSync("flock", ["--exclusive", "--nonblock", "3"], { stdio: ["ignore", "ignore", "pipe", fd] });
  if (r.error) {
    if ((r.error as NodeJS.ErrnoException).code !== "ENOENT") {
      fs.closeSync(fd);
      throw r.error;
    }
    // No util-linux (macOS without it): still run, but say so; Linux hosts and the image have flock.
    logger.warn({ dataDir }, "`flock` not found: DATA_DIR is not locked; make sure only one server uses it");
    return { file, release: () => fs.closeSync(fd) };
  }
  if (r.status !== 0) {
    const holder = describeHolder(fs.readFileSync(file, "utf8"));
    fs.closeSync(fd);
    throw new DataDirBusyError(`DATA_DIR ${dataDir} is in use by ${holder}. Stop that server first, or give this one another DATA_DIR.`);
  }
  const holder: Holder = {
    pid: process.pid,
    host: os.hostname(),
    startedAt: new Date().toISOString(),
    command: process.argv.slice(1).join(" "),
  };
  fs.ftruncateSync(fd, 0);
  fs.writeSync(fd, `${JSON.stringify(holder)}\n`, 0);
  let open = true;
  return {
    file,
    release() {
      if (!open) return;
      open = false;
      fs.closeSync(fd);
    },
  };
}
