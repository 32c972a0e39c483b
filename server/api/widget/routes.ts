import { Router, type RequestHandler } from "express";
import cors from "cors";
import { rateLimit } from "express-rate-limit";
import type { AppContext } from "../../context.js";
import { customerConversations, findCustomerConversation, messagesSince } from "../../conversationLog/index.js";
import { verifyCustomerToken } from "../../gateway/customer/customerToken.js";
import { widgetSessionIssuer } from "../../identity/widgetSessionIssuer.js";
import { presentConversationForCustomer } from "../../presenters/conversation.js";
import { presentMessageForCustomer } from "../../presenters/message.js";
import { getServerSecret } from "../../secrets.js";
import { restOriginCheck } from "../../security/origins.js";
import { AppError, unauthorized, valid, validate } from "../../errors.js";
import { conversationsSchema, messagesSchema, sessionSchema } from "./schema.js";

// The widget's REST side: its identity, and its own history. It runs on other sites' pages, so CORS is
// open to CORS_ORIGINS and auth is a bearer token, never a cookie.
export function widgetRouter(ctx: AppContext): Router {
  const router = Router();
  const secret = getServerSecret(ctx.config);
  const origins = ctx.config.CORS_ORIGINS === "*" ? true : ctx.config.CORS_ORIGINS.split(",").map((s) => s.trim());
  router.use(restOriginCheck(ctx.config));
  router.use(cors({ origin: origins, methods: ["GET", "POST"], allowedHeaders: ["Content-Type", "Authorization"], maxAge: 600 }));

  const customerOf: RequestHandler = (req, res, next) => {
    const header = req.get("authorization") ?? "";
    const customerId = verifyCustomerToken(secret, header.startsWith("Bearer ") ? header.slice(7) : null);
    if (!customerId) return next(unauthorized("Missing or invalid widget token"));
    res.locals.customerId = customerId;
    next();
  };

  // New identities are cheap to ask for; cap them per address so nobody fills the log with customers.
  // Returning visitors (valid token) are not counted: every page view of a busy office behind one NAT
  // address renews its session.
  const sessionLimit = rateLimit({
    windowMs: 60_000,
    limit: 60,
    standardHeaders: "draft-8",
    legacyHeaders: false,
    skip: (req) => verifyCustomerToken(secret, (req.body as { token?: unknown } | undefined)?.token) !== null,
    handler: (_req, _res, next) =>
      next(new AppError(429, "rate_limited", "Too many new chat sessions from this address; try again in a minute")),
  });

  router.post("/session", sessionLimit, validate(sessionSchema), async (req, res) => {
    const { body } = valid(req, sessionSchema);
    const session = await widgetSessionIssuer(ctx.config, secret, body);
    res.status(session.renewed ? 201 : 200).json(session);
  });

  router.get("/conversations", customerOf, validate(conversationsSchema), async (req, res) => {
    const { query } = valid(req, conversationsSchema);
    const conversations = await customerConversations(res.locals.customerId, query.limit);
    res.json({ conversations: conversations.map(presentConversationForCustomer) });
  });

  router.get("/conversations/:id/messages", customerOf, validate(messagesSchema), async (req, res) => {
    const { params, query } = valid(req, messagesSchema);
    const conversation = await findCustomerConversation(res.locals.customerId, params.id);
    const messages = await messagesSince(conversation._id, query.afterSeq, query.limit);
    res.json({
      conversation: presentConversationForCustomer(conversation),
      messages: messages.map(presentMessageForCustomer),
      hasMore: messages.length === query.limit,
    });
  });

  return router;
}
