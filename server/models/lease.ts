import mongoose, { Schema, type InferSchemaType } from "mongoose";

// A named lock with an expiry. Held by one process at a time; a holder that dies simply stops renewing it,
// so the next process to ask takes over once it has expired. _id is the lease name, so "at most one" is
// enforced by the primary key.
const leaseSchema = new Schema(
  {
    _id: { type: String, required: true },
    owner: { type: String, required: true },
    runId: { type: String, default: null },
    // Fencing token: grows by one on every acquisition, so a holder that lost the lease (and a new holder
    // took it) is told apart from the current one even if both use the same owner id.
    token: { type: Number, default: 0 },
    acquiredAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  { timestamps: true },
);

export type LeaseAttrs = InferSchemaType<typeof leaseSchema>;
export const Lease = mongoose.model("Lease", leaseSchema);
