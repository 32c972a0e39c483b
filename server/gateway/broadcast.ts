import type { Server as SocketServer } from "socket.io";
import type { ConversationLike } from "../presenters/conversation.js";
import { presentConversationForAgent, presentConversationForCustomer } from "../presenters/conversation.js";
import type { MessageLike } from "../presenters/message.js";
import { presentMessageForAgent, presentMessageForCustomer } from "../presenters/message.js";

// Room names in one place: the widget joins `conversation:<id>` on /customer; the console's sockets join
// `agents` (every signed-in agent) and `conversation:<id>` (the one they have open) on /agent.
export const CUSTOMER_NS = "/customer";
export const AGENT_NS = "/agent";
export const AGENTS_ROOM = "agents";
export const conversationRoom = (conversationId: string | { toString(): string }) => `conversation:${String(conversationId)}`;

// Only `io.of(ns).to(room).emit` is used, so a Redis adapter can fan these out across instances.

/** `message:new` to the customer (customer view) and to agents (agent view). */
export function publishMessage(io: SocketServer, conversation: ConversationLike, message: MessageLike): void {
  const room = conversationRoom(conversation._id);
  io.of(CUSTOMER_NS).to(room).emit("message:new", presentMessageForCustomer(message));
  // One emit to both rooms: a socket in both gets it once.
  io.of(AGENT_NS).to(AGENTS_ROOM).to(room).emit("message:new", presentMessageForAgent(message));
}

/** `message:updated` (e.g. feedback or review changed) to both sides. */
export function publishMessageUpdate(io: SocketServer, message: MessageLike): void {
  const room = conversationRoom(message.conversationId);
  io.of(CUSTOMER_NS).to(room).emit("message:updated", presentMessageForCustomer(message));
  io.of(AGENT_NS).to(AGENTS_ROOM).to(room).emit("message:updated", presentMessageForAgent(message));
}

/** `conversation:updated`: status changes ("waiting", "an agent joined", "closed") and new activity. */
export function publishConversation(io: SocketServer, conversation: ConversationLike): void {
  const room = conversationRoom(conversation._id);
  io.of(CUSTOMER_NS).to(room).emit("conversation:updated", presentConversationForCustomer(conversation));
  io.of(AGENT_NS).to(AGENTS_ROOM).to(room).emit("conversation:updated", presentConversationForAgent(conversation));
}

export interface TypingEvent {
  conversationId: string;
  role: "customer" | "agent";
  typing: boolean;
}

/** A customer typing shows in the console (list and open conversation); an agent typing shows in the widget. */
export function publishTyping(io: SocketServer, event: TypingEvent): void {
  const room = conversationRoom(event.conversationId);
  if (event.role === "customer") io.of(AGENT_NS).to(AGENTS_ROOM).to(room).emit("typing", event);
  else io.of(CUSTOMER_NS).to(room).emit("typing", event);
}
