import { Router } from "express";
import type { AppContext } from "../../context.js";
import { Conversation } from "../../models/conversation.js";
import { presentConversationForAgent, presentConversationsForAgent, type ConversationLike } from "../../presenters/conversation.js";
import { presentMessageForAgent } from "../../presenters/message.js";
import { currentUser, guard } from "../../auth/index.js";
import { messagesSince } from "../../conversationLog/messageQueries.js";
import { conversationAssigner, conversationHandBack } from "../../conversationLog/conversationAssigner.js";
import { conversationCloser } from "../../conversationLog/conversationCloser.js";
import { conversationReadMarker } from "../../conversationLog/conversationReadMarker.js";
import { agentReplier } from "../../policies/conversations.js";
import { notFound, valid, validate } from "../../errors.js";
import { conversationsSchemas as s } from "./schema.js";

export async function listConversations(status: string, limit: number): Promise<ConversationLike[]> {
  if (status === "open") {
    // Waiting customers first, longest-waiting at the top; then the rest by latest activity.
    const waiting = await Conversation.find({ status: "waiting" }).sort({ waitingSince: 1 }).limit(limit).lean();
    const rest = await Conversation.find({ status: { $in: ["agent", "bot"] } })
      .sort({ lastMessageAt: -1 })
      .limit(Math.max(0, limit - waiting.length))
      .lean();
    return [...waiting, ...rest] as ConversationLike[];
  }
  const filter = status === "all" ? {} : { status };
  return (await Conversation.find(filter).sort({ lastMessageAt: -1 }).limit(limit).lean()) as ConversationLike[];
}

export function conversationsRouter(ctx: AppContext): Router {
  const router = Router();

  router.get("/", guard("conversations.read"), validate(s.list), async (req, res) => {
    const { query } = valid(req, s.list);
    res.json({ conversations: await presentConversationsForAgent(await listConversations(query.status, query.limit)) });
  });

  router.get("/:id", guard("conversations.read"), validate(s.get), async (req, res) => {
    const { params } = valid(req, s.get);
    const conversation = await Conversation.findById(params.id).lean();
    if (!conversation) throw notFound("Conversation");
    const messages = await messagesSince(conversation._id, 0);
    res.json({
      conversation: await presentConversationForAgent(conversation as ConversationLike),
      messages: messages.map(presentMessageForAgent),
    });
  });

  router.get("/:id/messages", guard("conversations.read"), validate(s.messages), async (req, res) => {
    const { params, query } = valid(req, s.messages);
    if (!(await Conversation.exists({ _id: params.id }))) throw notFound("Conversation");
    const messages = await messagesSince(params.id, query.after);
    res.json({ messages: messages.map(presentMessageForAgent) });
  });

  router.post("/:id/takeover", guard("conversations.act"), validate(s.action), async (req, res) => {
    const { params } = valid(req, s.action);
    const c = await conversationAssigner(ctx, currentUser(req), params.id);
    res.json({ conversation: await presentConversationForAgent(c) });
  });

  router.post("/:id/handback", guard("conversations.act"), validate(s.action), async (req, res) => {
    const { params } = valid(req, s.action);
    const c = await conversationHandBack(ctx, currentUser(req), params.id);
    res.json({ conversation: await presentConversationForAgent(c) });
  });

  router.post("/:id/close", guard("conversations.act"), validate(s.action), async (req, res) => {
    const { params } = valid(req, s.action);
    const c = await conversationCloser(ctx, currentUser(req), params.id);
    res.json({ conversation: await presentConversationForAgent(c) });
  });

  router.post("/:id/read", guard("conversations.read"), validate(s.action), async (req, res) => {
    const { params } = valid(req, s.action);
    const c = await conversationReadMarker(ctx, params.id);
    res.json({ conversation: await presentConversationForAgent(c) });
  });

  // Idempotent by clientId: a resend returns the stored message with 200 instead of 201.
  router.post("/:id/messages", guard("conversations.act"), validate(s.reply), async (req, res) => {
    const { params, body } = valid(req, s.reply);
    const result = await agentReplier(ctx, currentUser(req), { conversationId: params.id, ...body });
    res.status(result.duplicate ? 200 : 201).json({ message: presentMessageForAgent(result.message) });
  });

  return router;
}
