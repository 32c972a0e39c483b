import { Worker } from "node:worker_threads";
import type { Embedder } from "../snapshot/embedder.js";

const BOOTSTRAP = new URL("../bot/inference/tsWorker.mjs", import.meta.url);
const ENTRY = new URL("./thread.ts", import.meta.url).href;
const IDLE_MS = 120_000;

export interface EmbeddingThread {
  embed: Embedder;
  close(): Promise<void>;
}

/**
 * The base encoder in a worker thread, started on first use and ended after two idle minutes (it holds the
 * model's ~90 MB), so embedding a few thousand texts never stalls the chat's sockets.
 */
export function startEmbeddingThread(opts: { baseModelDir: string }): EmbeddingThread {
  let worker: Worker | null = null;
  let idle: NodeJS.Timeout | null = null;
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: number[][]) => void; reject: (e: Error) => void }>();

  const stop = async () => {
    const w = worker;
    worker = null;
    if (w) await w.terminate();
  };
  const thread = () => {
    if (worker) return worker;
    const w = new Worker(BOOTSTRAP, { workerData: { entry: ENTRY, baseModelDir: opts.baseModelDir } });
    w.on("message", (res: { id: number; ok: boolean; vectors?: number[][]; message?: string }) => {
      const p = pending.get(res.id);
      pending.delete(res.id);
      if (res.ok) p?.resolve(res.vectors!);
      else p?.reject(new Error(res.message));
    });
    w.on("exit", (code) => {
      if (worker === w) worker = null;
      for (const p of pending.values()) p.reject(new Error(`the embedding thread exited (code ${code})`));
      pending.clear();
    });
    w.unref();
    worker = w;
    return w;
  };

  return {
    embed(texts) {
      if (texts.length === 0) return Promise.resolve([]);
      if (idle) clearTimeout(idle);
      return new Promise<number[][]>((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        thread().postMessage({ id, texts });
      }).finally(() => {
        if (pending.size === 0) {
          idle = setTimeout(() => void stop(), IDLE_MS);
          idle.unref();
        }
      });
    },
    async close() {
      if (idle) clearTimeout(idle);
      await stop();
    },
  };
}
