import { parentPort, workerData } from "node:worker_threads";
import { loadPredictor, type Predictor } from "../../../trainer/index.js";
import type { InferenceRequest, InferenceResponse, InferenceResult, InferenceThreadData } from "./protocol.js";

// The inference thread: owns TensorFlow.js, the base model and every loaded version, so that a forward
// pass (tens of milliseconds of wasm) never blocks the chat's event loop.
const { baseModelDir } = workerData as InferenceThreadData;
const port = parentPort!;
const predictors = new Map<number, Predictor>();
let nextHandle = 1;

async function handle(req: InferenceRequest): Promise<InferenceResult> {
  switch (req.op) {
    case "load": {
      const predictor = await loadPredictor(req.dir, { baseModelDir });
      const handle = nextHandle++;
      predictors.set(handle, predictor);
      return { handle, labels: predictor.labels, threshold: predictor.threshold };
    }
    case "predict": {
      const predictor = predictors.get(req.handle);
      if (!predictor) throw new Error(`no loaded model with handle ${req.handle}`);
      return predictor.predict(req.text, req.previousTurn);
    }
    case "dispose":
      predictors.get(req.handle)?.dispose();
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
