import mongoose, { Schema, type InferSchemaType, type HydratedDocument } from "mongoose";

export const IMPORT_STATES = ["applying", "applied", "failed", "undone"] as const;

// One applied (or attempted) import of a file into the reply bank. Every answer and example it wrote names
// this id, which is how a failed or unwanted import is taken out again without transactions.
const dataImportSchema = new Schema(
  {
    kind: { type: String, enum: ["faq", "conversations"], required: true },
    format: { type: String, required: true },
    fileName: { type: String, default: null },
    fileSha256: { type: String, required: true },
    // "approved" examples train tonight; "review" ones wait in the review queue (status pending).
    mode: { type: String, enum: ["approved", "review"], required: true },
    state: { type: String, enum: IMPORT_STATES, required: true },
    counts: { type: Schema.Types.Mixed, default: {} },
    error: { type: String, default: null },
    createdBy: { type: Schema.Types.ObjectId, ref: "User", default: null },
    finishedAt: { type: Date, default: null },
  },
  { timestamps: true, minimize: false },
);

dataImportSchema.index({ createdAt: -1 });
dataImportSchema.index({ state: 1, updatedAt: 1 });

export type DataImportAttrs = InferSchemaType<typeof dataImportSchema>;
export type DataImportDoc = HydratedDocument<DataImportAttrs>;
export const DataImport = mongoose.model("DataImport", dataImportSchema);
