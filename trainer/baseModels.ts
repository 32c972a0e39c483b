import { resolve } from "node:path";
import { initBackend, loadAnyBaseModel, type BackendName, type AnyBaseModel } from "./model/index.js";

// One copy of the base weights per process, shared by the trainer and every loaded predictor.
const loaded = new Map<string, Promise<AnyBaseModel>>();

export async function sharedBaseModel(dir: string, backend?: BackendName): Promise<AnyBaseModel> {
  await initBackend(backend);
  const key = resolve(dir);
  let model = loaded.get(key);
  if (!model) {
    model = loadAnyBaseModel(dir);
    loaded.set(key, model);
    model.catch(() => loaded.delete(key));
  }
  return model;
}
