import * as tf from "@tensorflow/tfjs";
import type { BackendName, AnyBaseModel } from "../model/index.js";
import { forkTs, fromChildError, type ChildError } from "./childProcess.js";
import type { CacheJob } from "./cacheWorker.js";
import { baseStates, tokenLength, type ModelInput } from "./features.js";

// Below this many inputs a helper process costs more (start-up + model load, ~2–3 s) than it saves.
const MIN_INPUTS_FOR_HELPER = 400;

/** Whether parallelBaseStates splits the work with a helper process on the current backend. */
export function usesHelperProcess(workers: number, inputs: number, minInputsForHelper = MIN_INPUTS_FOR_HELPER): boolean {
  return workers >= 2 && tf.getBackend() !== "tensorflow" && inputs >= minInputsForHelper;
}

/**
 * baseStates on both cores. On wasm (one core per process) a helper child process takes every other input in
 * length order (so both halves cost the same) while this process computes the rest; one process for small inputs
 * or `workers` 1. The native backend already runs each op on TensorFlow's own thread pool across every core: a
 * second process would only compete with it (and load the model again), so there it is always one process.
 */
export async function parallelBaseStates(
  base: AnyBaseModel,
  inputs: ModelInput[],
  opts: {
    toLayer: number;
    pool: boolean;
    workers: number;
    backend?: BackendName;
    onProgress?: (done: number) => void;
    minInputsForHelper?: number;
  },
): Promise<Float32Array[]> {
  if (!usesHelperProcess(opts.workers, inputs.length, opts.minInputsForHelper)) {
    return baseStates(base, inputs, { toLayer: opts.toLayer, pool: opts.pool, onBatch: opts.onProgress });
  }
  const lengths = inputs.map((x) => tokenLength(base, x));
  const order = inputs.map((_, i) => i).sort((a, b) => lengths[a] - lengths[b] || a - b);
  const mine = order.filter((_, k) => k % 2 === 0);
  const theirs = order.filter((_, k) => k % 2 === 1);
  let myDone = 0;
  let theirDone = 0;
  const report = () => opts.onProgress?.(myDone + theirDone);

  const child = forkTs(new URL("./cacheWorker.ts", import.meta.url).href);
  const job: CacheJob = {
    baseModelDir: base.dir,
    backend: opts.backend,
    inputs: theirs.map((i) => inputs[i]),
    toLayer: opts.toLayer,
    pool: opts.pool,
  };
  const helper = new Promise<Float32Array[]>((resolve, reject) => {
    child.on("message", (msg: { type: string; done?: number; states?: Float32Array[]; error?: ChildError }) => {
      if (msg.type === "ready") child.send(job);
      else if (msg.type === "progress") {
        theirDone = msg.done!;
        report();
      } else if (msg.type === "done") resolve(msg.states!);
      else if (msg.type === "error") reject(fromChildError(msg.error!));
    });
    child.on("exit", (code) => reject(new Error(`cache helper process exited with code ${code} before finishing`)));
    child.on("error", reject);
  });
  try {
    const [ownStates, helperStates] = await Promise.all([
      baseStates(
        base,
        mine.map((i) => inputs[i]),
        {
          toLayer: opts.toLayer,
          pool: opts.pool,
          onBatch: (d) => {
            myDone = d;
            report();
          },
        },
      ),
      helper,
    ]);
    const out = new Array<Float32Array>(inputs.length);
    mine.forEach((idx, k) => (out[idx] = ownStates[k]));
    theirs.forEach((idx, k) => (out[idx] = helperStates[k]));
    return out;
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
  }
}
