import { Worker } from "node:worker_threads";
import { logger } from "../../logger.js";
import type { PredictorLoader } from "../modelHost.js";
import type { ModelPrediction, ModelPredictor } from "../predictor.js";
import type { InferenceRequest, InferenceResponse, InferenceResult, InferenceThreadData, LoadedModel } from "./protocol.js";

const BOOTSTRAP = new URL("./tsWorker.mjs", import.meta.url);
const ENTRY = new URL("./thread.ts", import.meta.url).href;

// A request before it is given its id (Omit over each member of the union).
type Call = InferenceRequest extends infer R ? (R extends { id: number } ? Omit<R, "id"> : never) : never;

export interface InferenceThread {
  /** Loads a model version in the thread; its predictor forwards every prediction there. */
  load: PredictorLoader;
  /** Ends the thread (pending calls fail); the next call starts a fresh one and reloads what it needs. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Runs the models in one worker thread. If the thread dies (a wasm abort, say), calls in flight fail — the
 * bot hands those messages off — and the next call starts a new thread, where each predictor reloads its
 * version from its verified artifact before answering.
 */
export function startInferenceThread(opts: { baseModelDir: string }): InferenceThread {
  let worker: Worker | null = null;
  let generation = 0;
  let closed = false;
  let nextId = 1;
  const pending = new Map<number, { resolve: (r: InferenceResult) => void; reject: (e: Error) => void }>();

  const failPending = (err: Error) => {
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };

  function thread(): Worker {
    if (closed) throw new Error("the inference thread was closed");
    if (worker) return worker;
    const data: InferenceThreadData = { entry: ENTRY, baseModelDir: opts.baseModelDir };
    const w = new Worker(BOOTSTRAP, { workerData: data });
    generation++;
    w.on("message", (res: InferenceResponse) => {
      const p = pending.get(res.id);
      if (!p) return;
      pending.delete(res.id);
      if (pending.size === 0) w.unref();
      if (res.ok) p.resolve(res.result);
      else p.reject(Object.assign(new Error(res.error.message), { name: res.error.name }));
    });
    w.on("error", (err) => logger.error({ err }, "inference thread failed"));
    w.on("exit", (code) => {
      if (worker !== w) return;
      worker = null;
      if (!closed) logger.warn({ code }, "inference thread exited; the next message starts a new one");
      failPending(new Error(`the inference thread exited (code ${code})`));
    });
    // Held only while calls are pending: an idle model thread must not keep the process alive.
    w.unref();
    worker = w;
    return w;
  }

  function call(req: Call): Promise<InferenceResult> {
    return new Promise((resolve, reject) => {
      let w: Worker;
      try {
        w = thread();
      } catch (err) {
        return reject(err as Error);
      }
      const id = nextId++;
      pending.set(id, { resolve, reject });
      w.ref();
      w.postMessage({ ...req, id });
    });
  }

  const load: PredictorLoader = async (dir) => {
    const loadHere = async () => ({ model: (await call({ op: "load", dir })) as LoadedModel, generation });
    let current = await loadHere();
    let reloading: Promise<typeof current> | null = null;
    let disposed = false;
    const ready = async () => {
      if (current.generation === generation && worker) return current;
      reloading ??= loadHere().finally(() => (reloading = null));
      current = await reloading;
      return current;
    };
    const predictor: ModelPredictor = {
      labels: current.model.labels,
      threshold: current.model.threshold,
      async predict(text, previousTurn = null) {
        if (disposed) throw new Error("predictor was disposed");
        const { model } = await ready();
        return (await call({ op: "predict", handle: model.handle, text, previousTurn })) as ModelPrediction;
      },
      async dispose() {
        if (disposed) return;
        disposed = true;
        if (current.generation === generation && worker) await call({ op: "dispose", handle: current.model.handle });
      },
    };
    return predictor;
  };

  return {
    load,
    async restart() {
      const w = worker;
      if (w) await w.terminate();
    },
    async close() {
      closed = true;
      const w = worker;
      worker = null;
      failPending(new Error("the inference thread was closed"));
      if (w) await w.terminate();
    },
  };
}
