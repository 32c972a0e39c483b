import mongoose, { Schema, type InferSchemaType, type HydratedDocument } from "mongoose";

export const ACTION_FIELD_TYPES = ["string", "number", "boolean"] as const;

// An HTTP call an answer may make to fetch the customer's own data (an order's status). Header values marked
// secret and the signing secret stay in the database: presenters never return them.
const actionSchema = new Schema(
  {
    name: { type: String, required: true, unique: true, maxlength: 64 },
    description: { type: String, default: "", maxlength: 500 },
    // May hold {{slot}} tokens, filled URL-encoded.
    url: { type: String, required: true, maxlength: 2000 },
    method: { type: String, enum: ["GET", "POST"], default: "POST" },
    headers: [
      {
        _id: false,
        name: { type: String, required: true },
        value: { type: String, default: "" },
        secret: { type: Boolean, default: false },
      },
    ],
    timeoutMs: { type: Number, default: 3000, min: 100, max: 5000 },
    // The response shape: each field a dotted path with a type; the response is checked against it with zod.
    fields: [
      {
        _id: false,
        path: { type: String, required: true },
        type: { type: String, enum: ACTION_FIELD_TYPES, required: true },
        required: { type: Boolean, default: true },
      },
    ],
    // The subset of fields a reply may show ({{order.status}}); anything else the service returns is dropped.
    replyFields: [{ type: String }],
    requiresVerifiedCustomer: { type: Boolean, default: false },
    signingSecret: { type: String, required: true },
    status: { type: String, enum: ["active", "disabled"], default: "active" },
    version: { type: Number, default: 1 },
    createdBy: { type: Schema.Types.ObjectId, ref: "User", default: null },
  },
  { timestamps: true },
);

export type ActionAttrs = InferSchemaType<typeof actionSchema>;
export type ActionDoc = HydratedDocument<ActionAttrs>;
export const Action = mongoose.model("Action", actionSchema);
