// `npm run bench:actions -- [--turns 200] [--events 2000] [--backlog 2000]`
//
// Two figures for answers that act, through the product's own code paths over a real embedded FerretDB:
// 1. the reply latency an action call adds: the same customer turn (store → reply path → stored reply) for an
//    answer without an action and for one that calls the local demo order service (signed GET, shape check);
// 2. webhook delivery throughput: message.created events queued by storing customer messages, delivered by the
//    dispatcher to a local receiver that checks every signature; events per second from the first queued
//    message to the last acknowledged delivery; and the dispatcher alone: a backlog of queued deliveries (the
//    rows the outbox writes) drained once its subscription is enabled, events per second.
// The model is not part of either figure: a fixed choice of answer stands in for it, so what is measured is
// what the action step and the outbox add. Writes bench/results/actions.json.
import crypto from "node:crypto";
import path from "node:path";
import { connectMongoose } from "../server/db/connect.js";
import mongoose from "mongoose";
import "../server/models/index.js";
import { loadConfig } from "../server/config.js";
import { createServer } from "../server/app.js";
import type { Bot } from "../server/bot/types.js";
import { recordCustomerMessage, respondToCustomerMessage } from "../server/conversationLog/index.js";
import { Action, Answer, Message, Webhook, WebhookDelivery } from "../server/models/index.js";
import { forgetSubscriptions, outboxEvents } from "../server/webhooks/outbox.js";
import { newSigningSecret } from "../server/signing/index.js";
import { startOrderService } from "../scripts/order-service/orderService.js";
import { startWebhookReceiver } from "../tests/helpers/webhookReceiver.js";
import { log, num, parseFlags, quantile, str } from "./lib/args.js";
import { machine, root, startDatabase, writeOutput } from "./lib/stack.js";

const flags = parseFlags();
const TURNS = num(flags, "turns", 200);
const EVENTS = num(flags, "events", 2000);
const BACKLOG = num(flags, "backlog", 2000);
const OUT = str(flags, "out", "bench/results/actions.json");

const summary = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const r = (v: number) => Math.round(v * 10) / 10;
  return { n: s.length, p50: r(quantile(s, 0.5)), p95: r(quantile(s, 0.95)), p99: r(quantile(s, 0.99)), max: r(s.at(-1) ?? NaN) };
};

const db = await startDatabase("actions");
const orders = await startOrderService();
const receiver = await startWebhookReceiver();
await connectMongoose(db.uri);
let answerId = "";
const bot: Bot = {
  decide: async () => ({
    kind: "reply",
    answerId,
    text: "We ship in 2 days.",
    confidence: 0.9,
    modelVersion: "bench",
    replyId: crypto.randomUUID(),
    alternatives: [],
  }),
  activeVersion: () => "bench",
};
const config = loadConfig(
  {
    NODE_ENV: "production",
    MONGODB_URI: db.uri,
    DATA_DIR: path.join(db.dir, "data"),
    MODELS_DIR: path.join(db.dir, "models"),
    SESSION_SECRET: "bench-session-secret-0123456789",
    TRAINER_ENABLED: "false",
    LOG_LEVEL: "warn",
    OUTBOUND_ALLOWED_URLS: `${orders.url}, ${receiver.url}`,
    WEBHOOK_RETRY_BASE_MS: "200",
  },
  root,
);
const server = await createServer(config, { bot });
const ctx = server.ctx;

try {
  // ---- 1. reply latency with and without an action ----
  const secret = newSigningSecret();
  orders.setSecret(secret);
  await Action.create({
    name: "order_status",
    url: `${orders.url}/orders/{{order_number}}`,
    method: "GET",
    timeoutMs: 3000,
    signingSecret: secret,
    fields: [
      { path: "order.status", type: "string" },
      { path: "order.eta", type: "string" },
    ],
    replyFields: ["order.status", "order.eta"],
  });
  const plain = await Answer.create({ title: "Shipping", text: "We ship in 2 days." });
  const acting = await Answer.create({
    title: "Order",
    text: "Order {{order_number}} is {{order.status}}, arriving {{order.eta}}.",
    action: { name: "order_status", slots: [{ name: "order_number", pattern: "(\\d{4,8})", prompt: "What is your order number?" }] },
  });
  const turn = async (id: string, text: string) => {
    answerId = id;
    const stored = await recordCustomerMessage(ctx, {
      customerId: `cus_${crypto.randomBytes(12).toString("base64url")}`,
      clientId: crypto.randomUUID(),
      text,
    });
    const started = performance.now();
    await respondToCustomerMessage(ctx, stored.conversation, stored.message);
    return performance.now() - started;
  };
  for (let i = 0; i < 20; i++) {
    await turn(String(plain._id), "warm-up 4321");
    await turn(String(acting._id), "warm-up 4321");
  }
  const without: number[] = [];
  const withAction: number[] = [];
  // Interleaved, so drift in the machine's load hits both alike.
  for (let i = 0; i < TURNS; i++) {
    without.push(await turn(String(plain._id), "how long does shipping take for order 4321?"));
    withAction.push(await turn(String(acting._id), "where is my order 4321?"));
  }
  const replies = await Message.countDocuments({ role: "bot", text: /^Order 4321 is on its way/ });
  if (replies < TURNS) throw new Error(`only ${replies} of ${TURNS} action replies were rendered`);
  const a = summary(without);
  const b = summary(withAction);
  log(`turn without action p50 ${a.p50} ms p95 ${a.p95}; with action p50 ${b.p50} ms p95 ${b.p95}`);

  // ---- 2. webhook delivery throughput ----
  const hook = await Webhook.create({ url: receiver.url, events: ["message.created"], signingSecret: newSigningSecret() });
  // The outbox caches the subscriptions for a second: without this the first events of a quick run are not queued.
  forgetSubscriptions();
  receiver.setSecret(hook.signingSecret);
  receiver.received.length = 0;
  const started = performance.now();
  const customers = Array.from({ length: 50 }, () => `cus_${crypto.randomBytes(12).toString("base64url")}`);
  for (let i = 0; i < EVENTS; i += 10) {
    await Promise.all(
      Array.from({ length: Math.min(10, EVENTS - i) }, (_, j) =>
        recordCustomerMessage(ctx, {
          customerId: customers[(i + j) % customers.length],
          clientId: crypto.randomUUID(),
          text: `event ${i + j}`,
        }),
      ),
    );
  }
  const queuedMs = performance.now() - started;
  while (receiver.keys().length < EVENTS) {
    if (performance.now() - started > 600_000) throw new Error(`only ${receiver.keys().length} of ${EVENTS} delivered in 10 minutes`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const deliveredMs = performance.now() - started;
  const badSignatures = receiver.received.filter((e) => !e.signatureOk).length;
  const duplicates = receiver.received.length - receiver.keys().length;
  const undelivered = await WebhookDelivery.countDocuments({ status: { $ne: "delivered" } });
  log(
    `webhooks: ${EVENTS} events queued in ${Math.round(queuedMs)} ms, all delivered after ${Math.round(deliveredMs)} ms (${Math.round((EVENTS / deliveredMs) * 1000)} events/s)`,
  );

  // ---- 3. the dispatcher alone: a queued backlog drained ----
  // Written while the subscription is disabled (its rows wait), exactly as emitEvent writes them; then enabled.
  const backlogHook = await Webhook.create({
    url: `${receiver.url}/backlog`,
    events: ["message.created"],
    signingSecret: newSigningSecret(),
    status: "disabled",
  });
  await Webhook.updateOne({ _id: hook._id }, { $set: { status: "disabled" } });
  receiver.setSecret(backlogHook.signingSecret);
  receiver.received.length = 0;
  const queuedAt = new Date();
  for (let i = 0; i < BACKLOG; i += 500) {
    await WebhookDelivery.insertMany(
      Array.from({ length: Math.min(500, BACKLOG - i) }, (_, j) => {
        const eventId = `message.created:backlog-${i + j}`;
        const data = {
          conversationId: "bench",
          message: { id: `backlog-${i + j}`, seq: i + j + 1, role: "customer", text: `event ${i + j}`, createdAt: queuedAt.toISOString() },
        };
        return {
          webhookId: backlogHook._id,
          eventId,
          event: "message.created",
          body: JSON.stringify({ id: eventId, type: "message.created", createdAt: queuedAt.toISOString(), data }),
          nextAttemptAt: queuedAt,
        };
      }),
    );
  }
  const drainStarted = performance.now();
  await Webhook.updateOne({ _id: backlogHook._id }, { $set: { status: "active" } });
  forgetSubscriptions();
  outboxEvents.emit("queued");
  while (receiver.keys().length < BACKLOG) {
    if (performance.now() - drainStarted > 600_000)
      throw new Error(`only ${receiver.keys().length} of ${BACKLOG} backlog deliveries in 10 minutes`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const drainMs = performance.now() - drainStarted;
  const drainBad = receiver.received.filter((e) => !e.signatureOk).length;
  const drainDuplicates = receiver.received.length - receiver.keys().length;
  log(`webhook backlog: ${BACKLOG} deliveries drained in ${Math.round(drainMs)} ms (${Math.round((BACKLOG / drainMs) * 1000)} events/s)`);

  const result = {
    bench: "actions",
    at: new Date().toISOString(),
    machine: machine(),
    replyLatency: {
      turns: TURNS,
      withoutActionMs: a,
      withActionMs: b,
      addedMs: { p50: Math.round((b.p50 - a.p50) * 10) / 10, p95: Math.round((b.p95 - a.p95) * 10) / 10 },
      note: "one customer turn through the reply path (answer lookup, action step, store); the model's forward pass is not included",
    },
    webhooks: {
      events: EVENTS,
      queueMs: Math.round(queuedMs),
      allDeliveredMs: Math.round(deliveredMs),
      eventsPerSecond: Math.round((EVENTS / deliveredMs) * 1000),
      duplicates,
      badSignatures,
      undelivered,
      note: "message.created events from storing customer messages (10 at a time), one subscription, a local receiver; from the first store to the last acknowledged delivery",
    },
    webhookBacklog: {
      events: BACKLOG,
      drainMs: Math.round(drainMs),
      eventsPerSecond: Math.round((BACKLOG / drainMs) * 1000),
      duplicates: drainDuplicates,
      badSignatures: drainBad,
      note: "the dispatcher alone: a backlog of queued deliveries (one subscription, enabled at the start) sent to a local receiver that checks every signature, batches of 32 in parallel",
    },
  };
  writeOutput(OUT, JSON.stringify(result, null, 2) + "\n");
  log(`wrote ${OUT}`);
} finally {
  await server.close();
  await orders.close();
  await receiver.close();
  await mongoose.disconnect();
  await db.stop();
}
