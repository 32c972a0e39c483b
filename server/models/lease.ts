import mongoose, { Schema, type InferSchemaType } from "mongoose";

// A named lock with an expiry. Held by one process at a time; a holder that dies simply stops renewing it,
// so the next process to ask takes over once it has expired. _id is the lease name, so "at most one" is
// enforced by the primary key.
const leaseSchema = new Schema(
  {
    _id: { type: String, required: true },
    owner: { type: String, required: true },
    runId: { type: String, default: null },
    acquiredAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  { timestamps: true },
);

export type LeaseAttrs = InferSchemaType<typeof leaseSchema>;
export const Lease = mongoose.model("Lease", leaseSchema);
