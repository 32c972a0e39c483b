import type { ConversationLike } from "./presenters/conversation.js";
import type { MessageLike } from "./presenters/message.js";
import { logger } from "./logger.js";

// Domain events: what changed, said once by the command that changed it. Commands publish here and never talk to
// sockets themselves; the gateway's broadcaster (server/gateway/broadcast.ts) is the listener that turns each
// event into socket.io emits, so every change reaches the clients exactly once and in one shape.
export type DomainEvent =
  // A message was stored; its conversation's summary (preview, seq, unread count) changed with it.
  | { type: "message.created"; conversation: ConversationLike; message: MessageLike }
  // A stored message changed: customer feedback, an agent's review.
  | { type: "message.updated"; message: MessageLike }
  // A conversation changed without a new message (read by agents), or its notice was already stored.
  | { type: "conversation.updated"; conversation: ConversationLike }
  // Not stored: someone is typing in a conversation.
  | { type: "typing"; conversationId: string; role: "customer" | "agent"; typing: boolean };

export type DomainEventListener = (event: DomainEvent) => void | Promise<void>;

export class DomainEvents {
  private readonly listeners: DomainEventListener[] = [];

  subscribe(listener: DomainEventListener): void {
    this.listeners.push(listener);
  }

  /** Tells every listener. The change is already stored, so a failing listener is logged, never thrown at the command. */
  publish(event: DomainEvent): void {
    for (const listener of this.listeners) {
      try {
        void Promise.resolve(listener(event)).catch((err) => logger.error({ err, event: event.type }, "domain event listener failed"));
      } catch (err) {
        logger.error({ err, event: event.type }, "domain event listener failed");
      }
    }
  }
}
