import { Router } from "express";
import type { AppContext } from "../../context.js";
import { currentUser, guard } from "../../auth/index.js";
import { Action } from "../../models/action.js";
import { ActionCall } from "../../models/actionCall.js";
import { Conversation } from "../../models/conversation.js";
import { actionCreator, actionUpdater, signingSecretRotator } from "../../actions/actionDefinitions.js";
import { actionCaller } from "../../actions/actionCaller.js";
import { renderActionReply } from "../../actions/replyRenderer.js";
import { customerIdentity } from "../../identity/customerIdentity.js";
import { documentRoutes } from "../openapi/catalog.js";
import { notFound, valid, validate } from "../../errors.js";
import { presentAction, presentActionCall } from "../../presenters/action.js";
import { actionsSchemas as s } from "./schema.js";

const MANAGE = "actions.manage" as const;

documentRoutes([
  { method: "get", path: "/api/actions", tag: "actions", summary: "HTTP actions answers may call", access: MANAGE },
  {
    method: "post",
    path: "/api/actions",
    tag: "actions",
    summary: "Define an action (returns its signing secret once)",
    access: MANAGE,
    ...s.create,
    status: 201,
  },
  {
    method: "get",
    path: "/api/actions/calls",
    tag: "actions",
    summary: "Logged action calls (of a conversation or an action)",
    access: "conversations.read",
    ...s.calls,
  },
  {
    method: "get",
    path: "/api/actions/:id",
    tag: "actions",
    summary: "One action (secret header values withheld)",
    access: MANAGE,
    ...s.get,
  },
  {
    method: "patch",
    path: "/api/actions/:id",
    tag: "actions",
    summary: "Change an action (409 on a stale version)",
    access: MANAGE,
    ...s.update,
  },
  {
    method: "post",
    path: "/api/actions/:id/rotate-secret",
    tag: "actions",
    summary: "New signing secret (returned once)",
    access: MANAGE,
    ...s.rotate,
  },
  {
    method: "post",
    path: "/api/actions/:id/preview",
    tag: "actions",
    summary: "Call an action for real against a test conversation",
    access: MANAGE,
    ...s.preview,
  },
]);

export function actionsRouter(ctx: AppContext): Router {
  const router = Router();

  router.get("/", guard(MANAGE), async (_req, res) => {
    const actions = await Action.find({}).sort({ name: 1 }).lean();
    res.json({ actions: actions.map(presentAction) });
  });

  router.post("/", guard(MANAGE), validate(s.create), async (req, res) => {
    const { body } = valid(req, s.create);
    const { action, signingSecret } = await actionCreator(ctx.config, currentUser(req), body);
    res.status(201).json({ action: presentAction(action), signingSecret });
  });

  // Agents read these beside the conversation: which action ran, how it went, how long it took.
  router.get("/calls", guard("conversations.read"), validate(s.calls), async (req, res) => {
    const { query } = valid(req, s.calls);
    const filter: Record<string, unknown> = {};
    if (query.conversationId) filter.conversationId = query.conversationId;
    if (query.actionId) filter.actionId = query.actionId;
    const calls = await ActionCall.find(filter).sort({ createdAt: -1 }).limit(query.limit).lean();
    res.json({ calls: calls.map(presentActionCall) });
  });

  router.get("/:id", guard(MANAGE), validate(s.get), async (req, res) => {
    const { params } = valid(req, s.get);
    const action = await Action.findById(params.id).lean();
    if (!action) throw notFound("Action");
    res.json({ action: presentAction(action) });
  });

  router.patch("/:id", guard(MANAGE), validate(s.update), async (req, res) => {
    const { params, body } = valid(req, s.update);
    res.json({ action: presentAction(await actionUpdater(ctx.config, currentUser(req), params.id, body)) });
  });

  router.post("/:id/rotate-secret", guard(MANAGE), validate(s.rotate), async (req, res) => {
    const { params } = valid(req, s.rotate);
    res.json({ signingSecret: await signingSecretRotator(currentUser(req), params.id) });
  });

  // A real call (signed, logged as a preview) with the slots given, as the bot would make it in that conversation.
  router.post("/:id/preview", guard(MANAGE), validate(s.preview), async (req, res) => {
    const { params, body } = valid(req, s.preview);
    const action = await Action.findById(params.id).lean();
    if (!action) throw notFound("Action");
    const conversation = body.conversationId ? await Conversation.findById(body.conversationId).lean() : null;
    if (body.conversationId && !conversation) throw notFound("Conversation");
    const identity = conversation ? await customerIdentity(conversation.customerId) : { id: null, verified: false };
    const result = await actionCaller({ config: ctx.config }, action, {
      conversationId: conversation ? String(conversation._id) : null,
      customer: { ...identity, name: conversation?.customerName ?? null, email: conversation?.customerEmail ?? null },
      language: conversation?.channel?.language ?? "en",
      slots: body.slots,
      preview: true,
    });
    const rendered =
      result.ok && body.template
        ? renderActionReply(body.template, result.fields, body.slots, conversation ?? { customerName: null, customerEmail: null })
        : null;
    res.json({ result, rendered });
  });

  return router;
}
