import { TrainingRun, type RunState } from "../models/trainingRun.js";
import { logger } from "../logger.js";

/** Writes to a run's state, log and progress. Every write is a single-document update on the run. */
export class RunLog {
  private lastProgressWrite = 0;
  constructor(readonly runId: string) {}

  async state(state: RunState, extra: Record<string, unknown> = {}): Promise<void> {
    const at = new Date();
    await TrainingRun.updateOne(
      { _id: this.runId },
      { $set: { state, ...extra }, $push: { transitions: { state, at }, logs: { at, level: "info", message: `→ ${state}` } } },
    );
    logger.info({ runId: this.runId, state }, "training run state");
  }

  async log(message: string, level: "info" | "warn" | "error" = "info"): Promise<void> {
    await TrainingRun.updateOne({ _id: this.runId }, { $push: { logs: { at: new Date(), level, message } } });
    logger[level]({ runId: this.runId }, message);
  }

  /** At most one progress write a second: the console polls, it does not need every step. */
  async progress(p: object, force = false): Promise<void> {
    const now = Date.now();
    if (!force && now - this.lastProgressWrite < 1000) return;
    this.lastProgressWrite = now;
    await TrainingRun.updateOne({ _id: this.runId }, { $set: { progress: { ...p, at: new Date() } } });
  }

  async epoch(e: { epoch: number; loss: number; valAccuracy: number; valLoss?: number; seconds?: number }): Promise<void> {
    await TrainingRun.updateOne({ _id: this.runId }, { $push: { epochs: e } });
  }

  async finish(
    state: "promoted" | "rejected" | "failed",
    fields: { reasons?: string[]; error?: string | null; candidateVersion?: string | null } = {},
  ): Promise<void> {
    const at = new Date();
    const lines = [
      { at, level: state === "failed" ? "error" : "info", message: `→ ${state}${fields.error ? `: ${fields.error}` : ""}` },
      ...(fields.reasons ?? []).map((r) => ({ at, level: "info", message: `reason: ${r}` })),
    ];
    await TrainingRun.updateOne(
      { _id: this.runId },
      {
        $set: {
          state,
          finishedAt: at,
          ...(fields.reasons ? { reasons: fields.reasons } : {}),
          ...(fields.error !== undefined ? { error: fields.error } : {}),
          ...(fields.candidateVersion !== undefined ? { candidateVersion: fields.candidateVersion } : {}),
        },
        $push: { transitions: { state, at }, logs: { $each: lines } },
      },
    );
    logger.info({ runId: this.runId, state, reasons: fields.reasons, error: fields.error }, "training run finished");
  }
}
