import mongoose, { Schema, type InferSchemaType } from "mongoose";

const auditEntrySchema = new Schema({
  at: { type: Date, default: () => new Date(), required: true },
  actorId: { type: Schema.Types.ObjectId, ref: "User", default: null },
  actorEmail: { type: String, default: null },
  action: { type: String, required: true },
  targetType: { type: String, default: null },
  targetId: { type: String, default: null },
  details: { type: Schema.Types.Mixed, default: {} },
  // Admin changes are written "pending" before they are applied, then marked (server/audit auditedChange):
  // an entry left pending is a change whose outcome was never recorded, never a change without an entry.
  outcome: { type: String, enum: ["pending", "applied", "failed"], default: "applied" },
  error: { type: String, default: null },
});

auditEntrySchema.index({ at: -1 });
auditEntrySchema.index({ action: 1, at: -1 });

export type AuditEntryAttrs = InferSchemaType<typeof auditEntrySchema>;
export const AuditEntry = mongoose.model("AuditEntry", auditEntrySchema);
