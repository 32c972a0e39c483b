import type { Config } from "../config.js";
import { Webhook, WebhookDelivery } from "../models/webhook.js";
import { audit } from "../audit/index.js";
import { logger } from "../logger.js";
import { outboundOptions, outboundRequest } from "../outbound/index.js";
import { SIGNATURE_HEADER, signPayload } from "../signing/index.js";
import { forgetSubscriptions, outboxEvents, subscriptions } from "./outbox.js";

const TIMEOUT_MS = 5000;
// Longer than any send can take, so a live dispatcher's row is never taken from it.
const LEASE_MS = 2 * TIMEOUT_MS;
const BATCH = 32;
const MAX_BACKOFF_MS = 3600_000;

export interface WebhookDispatcher {
  /** Runs one pass now (tests, and the in-process wake-up). */
  drain(): Promise<number>;
  stop(): Promise<void>;
}

/** Exponential back-off with jitter: base, 2×base, 4×base… capped at an hour. */
export function retryDelay(baseMs: number, attempts: number): number {
  const exp = Math.min(MAX_BACKOFF_MS, baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(exp * (0.8 + Math.random() * 0.4));
}

/**
 * Sends the outbox. Each process runs one; a row is claimed with a conditional update and a lease, so a
 * dispatcher killed mid-send leaves it due again when the lease ends. Claims are not serialised across
 * processes on FerretDB, so two may rarely send the same row: that is within at-least-once, and both
 * sends carry the same idempotency key.
 */
export function startWebhookDispatcher(config: Config, opts: { pollMs?: number } = {}): WebhookDispatcher {
  const pollMs = opts.pollMs ?? 1000;
  let running: Promise<number> | null = null;
  let again = false;
  let stopped = false;

  const pass = async (): Promise<number> => {
    let sent = 0;
    for (;;) {
      // Only active subscriptions' rows: a disabled one's backlog waits without blocking the others.
      const active = (await subscriptions()).map((s) => s._id);
      if (active.length === 0) return sent;
      const now = new Date();
      const due = await WebhookDelivery.find(
        {
          webhookId: { $in: active },
          $or: [
            { status: "pending", nextAttemptAt: { $lte: now } },
            { status: "delivering", leaseUntil: { $lt: now } },
          ],
        },
        { _id: 1, webhookId: 1 },
      )
        .sort({ nextAttemptAt: 1 })
        .limit(BATCH)
        .lean();
      if (due.length === 0) return sent;
      const hooks = new Map(
        (await Webhook.find({ _id: { $in: [...new Set(due.map((d) => String(d.webhookId)))] } }).lean()).map((w) => [String(w._id), w]),
      );
      const results = await Promise.all(due.map((d) => deliverOne(config, String(d._id), hooks.get(String(d.webhookId)))));
      sent += results.filter(Boolean).length;
      if (stopped || results.every((r) => !r)) return sent;
    }
  };

  const drain = (): Promise<number> => {
    if (running) {
      again = true;
      return running;
    }
    running = pass()
      .catch((err) => {
        logger.error({ err }, "webhook dispatch pass failed");
        return 0;
      })
      .finally(() => {
        running = null;
        if (again && !stopped) {
          again = false;
          void drain();
        }
      });
    return running;
  };

  const wake = () => void drain();
  outboxEvents.on("queued", wake);
  const timer = setInterval(wake, pollMs);
  timer.unref();
  void drain();

  return {
    drain,
    async stop() {
      stopped = true;
      clearInterval(timer);
      outboxEvents.off("queued", wake);
      await running;
    },
  };
}

type WebhookLean = { _id: unknown; url: string; signingSecret: string; status: string; consecutiveFailures?: number | null };

/** One attempt at one delivery. True when it was sent (2xx). */
async function deliverOne(config: Config, id: string, hook: WebhookLean | undefined): Promise<boolean> {
  const now = new Date();
  // A disabled (or deleted) subscription's deliveries wait; re-enabling resumes them.
  if (!hook || hook.status !== "active") return false;
  const claimed = await WebhookDelivery.findOneAndUpdate(
    {
      _id: id,
      $or: [
        { status: "pending", nextAttemptAt: { $lte: now } },
        { status: "delivering", leaseUntil: { $lt: now } },
      ],
    },
    { $set: { status: "delivering", leaseUntil: new Date(now.getTime() + LEASE_MS), lastAttemptAt: now }, $inc: { attempts: 1 } },
    { new: true },
  ).lean();
  if (!claimed) return false;
  const res = await outboundRequest(
    {
      url: hook.url,
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "Understudy-Webhook/1",
        "understudy-event": claimed.event,
        "understudy-idempotency-key": claimed.eventId,
        "understudy-delivery": String(claimed._id),
        [SIGNATURE_HEADER]: signPayload(hook.signingSecret, claimed.body),
      },
      body: claimed.body,
      timeoutMs: TIMEOUT_MS,
      maxRedirects: 0,
    },
    outboundOptions(config),
  );
  if (res.outcome === "ok") {
    await WebhookDelivery.updateOne(
      { _id: claimed._id },
      {
        $set: {
          status: "delivered",
          deliveredAt: new Date(),
          leaseUntil: null,
          lastStatus: res.status,
          lastError: null,
          lastDurationMs: res.durationMs,
        },
      },
    );
    if (hook.consecutiveFailures) await Webhook.updateOne({ _id: hook._id }, { $set: { consecutiveFailures: 0 } });
    return true;
  }
  const error =
    res.outcome === "http_error" ? `HTTP ${res.status}` : res.outcome === "timeout" ? `no answer within ${TIMEOUT_MS} ms` : res.reason;
  const dead = claimed.attempts >= config.WEBHOOK_MAX_ATTEMPTS;
  await WebhookDelivery.updateOne(
    { _id: claimed._id },
    {
      $set: {
        status: dead ? "dead" : "pending",
        nextAttemptAt: new Date(Date.now() + retryDelay(config.WEBHOOK_RETRY_BASE_MS, claimed.attempts)),
        leaseUntil: null,
        lastStatus: res.outcome === "http_error" ? res.status : null,
        lastError: error.slice(0, 300),
        lastDurationMs: res.durationMs,
      },
    },
  );
  const failed = await Webhook.findOneAndUpdate({ _id: hook._id }, { $inc: { consecutiveFailures: 1 } }, { new: true }).lean();
  if (failed && failed.status === "active" && failed.consecutiveFailures >= config.WEBHOOK_DISABLE_AFTER) {
    const reason = `disabled after ${failed.consecutiveFailures} failed attempts in a row (last: ${error})`.slice(0, 300);
    const disabled = await Webhook.findOneAndUpdate(
      { _id: hook._id, status: "active" },
      { $set: { status: "disabled", disabledAt: new Date(), disabledReason: reason } },
    );
    if (disabled) {
      forgetSubscriptions();
      logger.warn({ webhookId: String(hook._id), url: hook.url }, reason);
      await audit(null, "webhook.disabled", { type: "webhook", id: String(hook._id) }, { reason });
    }
  }
  return false;
}
