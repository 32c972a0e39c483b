import mongoose, { Schema, type InferSchemaType } from "mongoose";

// A customer the embedding site vouched for (a signed identity, server/identity). The widget customer id is
// derived from the site's own id, so every device of that person lands on the same conversations; this row
// keeps the site's id for the actions that may trust it.
const verifiedCustomerSchema = new Schema(
  {
    customerId: { type: String, required: true, unique: true },
    externalId: { type: String, required: true, maxlength: 200 },
    lastVerifiedAt: { type: Date, required: true },
  },
  { timestamps: true },
);

export type VerifiedCustomerAttrs = InferSchemaType<typeof verifiedCustomerSchema>;
export const VerifiedCustomer = mongoose.model("VerifiedCustomer", verifiedCustomerSchema);
