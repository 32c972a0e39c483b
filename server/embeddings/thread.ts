import { parentPort, workerData } from "node:worker_threads";
import { baseModelDirFor, embed, initBackend, loadAnyBaseModel, type AnyBaseModel, type BaseFamily } from "../../trainer/index.js";
import type { EmbedRequest, EmbedResponse, EmbeddingThreadData } from "./protocol.js";

// The embedding thread: the base encoders, for imports (collapsing near-identical replies) and for clustering
// handed-off questions, off the chat's event loop. Each family is loaded on its first request, so a workspace
// that never switches holds one model.
const { baseModelDir } = workerData as EmbeddingThreadData;
const port = parentPort!;
let backend: Promise<unknown> | null = null;
const models = new Map<BaseFamily, Promise<AnyBaseModel>>();

function model(family: BaseFamily): Promise<AnyBaseModel> {
  let m = models.get(family);
  if (!m) {
    m = (backend ??= initBackend()).then(() => loadAnyBaseModel(baseModelDirFor(family, baseModelDir)));
    // A failed load (a missing folder) is retried on the next request rather than remembered.
    m.catch(() => models.delete(family));
    models.set(family, m);
  }
  return m;
}

port.on("message", (req: EmbedRequest) => {
  const reply = (res: EmbedResponse) => port.postMessage(res);
  model(req.family)
    .then((m) => embed(m, req.texts))
    .then(
      (vectors) => reply({ id: req.id, ok: true, vectors: vectors.map((v) => Array.from(v)) }),
      (err: unknown) => reply({ id: req.id, ok: false, message: err instanceof Error ? err.message : String(err) }),
    );
});
