import { Router } from "express";
import type { AppContext } from "../../context.js";
import { currentUser, guard } from "../../auth/index.js";
import { Webhook, WebhookDelivery } from "../../models/webhook.js";
import { webhookRedeliverer, webhookSecretRotator, webhookSubscriber, webhookUpdater } from "../../webhooks/subscriptions.js";
import { documentRoutes } from "../openapi/catalog.js";
import { notFound, valid, validate } from "../../errors.js";
import { presentDelivery, presentWebhook } from "../../presenters/webhook.js";
import { webhooksSchemas as s } from "./schema.js";

const MANAGE = "webhooks.manage" as const;

documentRoutes([
  {
    method: "get",
    path: "/api/webhooks",
    tag: "webhooks",
    summary: "Webhook subscriptions (and notices of disabled ones)",
    access: MANAGE,
  },
  {
    method: "post",
    path: "/api/webhooks",
    tag: "webhooks",
    summary: "Subscribe a URL to events (returns its signing secret once)",
    access: MANAGE,
    ...s.create,
    status: 201,
  },
  {
    method: "patch",
    path: "/api/webhooks/:id",
    tag: "webhooks",
    summary: "Change, disable or re-enable a subscription",
    access: MANAGE,
    ...s.update,
  },
  {
    method: "post",
    path: "/api/webhooks/:id/rotate-secret",
    tag: "webhooks",
    summary: "New signing secret (returned once)",
    access: MANAGE,
    ...s.rotate,
  },
  {
    method: "get",
    path: "/api/webhooks/:id/deliveries",
    tag: "webhooks",
    summary: "The delivery log of a subscription",
    access: MANAGE,
    ...s.deliveries,
  },
  {
    method: "post",
    path: "/api/webhooks/deliveries/:id/redeliver",
    tag: "webhooks",
    summary: "Send a delivery again (same idempotency key)",
    access: MANAGE,
    ...s.redeliver,
  },
]);

export function webhooksRouter(ctx: AppContext): Router {
  const router = Router();

  router.get("/", guard(MANAGE), async (_req, res) => {
    const hooks = await Webhook.find({}).sort({ createdAt: 1 }).lean();
    const notices = hooks
      .filter((w) => w.status === "disabled" && w.disabledReason)
      .map((w) => ({ webhookId: String(w._id), url: w.url, message: w.disabledReason, at: w.disabledAt?.toISOString() ?? null }));
    res.json({ webhooks: hooks.map(presentWebhook), notices });
  });

  router.post("/", guard(MANAGE), validate(s.create), async (req, res) => {
    const { body } = valid(req, s.create);
    const { webhook, signingSecret } = await webhookSubscriber(ctx.config, currentUser(req), body);
    res.status(201).json({ webhook: presentWebhook(webhook), signingSecret });
  });

  router.patch("/:id", guard(MANAGE), validate(s.update), async (req, res) => {
    const { params, body } = valid(req, s.update);
    res.json({ webhook: presentWebhook(await webhookUpdater(ctx.config, currentUser(req), params.id, body)) });
  });

  router.post("/:id/rotate-secret", guard(MANAGE), validate(s.rotate), async (req, res) => {
    const { params } = valid(req, s.rotate);
    res.json({ signingSecret: await webhookSecretRotator(currentUser(req), params.id) });
  });

  router.get("/:id/deliveries", guard(MANAGE), validate(s.deliveries), async (req, res) => {
    const { params, query } = valid(req, s.deliveries);
    if (!(await Webhook.exists({ _id: params.id }))) throw notFound("Webhook");
    const filter: Record<string, unknown> = { webhookId: params.id };
    if (query.status) filter.status = query.status;
    const deliveries = await WebhookDelivery.find(filter).sort({ createdAt: -1 }).limit(query.limit).lean();
    res.json({ deliveries: deliveries.map(presentDelivery) });
  });

  router.post("/deliveries/:id/redeliver", guard(MANAGE), validate(s.redeliver), async (req, res) => {
    const { params } = valid(req, s.redeliver);
    res.json({ delivery: presentDelivery(await webhookRedeliverer(currentUser(req), params.id)) });
  });

  return router;
}
