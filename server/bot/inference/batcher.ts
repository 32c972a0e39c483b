export interface BatcherOptions {
  /** Most calls scored in one pass. */
  maxBatch: number;
  /**
   * How long an idle batcher holds the first call for others to join (0: only those already delivered with it).
   * Calls that arrive while a pass runs never wait longer than that pass: they form the next one.
   */
  maxWaitMs: number;
}

/**
 * Scores calls together: a forward pass over many questions costs little more than over one on the native backend
 * (TensorFlow threads the batch across the cores; per-op dispatch is paid once per pass), so questions that arrive
 * while a pass runs are scored together in the next one, up to maxBatch. A failed pass fails only its own calls.
 */
export function createBatcher<T, R>(run: (items: T[]) => Promise<R[]>, opts: BatcherOptions): (item: T) => Promise<R> {
  const queue: { item: T; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];
  let running = false;
  let scheduled = false;

  // setImmediate, not a microtask: calls that arrived during the last (synchronous) pass are still in the
  // thread's message queue and are delivered before it fires.
  const schedule = (waitMs: number) => {
    if (scheduled || running) return;
    scheduled = true;
    const go = () => {
      scheduled = false;
      void pass();
    };
    if (waitMs > 0) setTimeout(go, waitMs);
    else setImmediate(go);
  };

  async function pass(): Promise<void> {
    if (running || queue.length === 0) return;
    running = true;
    const batch = queue.splice(0, opts.maxBatch);
    try {
      const results = await run(batch.map((b) => b.item));
      batch.forEach((b, i) => b.resolve(results[i]));
    } catch (err) {
      for (const b of batch) b.reject(err);
    } finally {
      running = false;
      if (queue.length) schedule(0);
    }
  }

  return (item) =>
    new Promise<R>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      if (queue.length >= opts.maxBatch) schedule(0);
      else schedule(opts.maxWaitMs);
    });
}
