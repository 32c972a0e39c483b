import mongoose, { Schema, type InferSchemaType, type HydratedDocument } from "mongoose";

export const RUN_STATES = ["queued", "snapshotting", "training", "evaluating", "promoted", "rejected", "failed"] as const;
export type RunState = (typeof RUN_STATES)[number];
export const TERMINAL_RUN_STATES: readonly RunState[] = ["promoted", "rejected", "failed"];
export const ACTIVE_RUN_STATES: readonly RunState[] = ["snapshotting", "training", "evaluating"];

const trainingRunSchema = new Schema(
  {
    trigger: { type: String, enum: ["schedule", "manual", "cli"], required: true },
    // Unique: two trainer processes whose clocks both hit 02:00 enqueue one scheduled run, not two.
    // Manual and CLI runs use their own id here.
    triggerKey: { type: String, required: true },
    requestedBy: { type: String, default: null },
    state: { type: String, enum: RUN_STATES, required: true, default: "queued" },
    transitions: [{ _id: false, state: String, at: Date }],
    logs: [{ _id: false, at: Date, level: String, message: String }],
    owner: { type: String, default: null },
    snapshotHash: { type: String, default: null },
    parentVersion: { type: String, default: null },
    candidateVersion: { type: String, default: null },
    progress: {
      type: new Schema(
        { phase: String, epoch: Number, epochs: Number, step: Number, steps: Number, loss: Number, valAccuracy: Number, at: Date },
        { _id: false },
      ),
      default: null,
    },
    // One point per epoch: what the console's loss / validation charts draw.
    epochs: [{ _id: false, epoch: Number, loss: Number, valAccuracy: Number, valLoss: Number, seconds: Number }],
    reasons: { type: [String], default: [] },
    error: { type: String, default: null },
    startedAt: { type: Date, default: null },
    finishedAt: { type: Date, default: null },
  },
  { timestamps: true },
);

trainingRunSchema.index({ triggerKey: 1 }, { unique: true });
trainingRunSchema.index({ state: 1, createdAt: 1 });
trainingRunSchema.index({ createdAt: -1 });

export type TrainingRunAttrs = InferSchemaType<typeof trainingRunSchema>;
export type TrainingRunDoc = HydratedDocument<TrainingRunAttrs>;
export const TrainingRun = mongoose.model("TrainingRun", trainingRunSchema);
