import fsp from "node:fs/promises";
import path from "node:path";
import type { TrainProgress } from "../../trainer/index.js";
import type { Config } from "../config.js";
import { ModelVersion } from "../models/modelVersion.js";
import type { SnapshotDoc } from "../models/snapshot.js";
import { TrainingRun } from "../models/trainingRun.js";
import { snapshotBuilder, InsufficientDataError } from "../snapshot/snapshotBuilder.js";
import { encoderEmbedder, type Embedder } from "../snapshot/embedder.js";
import { candidateEvaluator, headlineMetrics } from "../evals/candidateEvaluator.js";
import { promotionGate } from "../evals/gate.js";
import { readActivePointer } from "../registry/activeModel.js";
import { ensureLocalArtifact, localArtifactDir } from "../registry/artifactStore.js";
import { modelRegistrar, nextVersionName } from "../registry/modelRegistrar.js";
import { modelPromoter } from "../registry/modelPromoter.js";
import { RegistryConflictError } from "../registry/errors.js";
import type { ModelPredictor } from "../bot/predictor.js";
import { loadTrainerSettings } from "./settings.js";
import { RunLog } from "./runLog.js";
import { LeaseLostError } from "./lease.js";

export type Outcome = "promoted" | "rejected" | "failed";

export interface RunnerDeps {
  config: Pick<Config, "MODELS_DIR" | "BASE_MODEL_DIR" | "TRAINER_SCHEDULE" | "TRAINER_TIMEZONE">;
  /** Aborted when the lease is lost: stop rather than race the process that took over. */
  signal?: AbortSignal;
  /** Throws unless this run's lease is still held (fencing): checked before each state change and before promoting. */
  fence?: () => Promise<void>;
  /** CLI progress bar. */
  onProgress?: (p: TrainProgress) => void;
  embedder?: () => Promise<Embedder>;
}

const sharedEmbedders = new Map<string, Promise<Embedder>>();

/**
 * Drives one claimed run through snapshotting → training → evaluating → promoted | rejected | failed.
 * Training happens in a child process (the model library's trainInChildProcess); snapshot embeddings
 * and evals run here, in the trainer process, never in a chat server.
 */
export async function nightlyRunner(runId: string, deps: RunnerDeps): Promise<Outcome> {
  const log = new RunLog(runId);
  let candidate: ModelPredictor | null = null;
  let active: ModelPredictor | null = null;
  let registered: string | null = null;
  const fence = async () => deps.fence?.();
  try {
    await fence();
    const settings = await loadTrainerSettings(deps.config);
    await log.state("snapshotting", { startedAt: new Date() });
    // near duplicates are judged by the base the version will be trained on (MiniLM reads Chinese as unknown tokens)
    const { baseModelDirFor } = await import("../../trainer/index.js");
    const family = settings.training.baseModel;
    const baseModelDir = baseModelDirFor(family, deps.config.BASE_MODEL_DIR);
    const embed = await (
      deps.embedder ??
      (() => {
        let e = sharedEmbedders.get(baseModelDir);
        if (!e) sharedEmbedders.set(baseModelDir, (e = encoderEmbedder(baseModelDir)));
        return e;
      })
    )();
    let snapshot: SnapshotDoc;
    try {
      snapshot = await snapshotBuilder({ settings: settings.snapshot, embed });
    } catch (err) {
      if (!(err instanceof InsufficientDataError)) throw err;
      await log.finish("rejected", { reasons: [err.message] });
      return "rejected";
    }
    await TrainingRun.updateOne({ _id: runId }, { $set: { snapshotHash: snapshot.hash } });
    await log.log(`snapshot ${snapshot.name}: ${JSON.stringify(snapshot.counts)}`);
    for (const w of snapshot.warnings) await log.log(w, "warn");
    deps.signal?.throwIfAborted();

    const { trainInChildProcess, loadPredictor, MANIFEST_FILE } = await import("../../trainer/index.js");
    const pointer = await readActivePointer();
    const parent = pointer.version ? await ModelVersion.findOne({ version: pointer.version }).lean() : null;
    let parentDir: string | null = null;
    let warmStartDir: string | null = null;
    if (parent) {
      try {
        parentDir = await ensureLocalArtifact(deps.config.MODELS_DIR, parent.version, parent.artifact as never);
      } catch (err) {
        await log.log(`cannot warm-start from ${parent.version} (${(err as Error).message}); training from the base model`, "warn");
      }
    }
    if (parentDir) {
      // Vectors of two base families live in different spaces: a change of base model is a new lineage.
      const parentManifest = JSON.parse(await fsp.readFile(path.join(parentDir, MANIFEST_FILE), "utf8")) as {
        baseModel?: { family?: string };
      };
      const parentFamily = parentManifest.baseModel?.family ?? "minilm";
      if (parentFamily === family) warmStartDir = parentDir;
      else
        await log.log(`base model changed from ${parentFamily} to ${family}: a new lineage, trained from the base model (no warm start)`);
    }

    const version = await nextVersionName();
    await fence();
    await log.state("training", { parentVersion: parent?.version ?? null, candidateVersion: version });
    const rows = snapshot.examples;
    const asTrain = (e: (typeof rows)[number]) =>
      e.outOfScope
        ? { text: e.text!, previousTurn: e.previousTurn ?? null, label: "", outOfScope: true }
        : {
            text: e.text!,
            previousTurn: e.previousTurn ?? null,
            label: e.label!,
            polarity: (e.polarity as "positive" | "negative") ?? "positive",
          };
    const outDir = localArtifactDir(deps.config.MODELS_DIR, version);
    await fsp.mkdir(path.dirname(outDir), { recursive: true });
    const validation = rows.filter((e) => e.split === "validation").map(asTrain);
    const trained = await trainInChildProcess(
      {
        examples: rows.filter((e) => e.split === "train").map(asTrain),
        ...(validation.length ? { validation } : {}),
        outDir,
        baseModelDir,
        warmStartDir,
        method: settings.training.method,
        epochs: settings.training.epochs,
        seed: settings.training.seed,
        targetPrecision: settings.evals.targetPrecision,
        outOfScopeShare: settings.evals.outOfScopeShare,
        maxOutOfScopeAnswered: settings.evals.maxOutOfScopeAnswered,
        maxMinutes: settings.training.maxMinutes,
      },
      (p: TrainProgress) => {
        deps.onProgress?.(p);
        void log.progress(p, p.phase !== "training").catch(() => {});
      },
      deps.signal,
    );
    for (const h of trained.manifest.history) await log.epoch(h);
    const mv = await modelRegistrar({
      version,
      dir: trained.outDir,
      manifest: trained.manifest,
      runId,
      parentVersion: parent?.version ?? null,
      snapshotHash: snapshot.hash,
    });
    registered = version;
    await log.log(`registered ${version} (${mv.artifact?.totalBytes ?? 0} bytes in GridFS)`);
    deps.signal?.throwIfAborted();

    await fence();
    await log.state("evaluating");
    const cand: ModelPredictor = await loadPredictor(trained.outDir, { baseModelDir: deps.config.BASE_MODEL_DIR });
    candidate = cand;
    // the gate compares with the active version whatever its base family (each loads its own base)
    if (parentDir && parent) active = await loadPredictor(parentDir, { baseModelDir: deps.config.BASE_MODEL_DIR });
    const report = await candidateEvaluator({
      snapshot,
      candidate: cand,
      candidateVersion: version,
      candidateNovel: trained.manifest.openWorld?.novelAnsweredByLabel ?? null,
      active,
      activeVersion: active ? parent!.version : null,
      replayDays: settings.evals.replayDays,
      replayMax: settings.evals.replayMax,
      targetPrecision: settings.evals.targetPrecision,
    });
    const gate = promotionGate(report, settings.gate);
    await ModelVersion.updateOne(
      { version },
      {
        $set: {
          report,
          metrics: { ...headlineMetrics(report), ...trained.manifest.metrics },
          gate: { ...gate, comparedWith: report.activeVersion },
        },
      },
    );

    if (!gate.passed) {
      await ModelVersion.updateOne({ version }, { $set: { status: "rejected" } });
      await log.finish("rejected", { reasons: gate.reasons, candidateVersion: version });
      return "rejected";
    }
    const now = await readActivePointer();
    if (now.pinned) {
      const reason = `passed the gate but ${now.version ?? "the active version"} is pinned; kept as a candidate to promote by hand`;
      await log.finish("rejected", { reasons: [reason], candidateVersion: version });
      return "rejected";
    }
    // The one step that cannot be taken back: only while this run's lease is still ours.
    await fence();
    try {
      await modelPromoter({ version, actor: null, reason: `nightly run ${runId}`, automatic: { expectedActive: parent?.version ?? null } });
    } catch (err) {
      if (!(err instanceof RegistryConflictError)) throw err;
      await log.finish("rejected", { reasons: [`passed the gate but was not promoted: ${err.message}`], candidateVersion: version });
      return "rejected";
    }
    await log.finish("promoted", { reasons: [], candidateVersion: version });
    return "promoted";
  } catch (err) {
    const message =
      err instanceof LeaseLostError ? err.message : deps.signal?.aborted ? "lease lost; another trainer took over" : (err as Error).message;
    // A version registered but never judged must not look promotable.
    if (registered) {
      await ModelVersion.updateOne(
        { version: registered, status: "candidate", "gate.passed": false },
        { $set: { status: "rejected", "gate.reasons": [`run failed before the gate: ${message}`] } },
      ).catch(() => {});
    }
    await log.finish("failed", { error: message, ...(registered ? { candidateVersion: registered } : {}) }).catch(() => {});
    return "failed";
  } finally {
    await Promise.resolve(candidate?.dispose()).catch(() => {});
    await Promise.resolve(active?.dispose()).catch(() => {});
  }
}
