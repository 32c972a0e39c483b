import { z } from "zod";
import { MAX_CLIENT_ID_LENGTH, messageTextSchema } from "../../conversationLog/limits.js";

const conversationId = z.string().regex(/^[0-9a-f]{24}$/i, "must be a conversation id");
const target = z.object({ conversationId }).strict();

// Every event the console may send on /agent, with its payload schema. Acks: { ok: true, ... } | { ok: false, error }.
export const agentEvents = {
  "conversation:open": z.object({ conversationId, afterSeq: z.number().int().min(0).default(0) }).strict(),
  "conversation:leave": target,
  "conversation:takeover": target,
  "conversation:handback": target,
  "conversation:close": target,
  "conversation:read": target,
  "message:send": z.object({ conversationId, clientId: z.string().min(1).max(MAX_CLIENT_ID_LENGTH), text: messageTextSchema }).strict(),
  typing: z.object({ conversationId, typing: z.boolean() }).strict(),
} as const;

export type AgentEventName = keyof typeof agentEvents;
export const isAgentEvent = (e: unknown): e is AgentEventName => typeof e === "string" && Object.hasOwn(agentEvents, e);
