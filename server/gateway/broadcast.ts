import type { Server as SocketServer } from "socket.io";
import type { DomainEvent, DomainEvents } from "../events.js";
import { presentConversationForAgent, presentConversationForCustomer } from "../presenters/conversation.js";
import { presentMessageForAgent, presentMessageForCustomer } from "../presenters/message.js";
import { logger } from "../logger.js";

// The widget joins `conversation:<id>` on /customer; the console's sockets join `agents` (every signed-in agent)
// and `conversation:<id>` (the one they have open) on /agent, plus their user's and session's rooms (agent/index.ts).
export const CUSTOMER_NS = "/customer";
export const AGENT_NS = "/agent";
export const AGENTS_ROOM = "agents";
export const conversationRoom = (conversationId: string | { toString(): string }) => `conversation:${String(conversationId)}`;

/**
 * The one listener that turns domain events into socket emits, each in the view its side is allowed: the customer
 * view on /customer, the agent view (the same one REST sends, assigned agent's name included) on /agent.
 * Only `io.of(ns).to(room).emit` is used, so a Redis adapter fans these out across processes. The agent view needs
 * a lookup, so the events of one conversation go out one after the other, in the order they were published.
 */
export function attachBroadcaster(io: SocketServer, events: DomainEvents): void {
  const queues = new Map<string, Promise<void>>();
  const inOrder = (conversationId: string, send: () => Promise<void> | void) => {
    const next = (queues.get(conversationId) ?? Promise.resolve())
      .then(send)
      .catch((err) => logger.error({ err, conversationId }, "broadcast failed"));
    queues.set(conversationId, next);
    void next.then(() => {
      if (queues.get(conversationId) === next) queues.delete(conversationId);
    });
    return next;
  };
  const customers = (id: string) => io.of(CUSTOMER_NS).to(conversationRoom(id));
  // One emit to both rooms: a socket in both gets it once.
  const agents = (id: string) => io.of(AGENT_NS).to(AGENTS_ROOM).to(conversationRoom(id));

  events.subscribe((event: DomainEvent) => {
    switch (event.type) {
      case "message.created": {
        const id = String(event.conversation._id);
        return inOrder(id, async () => {
          customers(id).emit("message:new", presentMessageForCustomer(event.message));
          agents(id).emit("message:new", presentMessageForAgent(event.message));
          customers(id).emit("conversation:updated", presentConversationForCustomer(event.conversation));
          agents(id).emit("conversation:updated", await presentConversationForAgent(event.conversation));
        });
      }
      case "conversation.updated": {
        const id = String(event.conversation._id);
        return inOrder(id, async () => {
          customers(id).emit("conversation:updated", presentConversationForCustomer(event.conversation));
          agents(id).emit("conversation:updated", await presentConversationForAgent(event.conversation));
        });
      }
      case "message.updated": {
        const id = String(event.message.conversationId);
        return inOrder(id, () => {
          customers(id).emit("message:updated", presentMessageForCustomer(event.message));
          agents(id).emit("message:updated", presentMessageForAgent(event.message));
        });
      }
      case "typing": {
        // A customer typing shows in the console (list and open conversation); an agent typing shows in the widget.
        const { conversationId, role, typing } = event;
        if (role === "customer") agents(conversationId).emit("typing", { conversationId, role, typing });
        else customers(conversationId).emit("typing", { conversationId, role, typing });
        return;
      }
    }
  });
}
