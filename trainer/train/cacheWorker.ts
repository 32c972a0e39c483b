// Child process that computes base-model states for a share of the inputs, so caching uses both cores
// (wasm runs one core per process). Protocol: child says 'ready', parent sends one CacheJob, child replies
// 'progress'* then 'done' | 'error'.
import { initBackend, loadAnyBaseModel, type BackendName } from "../model/index.js";
import { toChildError } from "./childProcess.js";
import { baseStates, type ModelInput } from "./features.js";

export interface CacheJob {
  baseModelDir: string;
  backend?: BackendName;
  inputs: ModelInput[];
  toLayer: number;
  pool: boolean;
}

process.once("message", async (job: CacheJob) => {
  try {
    await initBackend(job.backend);
    const base = await loadAnyBaseModel(job.baseModelDir);
    const states = await baseStates(base, job.inputs, {
      toLayer: job.toLayer,
      pool: job.pool,
      onBatch: (done) => process.send!({ type: "progress", done }),
    });
    process.send!({ type: "done", states }, () => process.exit(0));
  } catch (err) {
    process.send!({ type: "error", error: toChildError(err) }, () => process.exit(1));
  }
});
// only now is the listener in place: a job sent earlier could be missed
// The trainer that forked this process is gone (whatever ended it): so is the reason to keep computing.
process.once("disconnect", () => process.exit(1));
process.send!({ type: "ready" });
