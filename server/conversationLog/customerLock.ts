// Serialises one customer's writes within this process. The unique index already stores a resend once
// inside a conversation; this also keeps a resent *first* message (no conversation yet) from opening a
// second conversation. Across instances, sticky sessions keep a customer on one process.
const tails = new Map<string, Promise<unknown>>();

export async function withCustomerLock<T>(customerId: string, fn: () => Promise<T>): Promise<T> {
  const previous = tails.get(customerId) ?? Promise.resolve();
  const run = previous.then(fn, fn);
  const tail = run.catch(() => undefined);
  tails.set(customerId, tail);
  try {
    return await run;
  } finally {
    if (tails.get(customerId) === tail) tails.delete(customerId);
  }
}
