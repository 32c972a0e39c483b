import { parentPort, workerData } from "node:worker_threads";
import { embed, initBackend, loadBaseModel, type BaseModel } from "../../trainer/index.js";

// The embedding thread: the base encoder, for imports (collapsing near-identical replies) and for clustering
// handed-off questions, off the chat's event loop.
const { baseModelDir } = workerData as { baseModelDir: string };
const port = parentPort!;
let model: Promise<BaseModel> | null = null;

port.on("message", (req: { id: number; texts: string[] }) => {
  (async () => {
    model ??= initBackend().then(() => loadBaseModel(baseModelDir));
    const vectors = await embed(await model, req.texts);
    return vectors.map((v) => Array.from(v));
  })().then(
    (vectors) => port.postMessage({ id: req.id, ok: true, vectors }),
    (err: unknown) => port.postMessage({ id: req.id, ok: false, message: err instanceof Error ? err.message : String(err) }),
  );
});
