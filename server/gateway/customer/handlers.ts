import type { Socket } from "socket.io";
import type { AppContext } from "../../context.js";
import {
  findCustomerConversation,
  latestOpenConversation,
  MAX_SYNC_MESSAGES,
  messagesSince,
  recordCustomerMessage,
  recordFeedback,
  respondToCustomerMessage,
} from "../../conversationLog/index.js";
import { logger } from "../../logger.js";
import { commandTally, inDbStage } from "../../db/commandTally.js";
import { presentConversationForCustomer } from "../../presenters/conversation.js";
import { presentMessageForCustomer } from "../../presenters/message.js";
import { conversationRoom } from "../broadcast.js";
import type { CustomerEventName, CustomerPayload } from "./schema.js";

export interface CustomerSocketData {
  customerId: string;
  language: "en" | "zh-CN";
  pageUrl: string | null;
}

type Handler<E extends CustomerEventName> = (ctx: AppContext, socket: Socket, payload: CustomerPayload<E>) => Promise<unknown>;

const data = (socket: Socket) => socket.data as CustomerSocketData;

/** Stored before the ack; the bot runs after it so the customer sees their message as sent at once. */
const send: Handler<"message:send"> = async (ctx, socket, p) => {
  const { customerId, language, pageUrl } = data(socket);
  const arrivedAt = performance.now();
  const result = await inDbStage("record", () =>
    recordCustomerMessage(ctx, {
      customerId,
      conversationId: p.conversationId ?? null,
      clientId: p.clientId,
      text: p.text,
      channel: {
        language,
        pageUrl,
        origin: socket.handshake.headers.origin ?? null,
        userAgent: socket.handshake.headers["user-agent"] ?? null,
      },
    }),
  );
  const recordMs = performance.now() - arrivedAt;
  await socket.join(conversationRoom(result.conversation._id));
  if (!result.duplicate) {
    commandTally()?.turn();
    // Not awaited: the ack must not wait for a model.
    const ackedAt = performance.now();
    setImmediate(() => {
      respondToCustomerMessage(ctx, result.conversation, result.message, { arrivedAt, recordMs, ackedAt }).catch((err) =>
        logger.error({ err, conversationId: String(result.conversation._id) }, "bot turn failed"),
      );
    });
  }
  return {
    message: presentMessageForCustomer(result.message),
    conversation: presentConversationForCustomer(result.conversation),
    duplicate: result.duplicate,
  };
};

/** Joins the conversation's room and returns what the widget missed since `afterSeq`. */
const sync: Handler<"conversation:sync"> = async (_ctx, socket, p) => {
  const { customerId } = data(socket);
  const conversation = p.conversationId
    ? await findCustomerConversation(customerId, p.conversationId)
    : await latestOpenConversation(customerId);
  if (!conversation) return { conversation: null, messages: [], hasMore: false };
  // Join first, then read: a message stored in between arrives twice (the widget dedupes by id), never zero times.
  await socket.join(conversationRoom(conversation._id));
  const messages = await messagesSince(conversation._id, p.afterSeq, MAX_SYNC_MESSAGES);
  return {
    conversation: presentConversationForCustomer(conversation),
    messages: messages.map(presentMessageForCustomer),
    hasMore: messages.length === MAX_SYNC_MESSAGES,
  };
};

/** Typing is relayed only for a conversation this socket has joined (which proves it is the customer's). */
const typing: Handler<"typing"> = async (ctx, socket, p) => {
  if (!socket.rooms.has(conversationRoom(p.conversationId))) {
    await findCustomerConversation(data(socket).customerId, p.conversationId);
    await socket.join(conversationRoom(p.conversationId));
  }
  ctx.events.publish({ type: "typing", conversationId: p.conversationId, role: "customer", typing: p.typing });
  return {};
};

const feedback: Handler<"message:feedback"> = async (ctx, socket, p) => {
  const message = await recordFeedback(ctx, { customerId: data(socket).customerId, messageId: p.messageId, value: p.value });
  return { message: presentMessageForCustomer(message) };
};

export const customerHandlers: { [E in CustomerEventName]: Handler<E> } = {
  "message:send": send,
  "conversation:sync": sync,
  typing,
  "message:feedback": feedback,
};
