import { parentPort, workerData } from "node:worker_threads";
import { loadPredictor, type Predictor } from "../../../trainer/index.js";
import type { ModelPrediction } from "../predictor.js";
import { createBatcher } from "./batcher.js";
import type { InferenceRequest, InferenceResponse, InferenceResult, InferenceThreadData } from "./protocol.js";

// The inference thread: owns TensorFlow.js, the base model and every loaded version, so that a forward
// pass never blocks the chat's event loop. Each version's questions are batched (see createBatcher).
const { baseModelDir } = workerData as InferenceThreadData;
const port = parentPort!;
// 64: two of the predictor's length-sorted passes of 32; a question waits at most for the pass before it.
const BATCHING = { maxBatch: 64, maxWaitMs: 0 };
const predictors = new Map<
  number,
  { predictor: Predictor; predict: (q: { text: string; previousTurn: string | null }) => Promise<ModelPrediction> }
>();
let nextHandle = 1;

async function handle(req: InferenceRequest): Promise<InferenceResult> {
  switch (req.op) {
    case "load": {
      const predictor = await loadPredictor(req.dir, { baseModelDir });
      const handle = nextHandle++;
      predictors.set(handle, { predictor, predict: createBatcher((items) => predictor.predictBatch(items), BATCHING) });
      return { handle, labels: predictor.labels, threshold: predictor.threshold };
    }
    case "predict": {
      const loaded = predictors.get(req.handle);
      if (!loaded) throw new Error(`no loaded model with handle ${req.handle}`);
      // checked here, so that one malformed call cannot fail the batch it would have joined
      if (typeof req.text !== "string") throw new Error("predict: text must be a string");
      return loaded.predict({ text: req.text, previousTurn: typeof req.previousTurn === "string" ? req.previousTurn : null });
    }
    case "dispose":
      predictors.get(req.handle)?.predictor.dispose();
      predictors.delete(req.handle);
      return null;
  }
}

port.on("message", (req: InferenceRequest) => {
  handle(req).then(
    (result) => port.postMessage({ id: req.id, ok: true, result } satisfies InferenceResponse),
    (err: unknown) => {
      const e = err instanceof Error ? err : new Error(String(err));
      port.postMessage({ id: req.id, ok: false, error: { name: e.name, message: e.message } } satisfies InferenceResponse);
    },
  );
});
