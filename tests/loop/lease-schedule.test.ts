import { test } from "node:test";
import assert from "node:assert/strict";
import { latestDueSlot, nextSlot } from "../../server/nightly/scheduler.js";

test("02:00 daily fires once when the clock crosses it, in the configured time zone", () => {
  const utc = latestDueSlot("0 2 * * *", "UTC", new Date("2026-03-10T01:59:30Z"), new Date("2026-03-10T02:00:05Z"));
  assert.equal(utc?.toISOString(), "2026-03-10T02:00:00.000Z");
  assert.equal(latestDueSlot("0 2 * * *", "UTC", new Date("2026-03-10T02:00:05Z"), new Date("2026-03-10T02:30:00Z")), null);
  // 02:00 in Paris (UTC+1 in March before DST) is 01:00 UTC.
  const paris = latestDueSlot("0 2 * * *", "Europe/Paris", new Date("2026-03-10T00:30:00Z"), new Date("2026-03-10T01:00:30Z"));
  assert.equal(paris?.toISOString(), "2026-03-10T01:00:00.000Z");
});

test("after a long sleep only the latest missed slot is returned", () => {
  const slot = latestDueSlot("0 2 * * *", "UTC", new Date("2026-03-01T00:00:00Z"), new Date("2026-03-10T12:00:00Z"));
  assert.equal(slot?.toISOString(), "2026-03-10T02:00:00.000Z");
});

test("next slot for the console", () => {
  assert.equal(nextSlot("30 3 * * 1", "UTC", new Date("2026-03-10T12:00:00Z"))?.toISOString(), "2026-03-16T03:30:00.000Z");
});
