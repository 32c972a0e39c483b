// Per-socket flood control. A token bucket allows a short burst (a reconnecting widget flushing its
// offline queue) while capping the sustained rate.

export interface BucketOptions {
  capacity: number;
  refillPerSecond: number;
}

export interface TokenBucket {
  /** Takes `cost` tokens if available; false means the caller is over the limit. */
  take(cost?: number): boolean;
  /** Seconds until `cost` tokens are available again. */
  retryAfter(cost?: number): number;
}

export function createTokenBucket(opts: BucketOptions, now: () => number = Date.now): TokenBucket {
  if (opts.capacity <= 0 || opts.refillPerSecond <= 0) throw new Error("capacity and refillPerSecond must be positive");
  let tokens = opts.capacity;
  let last = now();
  const refill = () => {
    const t = now();
    tokens = Math.min(opts.capacity, tokens + ((t - last) / 1000) * opts.refillPerSecond);
    last = t;
  };
  return {
    take(cost = 1) {
      refill();
      if (tokens < cost) return false;
      tokens -= cost;
      return true;
    },
    retryAfter(cost = 1) {
      refill();
      return tokens >= cost ? 0 : Math.ceil(((cost - tokens) / opts.refillPerSecond) * 10) / 10;
    },
  };
}

export interface SocketLimiterOptions {
  // Every event, typing included.
  events: BucketOptions;
  // Events that write (message:send, message:feedback).
  writes: BucketOptions;
  // After this many refusals in a row the socket is dropped: it is not a person typing.
  disconnectAfter: number;
}

export const CUSTOMER_LIMITS: SocketLimiterOptions = {
  events: { capacity: 30, refillPerSecond: 5 },
  writes: { capacity: 10, refillPerSecond: 1 },
  disconnectAfter: 100,
};

export type LimitVerdict = { ok: true } | { ok: false; retryAfter: number; disconnect: boolean };

export function createSocketLimiter(opts: SocketLimiterOptions, now: () => number = Date.now) {
  const events = createTokenBucket(opts.events, now);
  const writes = createTokenBucket(opts.writes, now);
  let refusedInARow = 0;
  return {
    check(isWrite: boolean): LimitVerdict {
      const ok = events.take() && (!isWrite || writes.take());
      if (ok) {
        refusedInARow = 0;
        return { ok: true };
      }
      refusedInARow += 1;
      return {
        ok: false,
        retryAfter: Math.max(events.retryAfter(), isWrite ? writes.retryAfter() : 0),
        disconnect: refusedInARow >= opts.disconnectAfter,
      };
    },
  };
}
