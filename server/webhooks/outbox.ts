import { EventEmitter } from "node:events";
import { Webhook, WebhookDelivery, type WebhookEvent } from "../models/webhook.js";
import { logger } from "../logger.js";

// Subscriptions change rarely and every chat message emits an event: read them at most once a second.
const CACHE_MS = 1000;
let cache: { at: number; subs: { _id: unknown; events: string[] }[] } | null = null;

/** The dispatcher of this process listens, so a new delivery goes out at once instead of at the next poll. */
export const outboxEvents = new EventEmitter();

export function forgetSubscriptions(): void {
  cache = null;
}

/** Active subscriptions (cached for a second). */
export async function subscriptions() {
  if (!cache || Date.now() - cache.at > CACHE_MS)
    cache = { at: Date.now(), subs: await Webhook.find({ status: "active" }, { events: 1 }).lean() };
  return cache.subs;
}

/**
 * Queues one event for every subscription that wants it. Called by the command that made the change, right
 * after its write and before it returns, with an id derived from what changed (`message.created:<message id>`):
 * that id is the receiver's idempotency key, and the unique (webhook, eventId) index keeps a repeated emit
 * from queueing twice. Nothing here throws into the change: a failed write is logged.
 */
export async function emitEvent(event: WebhookEvent, eventId: string, data: Record<string, unknown>): Promise<void> {
  try {
    const subs = (await subscriptions()).filter((s) => s.events.includes(event));
    if (subs.length === 0) return;
    const now = new Date();
    const body = JSON.stringify({ id: eventId, type: event, createdAt: now.toISOString(), data });
    await WebhookDelivery.insertMany(
      subs.map((s) => ({ webhookId: s._id, eventId, event, body, nextAttemptAt: now })),
      { ordered: false },
    ).catch((err) => {
      if (
        (err as { code?: number }).code !== 11000 &&
        !(err as { writeErrors?: { code: number }[] }).writeErrors?.every((e) => e.code === 11000)
      )
        throw err;
    });
    outboxEvents.emit("queued");
  } catch (err) {
    logger.error({ err, event, eventId }, "webhook outbox write failed");
  }
}
