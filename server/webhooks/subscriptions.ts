import type { Config } from "../config.js";
import type { SessionUser } from "../auth/types.js";
import { Webhook, WebhookDelivery, type WebhookDoc, type WebhookEvent } from "../models/webhook.js";
import { audit } from "../audit/index.js";
import { badRequest, conflict, notFound } from "../errors.js";
import { matchAllowList } from "../outbound/allowList.js";
import { outboundOptions } from "../outbound/index.js";
import { newSigningSecret } from "../signing/index.js";
import { forgetSubscriptions, outboxEvents } from "./outbox.js";

function assertAllowed(config: Config, raw: string): void {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw badRequest("The URL is not valid");
  }
  if (!matchAllowList(outboundOptions(config).allowList, url))
    throw badRequest(`${url.protocol}//${url.host} is not in OUTBOUND_ALLOWED_URLS`);
}

/** webhookSubscriber: the signing secret is returned this once. */
export async function webhookSubscriber(
  config: Config,
  actor: SessionUser,
  input: { url: string; events: WebhookEvent[]; description: string },
): Promise<{ webhook: WebhookDoc; signingSecret: string }> {
  assertAllowed(config, input.url);
  const signingSecret = newSigningSecret();
  const webhook = await Webhook.create({ ...input, signingSecret, createdBy: actor.id });
  forgetSubscriptions();
  await audit(actor, "webhook.create", { type: "webhook", id: String(webhook._id) }, { url: input.url, events: input.events });
  return { webhook, signingSecret };
}

/** Changes a subscription; turning a disabled one back on clears its failure count and resumes its backlog. */
export async function webhookUpdater(
  config: Config,
  actor: SessionUser,
  id: string,
  input: { version: number; url?: string; events?: WebhookEvent[]; description?: string; status?: "active" | "disabled" },
): Promise<WebhookDoc> {
  const { version, ...changes } = input;
  if (changes.url) assertAllowed(config, changes.url);
  const set: Record<string, unknown> = { ...changes };
  if (changes.status === "active") Object.assign(set, { consecutiveFailures: 0, disabledAt: null, disabledReason: null });
  if (changes.status === "disabled") Object.assign(set, { disabledAt: new Date(), disabledReason: `disabled by ${actor.email}` });
  const updated = await Webhook.findOneAndUpdate({ _id: id, version }, { $set: set, $inc: { version: 1 } }, { new: true });
  if (!updated)
    throw (await Webhook.exists({ _id: id })) ? conflict("The webhook changed meanwhile; reload and retry") : notFound("Webhook");
  forgetSubscriptions();
  outboxEvents.emit("queued");
  await audit(actor, "webhook.update", { type: "webhook", id }, { changed: Object.keys(changes) });
  return updated;
}

export async function webhookSecretRotator(actor: SessionUser, id: string): Promise<string> {
  const signingSecret = newSigningSecret();
  const updated = await Webhook.findOneAndUpdate({ _id: id }, { $set: { signingSecret }, $inc: { version: 1 } });
  if (!updated) throw notFound("Webhook");
  await audit(actor, "webhook.rotate_secret", { type: "webhook", id });
  return signingSecret;
}

/** Manual redelivery: the same body and idempotency key, sent again now with a fresh attempt budget. */
export async function webhookRedeliverer(actor: SessionUser, deliveryId: string) {
  const delivery = await WebhookDelivery.findOneAndUpdate(
    { _id: deliveryId, status: { $ne: "delivering" } },
    { $set: { status: "pending", nextAttemptAt: new Date(), attempts: 0, leaseUntil: null } },
    { new: true },
  ).lean();
  if (!delivery)
    throw (await WebhookDelivery.exists({ _id: deliveryId })) ? conflict("That delivery is being sent right now") : notFound("Delivery");
  outboxEvents.emit("queued");
  await audit(actor, "webhook.redeliver", { type: "webhookDelivery", id: deliveryId }, { eventId: delivery.eventId });
  return delivery;
}
