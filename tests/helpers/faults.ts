import fs from "node:fs";
import path from "node:path";
import type { TestProcess } from "./processes.js";

const root = path.resolve(import.meta.dirname, "../..");
export const HARDENING_RESULTS = path.join(root, "bench/results/hardening.json");

/**
 * Merges one test file's counts into bench/results/hardening.json under its own key. Test files run two at
 * a time, so the read-modify-write happens under an exclusive lock file.
 */
export async function recordHardening(section: string, counts: Record<string, number | string>): Promise<void> {
  const lock = `${HARDENING_RESULTS}.lock`;
  fs.mkdirSync(path.dirname(HARDENING_RESULTS), { recursive: true });
  const deadline = Date.now() + 10_000;
  let fd: number | null = null;
  while (fd === null) {
    try {
      fd = fs.openSync(lock, "wx");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      // A lock left by a killed run is stale after a few seconds.
      if (Date.now() > deadline) fs.rmSync(lock, { force: true });
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  try {
    const current = fs.existsSync(HARDENING_RESULTS)
      ? (JSON.parse(fs.readFileSync(HARDENING_RESULTS, "utf8")) as Record<string, unknown>)
      : {};
    const sections = (current.sections ?? {}) as Record<string, Record<string, number | string>>;
    sections[section] = { ...counts, at: new Date().toISOString() };
    const sum = (key: string) => Object.values(sections).reduce((n, s) => n + (typeof s[key] === "number" ? (s[key] as number) : 0), 0);
    const totals = {
      payloadsTried: sum("payloadsTried"),
      serverErrors: sum("serverErrors"),
      faultsInjected: sum("faultsInjected"),
      acknowledgedMessages: sum("acknowledgedMessages"),
      messagesLost: sum("messagesLost"),
      messagesDuplicated: sum("messagesDuplicated"),
      unauthorizedAttempts: sum("unauthorizedAttempts"),
      unauthorizedSucceeded: sum("unauthorizedSucceeded"),
    };
    const tmp = `${HARDENING_RESULTS}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, `${JSON.stringify({ totals, sections }, null, 2)}\n`);
    fs.renameSync(tmp, HARDENING_RESULTS);
  } finally {
    fs.closeSync(fd);
    fs.rmSync(lock, { force: true });
  }
}

/** kill -9 the process group (the server and anything it spawned) and wait until it is gone. */
export async function killHard(p: TestProcess): Promise<void> {
  try {
    process.kill(-p.child.pid!, "SIGKILL");
  } catch {
    // already gone
  }
  await p.exited;
}

/** Polls `check` until it returns true or the time is up; returns how long it took. */
export async function waitUntil(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 30_000, everyMs = 100): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    if (
      await Promise.resolve()
        .then(check)
        .catch(() => false)
    )
      return Date.now() - start;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
