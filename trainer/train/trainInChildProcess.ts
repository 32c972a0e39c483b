import { forkTs, fromChildError, type ChildError } from "./childProcess.js";
import type { TrainOptions, TrainProgress, TrainResult } from "./options.js";

type ChildMessage =
  | { type: "ready" }
  | { type: "progress"; progress: TrainProgress }
  | { type: "result"; result: TrainResult }
  | { type: "error"; error: ChildError };

/**
 * Runs trainModel in a fresh node process: a failed gradient can abort the wasm module, and a fresh process also
 * returns all training memory when it exits. Progress streams over IPC; aborting `signal` kills the child.
 */
export function trainInChildProcess(
  opts: TrainOptions,
  onProgress?: (p: TrainProgress) => void,
  signal?: AbortSignal,
): Promise<TrainResult> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const child = forkTs(new URL("./trainChild.ts", import.meta.url).href);
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener("abort", onAbort);
      fn();
    };
    const onAbort = () => {
      child.kill("SIGKILL");
      finish(() => reject(abortError(signal!)));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    child.on("message", (msg: ChildMessage) => {
      if (msg.type === "ready") child.send(opts);
      else if (msg.type === "progress") onProgress?.(msg.progress);
      else if (msg.type === "result") finish(() => resolve(msg.result));
      else if (msg.type === "error") finish(() => reject(fromChildError(msg.error)));
    });
    child.on("error", (err) => finish(() => reject(err)));
    child.on("exit", (code, sig) =>
      finish(() => reject(new Error(`training process exited (code ${code}, signal ${sig}) without a result`))),
    );
  });
}

function abortError(signal: AbortSignal): Error {
  const err = new Error(`training aborted${signal.reason ? `: ${String(signal.reason)}` : ""}`);
  err.name = "AbortError";
  return err;
}
