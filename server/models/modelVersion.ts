import mongoose, { Schema, type InferSchemaType, type HydratedDocument } from "mongoose";

// candidate: trained, evaluated, waiting (e.g. while pinned); promoted: has been active at some point;
// rejected: failed the gate, kept with its report; broken: its artifact failed the sha256 check on load.
export const MODEL_STATUSES = ["candidate", "promoted", "rejected", "broken"] as const;
export type ModelStatus = (typeof MODEL_STATUSES)[number];

const modelVersionSchema = new Schema(
  {
    version: { type: String, required: true },
    status: { type: String, enum: MODEL_STATUSES, required: true, default: "candidate" },
    runId: { type: String, default: null },
    // Lineage: what this version was made from.
    parentVersion: { type: String, default: null },
    snapshotHash: { type: String, required: true },
    hyperParameters: { type: Schema.Types.Mixed, default: {} },
    codeVersion: { type: String, default: null },
    labels: { type: [String], default: [] },
    // The artifact lives in GridFS (bucket "artifacts"), one file per artifact file. manifestSha256 pins the
    // manifest, whose own file list pins every other file, so a load can check the whole tree.
    artifact: {
      manifestSha256: { type: String, required: true },
      files: [{ _id: false, name: String, gridId: Schema.Types.ObjectId, sha256: String, size: Number }],
      totalBytes: { type: Number, default: 0 },
    },
    history: [{ _id: false, epoch: Number, loss: Number, valAccuracy: Number, valLoss: Number, seconds: Number }],
    metrics: { type: Schema.Types.Mixed, default: {} },
    report: { type: Schema.Types.Mixed, default: null },
    gate: {
      passed: { type: Boolean, default: false },
      reasons: { type: [String], default: [] },
      comparedWith: { type: String, default: null },
    },
    integrityError: { type: String, default: null },
    promotedAt: { type: Date, default: null },
  },
  { timestamps: true, minimize: false },
);

modelVersionSchema.index({ version: 1 }, { unique: true });
modelVersionSchema.index({ createdAt: -1 });

export type ModelVersionAttrs = InferSchemaType<typeof modelVersionSchema>;
export type ModelVersionDoc = HydratedDocument<ModelVersionAttrs>;
export const ModelVersion = mongoose.model("ModelVersion", modelVersionSchema);
