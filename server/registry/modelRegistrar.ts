import type { Manifest } from "../../trainer/index.js";
import { ModelVersion, type ModelVersionDoc } from "../models/modelVersion.js";
import { Setting } from "../models/setting.js";
import { uploadArtifact } from "./artifactStore.js";
import { codeVersion } from "./codeVersion.js";

/** Version names are v1, v2, …: allocated from one counter document so concurrent runs never collide. */
export async function nextVersionName(): Promise<string> {
  const doc = await Setting.findOneAndUpdate({ _id: "modelVersionCounter" }, { $inc: { seq: 1 } }, { upsert: true, new: true }).lean();
  return `v${doc!.seq}`;
}

/** Stores a trained artifact in GridFS and records it, with its lineage, as a candidate version. */
export async function modelRegistrar(opts: {
  version: string;
  dir: string;
  manifest: Manifest;
  runId: string;
  parentVersion: string | null;
  snapshotHash: string;
}): Promise<ModelVersionDoc> {
  const artifact = await uploadArtifact(opts.version, opts.dir);
  return ModelVersion.create({
    version: opts.version,
    status: "candidate",
    runId: opts.runId,
    parentVersion: opts.parentVersion,
    snapshotHash: opts.snapshotHash,
    hyperParameters: {
      ...opts.manifest.hyperParameters,
      method: opts.manifest.method,
      seed: opts.manifest.seed,
      threshold: opts.manifest.threshold,
      baseModel: opts.manifest.baseModel.family ?? "minilm",
    },
    codeVersion: await codeVersion(),
    labels: opts.manifest.labels,
    artifact,
    history: opts.manifest.history,
    metrics: { ...opts.manifest.metrics },
  });
}
