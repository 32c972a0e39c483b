import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
// node-cron's own matcher (cron syntax + IANA time zones), driven by our clock instead of its timers,
// so a test can move time and production and tests share one code path.
const TimeMatcher = require("node-cron/src/time-matcher.js") as new (pattern: string, timezone?: string) => { match(date: Date): boolean };

const MINUTE = 60_000;
// After a long sleep (laptop lid, paused VM) only recent slots are considered; one catch-up run is enough.
const LOOKBACK = 24 * 60 * MINUTE;

/** The latest minute in (from, to] that the cron expression selects in `timezone`, or null. */
export function latestDueSlot(cron: string, timezone: string, from: Date, to: Date): Date | null {
  const matcher = new TimeMatcher(cron, timezone);
  const start = Math.max(from.getTime(), to.getTime() - LOOKBACK);
  for (let t = Math.floor(to.getTime() / MINUTE) * MINUTE; t > start; t -= MINUTE) {
    if (matcher.match(new Date(t))) return new Date(t);
  }
  return null;
}

/** The next minute after `from` the expression selects (for showing "next run at" in the console). */
export function nextSlot(cron: string, timezone: string, from: Date, horizonDays = 366): Date | null {
  const matcher = new TimeMatcher(cron, timezone);
  const first = Math.floor(from.getTime() / MINUTE) * MINUTE + MINUTE;
  for (let t = first; t < first + horizonDays * 1440 * MINUTE; t += MINUTE) {
    if (matcher.match(new Date(t))) return new Date(t);
  }
  return null;
}
