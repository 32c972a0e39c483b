import type { Types } from "mongoose";

interface WebhookLean {
  _id: Types.ObjectId;
  url: string;
  description?: string | null;
  events: string[];
  status: string;
  consecutiveFailures?: number | null;
  disabledAt?: Date | null;
  disabledReason?: string | null;
  version: number;
  createdAt?: Date | null;
}

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);

/** A subscription without its signing secret. */
export function presentWebhook(w: WebhookLean) {
  return {
    id: String(w._id),
    url: w.url,
    description: w.description ?? "",
    events: w.events,
    status: w.status,
    consecutiveFailures: w.consecutiveFailures ?? 0,
    disabledAt: iso(w.disabledAt),
    disabledReason: w.disabledReason ?? null,
    version: w.version,
    createdAt: iso(w.createdAt),
  };
}

interface DeliveryLean {
  _id: Types.ObjectId;
  webhookId: Types.ObjectId;
  eventId: string;
  event: string;
  status: string;
  attempts: number;
  nextAttemptAt: Date;
  lastAttemptAt?: Date | null;
  lastStatus?: number | null;
  lastError?: string | null;
  lastDurationMs?: number | null;
  deliveredAt?: Date | null;
  createdAt?: Date | null;
}

/** The delivery log: what was sent when and how it went (the body stays in the outbox). */
export function presentDelivery(d: DeliveryLean) {
  return {
    id: String(d._id),
    webhookId: String(d.webhookId),
    eventId: d.eventId,
    event: d.event,
    status: d.status,
    attempts: d.attempts,
    nextAttemptAt: d.status === "pending" ? iso(d.nextAttemptAt) : null,
    lastAttemptAt: iso(d.lastAttemptAt),
    lastStatus: d.lastStatus ?? null,
    lastError: d.lastError ?? null,
    lastDurationMs: d.lastDurationMs ?? null,
    deliveredAt: iso(d.deliveredAt),
    createdAt: iso(d.createdAt),
  };
}
