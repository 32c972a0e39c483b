import type { AppContext } from "../context.js";
import type { SessionUser } from "../auth/types.js";
import { Conversation } from "../models/conversation.js";
import { recordAgentMessage, toObjectId, type RecordResult } from "../conversationLog/messageRecorder.js";
import { conflict, notFound } from "../errors.js";

/**
 * Replying is allowed only in a conversation the agent has taken over: otherwise the bot and the agent
 * would both answer, and the customer would not know who is talking.
 */
export async function assertCanReply(agent: SessionUser, conversationId: string): Promise<void> {
  const c = await Conversation.findById(toObjectId(conversationId)).select("status assignedAgentId").lean();
  if (!c) throw notFound("Conversation");
  if (c.status === "closed") throw conflict("The conversation is closed", { status: c.status });
  if (c.status !== "agent" || String(c.assignedAgentId) !== agent.id) {
    throw conflict("Take over the conversation before replying", {
      status: c.status,
      assignedAgentId: c.assignedAgentId ? String(c.assignedAgentId) : null,
    });
  }
}

/** An agent's reply: policy first, then the conversation log's recorder (which broadcasts it). */
export async function agentReplier(
  ctx: AppContext,
  agent: SessionUser,
  input: { conversationId: string; clientId: string; text: string },
): Promise<RecordResult> {
  await assertCanReply(agent, input.conversationId);
  return recordAgentMessage(ctx, { ...input, agentId: agent.id });
}
