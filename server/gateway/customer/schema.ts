import { z } from "zod";
import { MAX_CLIENT_ID_LENGTH, messageTextSchema } from "../../conversationLog/limits.js";
import { objectId } from "../../api/schemas.js";

// Every payload the widget may send, checked before any handler runs. docs/events.md mirrors this file.
const clientId = z
  .string()
  .min(1)
  .max(MAX_CLIENT_ID_LENGTH)
  .regex(/^[A-Za-z0-9_:.-]+$/, "may only contain letters, digits and _:.-");
const text = messageTextSchema;

export const LANGUAGES = ["en", "zh-CN"] as const;

/** socket.handshake.auth */
export const handshakeSchema = z.object({
  token: z.string().min(1).max(200),
  language: z.enum(LANGUAGES).optional(),
  pageUrl: z.string().max(2000).optional(),
});

export const customerEvents = {
  "message:send": z
    .object({
      conversationId: objectId.nullish(),
      clientId,
      text,
    })
    .strict(),
  "conversation:sync": z
    .object({
      // Absent: resume the customer's latest open conversation, if any.
      conversationId: objectId.nullish(),
      afterSeq: z.number().int().min(0).default(0),
    })
    .strict(),
  typing: z.object({ conversationId: objectId, typing: z.boolean() }).strict(),
  "message:feedback": z.object({ messageId: objectId, value: z.enum(["up", "down"]).nullable() }).strict(),
} as const;

export type CustomerEventName = keyof typeof customerEvents;
export type CustomerPayload<E extends CustomerEventName> = z.infer<(typeof customerEvents)[E]>;

export const WRITE_EVENTS: ReadonlySet<string> = new Set<CustomerEventName>(["message:send", "message:feedback"]);

export const isCustomerEvent = (name: string): name is CustomerEventName => Object.hasOwn(customerEvents, name);
