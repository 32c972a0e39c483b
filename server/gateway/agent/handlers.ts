import type { Socket } from "socket.io";
import type { z } from "zod";
import type { AppContext } from "../../context.js";
import { socketUser } from "../../auth/socket.js";
import { Conversation } from "../../models/conversation.js";
import { presentConversationForAgent, type ConversationLike } from "../../presenters/conversation.js";
import { presentMessageForAgent } from "../../presenters/message.js";
import { messagesSince } from "../../conversationLog/messageQueries.js";
import { conversationAssigner, conversationHandBack } from "../../conversationLog/conversationAssigner.js";
import { conversationCloser } from "../../conversationLog/conversationCloser.js";
import { conversationReadMarker } from "../../conversationLog/conversationReadMarker.js";
import { agentReplier } from "../../policies/conversations.js";
import { notFound } from "../../errors.js";
import { conversationRoom } from "../broadcast.js";
import type { agentEvents, AgentEventName } from "./schema.js";

type Payload<E extends AgentEventName> = z.infer<(typeof agentEvents)[E]>;
type Handler<E extends AgentEventName> = (ctx: AppContext, socket: Socket, payload: Payload<E>) => Promise<Record<string, unknown>>;

// The same commands as the REST routes, so a click in the console and a curl do the same thing.
export const agentHandlers: { [E in AgentEventName]: Handler<E> } = {
  async "conversation:open"(_ctx, socket, { conversationId, afterSeq }) {
    const conversation = await Conversation.findById(conversationId).lean();
    if (!conversation) throw notFound("Conversation");
    // Join before reading, so a message stored in between arrives as an event rather than being missed.
    await socket.join(conversationRoom(conversationId));
    const messages = await messagesSince(conversationId, afterSeq);
    return {
      conversation: await presentConversationForAgent(conversation as ConversationLike),
      messages: messages.map(presentMessageForAgent),
    };
  },
  async "conversation:leave"(_ctx, socket, { conversationId }) {
    await socket.leave(conversationRoom(conversationId));
    return {};
  },
  async "conversation:takeover"(ctx, socket, { conversationId }) {
    return { conversation: await presentConversationForAgent(await conversationAssigner(ctx, socketUser(socket), conversationId)) };
  },
  async "conversation:handback"(ctx, socket, { conversationId }) {
    return { conversation: await presentConversationForAgent(await conversationHandBack(ctx, socketUser(socket), conversationId)) };
  },
  async "conversation:close"(ctx, socket, { conversationId }) {
    return { conversation: await presentConversationForAgent(await conversationCloser(ctx, socketUser(socket), conversationId)) };
  },
  async "conversation:read"(ctx, _socket, { conversationId }) {
    return { conversation: await presentConversationForAgent(await conversationReadMarker(ctx, conversationId)) };
  },
  async "message:send"(ctx, socket, payload) {
    const result = await agentReplier(ctx, socketUser(socket), payload);
    return { message: presentMessageForAgent(result.message), duplicate: result.duplicate };
  },
  async typing(ctx, socket, { conversationId, typing }) {
    // Only the agent talking to the customer shows as typing in the widget.
    const c = await Conversation.findById(conversationId).select("status assignedAgentId").lean();
    if (c?.status === "agent" && String(c.assignedAgentId) === socketUser(socket).id) {
      ctx.events.publish({ type: "typing", conversationId, role: "agent", typing });
    }
    return {};
  },
};
