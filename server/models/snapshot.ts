import mongoose, { Schema, type InferSchemaType, type HydratedDocument } from "mongoose";

// An immutable dataset snapshot, named by the sha256 of its content. Built once, never updated:
// a rebuild from the same approved examples and settings yields the same hash and reuses this document.
const snapshotExample = new Schema(
  {
    exampleId: String,
    text: String,
    previousTurn: { type: String, default: null },
    label: String,
    polarity: String,
    // "Not for the bot": no answer fits; label is empty.
    outOfScope: { type: Boolean, default: false },
    split: { type: String, enum: ["train", "validation", "heldout", "golden"] },
    mustPass: { type: Boolean, default: false },
    redactions: { type: Number, default: 0 },
    // Where the pair came from, copied so a version's training data can be traced without the live Example.
    lineage: {
      sourceKind: String,
      conversationId: { type: String, default: null },
      questionMessageId: { type: String, default: null },
      replyMessageId: { type: String, default: null },
      modelVersion: { type: String, default: null },
      newAnswer: { type: Boolean, default: false },
      approvedBy: { type: String, default: null },
      approvedAt: { type: Date, default: null },
    },
  },
  { _id: false },
);

const snapshotSchema = new Schema(
  {
    hash: { type: String, required: true },
    name: { type: String, required: true },
    settings: { type: Schema.Types.Mixed, default: {} },
    examples: { type: [snapshotExample], default: [] },
    counts: { type: Schema.Types.Mixed, default: {} },
    removed: { type: Schema.Types.Mixed, default: {} },
    conflicts: { type: [Schema.Types.Mixed], default: [] },
    balance: { type: [Schema.Types.Mixed], default: [] },
    warnings: { type: [String], default: [] },
  },
  { timestamps: { createdAt: true, updatedAt: false }, minimize: false },
);

snapshotSchema.index({ hash: 1 }, { unique: true });
snapshotSchema.index({ createdAt: -1 });

export type SnapshotAttrs = InferSchemaType<typeof snapshotSchema>;
export type SnapshotDoc = HydratedDocument<SnapshotAttrs>;
export const Snapshot = mongoose.model("Snapshot", snapshotSchema);
