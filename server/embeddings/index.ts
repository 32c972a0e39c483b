import { Worker } from "node:worker_threads";
import type { BaseFamily } from "../../trainer/index.js";
import type { Embedder } from "../snapshot/embedder.js";
import { activeBaseFamily } from "./activeFamily.js";
import type { EmbedRequest, EmbedResponse, EmbeddingThreadData } from "./protocol.js";

const BOOTSTRAP = new URL("../bot/inference/tsWorker.mjs", import.meta.url);
const ENTRY = new URL("./thread.ts", import.meta.url).href;
const IDLE_MS = 120_000;

export interface EmbeddingThread {
  /** Embeds in the workspace's base family, as the trainer settings say at the time of the call. */
  embed: Embedder;
  /** Embeds in `family`: for a caller that picks its similarity threshold for that family too. */
  embedIn(family: BaseFamily): Embedder;
  close(): Promise<void>;
}

/**
 * The base encoders in a worker thread, started on first use and ended after two idle minutes (it holds MiniLM's
 * ~90 MB, and USE's ~70 MB once a workspace embeds in it), so embedding a few thousand texts never stalls the
 * chat's sockets.
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
    const workerData: EmbeddingThreadData = { entry: ENTRY, baseModelDir: opts.baseModelDir };
    const w = new Worker(BOOTSTRAP, { workerData });
    w.on("message", (res: EmbedResponse) => {
      const p = pending.get(res.id);
      pending.delete(res.id);
      if (res.ok) p?.resolve(res.vectors);
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

  const embedIn =
    (family: BaseFamily): Embedder =>
    (texts) => {
      if (texts.length === 0) return Promise.resolve([]);
      if (idle) clearTimeout(idle);
      return new Promise<number[][]>((resolve, reject) => {
        const req: EmbedRequest = { id: nextId++, family, texts };
        pending.set(req.id, { resolve, reject });
        thread().postMessage(req);
      }).finally(() => {
        if (pending.size === 0) {
          idle = setTimeout(() => void stop(), IDLE_MS);
          idle.unref();
        }
      });
    };

  return {
    embed: async (texts) => (texts.length === 0 ? [] : embedIn(await activeBaseFamily())(texts)),
    embedIn,
    async close() {
      if (idle) clearTimeout(idle);
      await stop();
    },
  };
}
