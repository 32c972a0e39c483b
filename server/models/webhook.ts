import mongoose, { Schema, type InferSchemaType, type HydratedDocument } from "mongoose";
import { WEBHOOK_EVENTS, type WebhookEvent } from "../webhooks/eventNames.js";

export { WEBHOOK_EVENTS, type WebhookEvent };

// A subscription: where to send which events. Disabled by the dispatcher after repeated failure (the
// reason is kept for the admin's notice); the signing secret never leaves the server after creation.
const webhookSchema = new Schema(
  {
    url: { type: String, required: true, maxlength: 2000 },
    description: { type: String, default: "", maxlength: 500 },
    events: [{ type: String, enum: WEBHOOK_EVENTS }],
    signingSecret: { type: String, required: true },
    status: { type: String, enum: ["active", "disabled"], default: "active" },
    consecutiveFailures: { type: Number, default: 0 },
    disabledAt: { type: Date, default: null },
    disabledReason: { type: String, default: null },
    version: { type: Number, default: 1 },
    createdBy: { type: Schema.Types.ObjectId, ref: "User", default: null },
  },
  { timestamps: true },
);
webhookSchema.index({ status: 1, events: 1 });

export type WebhookAttrs = InferSchemaType<typeof webhookSchema>;
export type WebhookDoc = HydratedDocument<WebhookAttrs>;
export const Webhook = mongoose.model("Webhook", webhookSchema);

export const DELIVERY_STATUSES = ["pending", "delivering", "delivered", "dead"] as const;

// The outbox: one row per event per subscription, written right after the change it reports. The
// dispatcher sends it until a 2xx (at least once); `eventId` is the idempotency key the receiver sees,
// the same on every attempt and redelivery, and unique per subscription so an event is queued once.
const webhookDeliverySchema = new Schema(
  {
    webhookId: { type: Schema.Types.ObjectId, ref: "Webhook", required: true },
    eventId: { type: String, required: true },
    event: { type: String, enum: WEBHOOK_EVENTS, required: true },
    // The exact JSON sent (signed as is).
    body: { type: String, required: true },
    status: { type: String, enum: DELIVERY_STATUSES, default: "pending" },
    attempts: { type: Number, default: 0 },
    nextAttemptAt: { type: Date, required: true },
    // A dispatcher that died mid-send leaves "delivering"; past this time it is due again.
    leaseUntil: { type: Date, default: null },
    lastAttemptAt: { type: Date, default: null },
    lastStatus: { type: Number, default: null },
    lastError: { type: String, default: null, maxlength: 300 },
    lastDurationMs: { type: Number, default: null },
    deliveredAt: { type: Date, default: null },
  },
  { timestamps: true },
);
webhookDeliverySchema.index({ webhookId: 1, eventId: 1 }, { unique: true });
webhookDeliverySchema.index({ status: 1, nextAttemptAt: 1 });
webhookDeliverySchema.index({ webhookId: 1, createdAt: -1 });

export type WebhookDeliveryAttrs = InferSchemaType<typeof webhookDeliverySchema>;
export const WebhookDelivery = mongoose.model("WebhookDelivery", webhookDeliverySchema);
