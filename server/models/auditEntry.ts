import mongoose, { Schema, type InferSchemaType } from "mongoose";

const auditEntrySchema = new Schema({
  at: { type: Date, default: () => new Date(), required: true },
  actorId: { type: Schema.Types.ObjectId, ref: "User", default: null },
  actorEmail: { type: String, default: null },
  action: { type: String, required: true },
  targetType: { type: String, default: null },
  targetId: { type: String, default: null },
  details: { type: Schema.Types.Mixed, default: {} },
});

auditEntrySchema.index({ at: -1 });
auditEntrySchema.index({ action: 1, at: -1 });

export type AuditEntryAttrs = InferSchemaType<typeof auditEntrySchema>;
export const AuditEntry = mongoose.model("AuditEntry", auditEntrySchema);
