import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { createSocketLimiter, createTokenBucket } from "../../server/gateway/rateLimit.js";

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

test("a bucket allows its burst, then refuses until it refills", () => {
  const c = clock();
  const b = createTokenBucket({ capacity: 3, refillPerSecond: 1 }, c.now);
  assert.deepEqual([b.take(), b.take(), b.take(), b.take()], [true, true, true, false]);
  assert.equal(b.retryAfter(), 1);
  c.advance(500);
  assert.equal(b.take(), false);
  c.advance(500);
  assert.equal(b.take(), true);
  c.advance(60_000);
  assert.deepEqual([b.take(), b.take(), b.take(), b.take()], [true, true, true, false], "refill is capped at capacity");
});

test("over any stretch of time, a bucket never allows more than capacity + rate × elapsed", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 20 }),
      fc.integer({ min: 1, max: 10 }),
      fc.array(fc.integer({ min: 0, max: 2000 }), { minLength: 1, maxLength: 200 }),
      (capacity, rate, gaps) => {
        const c = clock();
        const b = createTokenBucket({ capacity, refillPerSecond: rate }, c.now);
        let allowed = 0;
        let elapsed = 0;
        for (const gap of gaps) {
          c.advance(gap);
          elapsed += gap;
          if (b.take()) allowed++;
        }
        return allowed <= capacity + (rate * elapsed) / 1000 + 1e-9;
      },
    ),
  );
});

test("the socket limiter caps writes separately from all events", () => {
  const c = clock();
  const limiter = createSocketLimiter(
    { events: { capacity: 10, refillPerSecond: 10 }, writes: { capacity: 2, refillPerSecond: 1 }, disconnectAfter: 5 },
    c.now,
  );
  assert.equal(limiter.check(true).ok, true);
  assert.equal(limiter.check(true).ok, true);
  const refused = limiter.check(true);
  assert.equal(refused.ok, false);
  assert.ok(!refused.ok && refused.retryAfter > 0 && !refused.disconnect);
  assert.equal(limiter.check(false).ok, true, "typing still flows while sends are limited");
});

test("the socket limiter asks to disconnect after many refusals in a row, and forgives after a success", () => {
  const c = clock();
  const limiter = createSocketLimiter(
    { events: { capacity: 1, refillPerSecond: 1 }, writes: { capacity: 1, refillPerSecond: 1 }, disconnectAfter: 3 },
    c.now,
  );
  assert.equal(limiter.check(false).ok, true);
  const verdicts = [limiter.check(false), limiter.check(false)];
  assert.ok(verdicts.every((v) => !v.ok && !v.disconnect));
  c.advance(1000);
  assert.equal(limiter.check(false).ok, true);
  const again = [limiter.check(false), limiter.check(false), limiter.check(false)];
  assert.deepEqual(
    again.map((v) => !v.ok && v.disconnect),
    [false, false, true],
  );
});

test("a bucket rejects nonsense limits", () => {
  assert.throws(() => createTokenBucket({ capacity: 0, refillPerSecond: 1 }), /positive/);
});
