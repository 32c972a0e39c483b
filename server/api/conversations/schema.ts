import { z } from "zod";
import { CONVERSATION_STATUSES } from "../../models/conversation.js";
import { MAX_CLIENT_ID_LENGTH, messageTextSchema } from "../../conversationLog/limits.js";
import { idParams } from "../schemas.js";

export const listConversationsQuery = z.object({
  // "open" (the default) is every status but closed, waiting ones first.
  status: z.enum([...CONVERSATION_STATUSES, "open", "all"]).default("open"),
  limit: z.coerce.number().int().min(1).max(200).default(100),
});

export const messagesQuery = z.object({ after: z.coerce.number().int().min(0).default(0) });

export const replyBody = z
  .object({
    clientId: z.string().min(1).max(MAX_CLIENT_ID_LENGTH),
    text: messageTextSchema,
  })
  .strict();

export const conversationsSchemas = {
  list: { query: listConversationsQuery },
  get: { params: idParams },
  messages: { params: idParams, query: messagesQuery },
  reply: { params: idParams, body: replyBody },
  // takeover / handback / close / read carry no body: anything sent (operators included) is a 400.
  action: { params: idParams, body: z.object({}).strict() },
};
