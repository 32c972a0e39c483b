import type { AppContext } from "../context.js";
import type { SessionUser } from "../auth/types.js";
import { Conversation, type ConversationDoc } from "../models/conversation.js";
import { publishConversation } from "../gateway/broadcast.js";
import { audit } from "../audit/index.js";
import { conflict, notFound } from "../errors.js";
import { recordSystemMessage, toObjectId } from "./messageRecorder.js";
import { withRecordLock } from "../db/recordLock.js";
import { assignedEvent } from "../webhooks/events.js";

/**
 * An agent takes a conversation: the bot goes quiet in it (botResponder skips status "agent").
 * One conditional update (under a record lock, see recordLock.ts) decides races: of two agents clicking together, one wins and the other gets 409.
 * Taking one's own conversation again is a no-op.
 */
export async function conversationAssigner(ctx: AppContext, agent: SessionUser, conversationId: string): Promise<ConversationDoc> {
  const id = toObjectId(conversationId);
  const taken = await withRecordLock(`conversation:${id}`, () =>
    Conversation.findOneAndUpdate(
      { _id: id, $or: [{ status: { $in: ["bot", "waiting"] } }, { status: "agent", assignedAgentId: toObjectId(agent.id, "Agent") }] },
      { $set: { status: "agent", assignedAgentId: toObjectId(agent.id, "Agent"), waitingSince: null, unreadByAgents: 0 } },
      { new: false },
    ),
  );
  if (!taken) throw await refusal(id, "take over");
  if (taken.status === "agent") return (await Conversation.findById(id))!;
  const joined = await recordSystemMessage(ctx, taken, `${agent.name} joined the conversation.`);
  await assignedEvent(id, agent, joined.message);
  const now = (await Conversation.findById(id))!;
  publishConversation(ctx.io, now);
  await audit(agent, "conversation.takeover", { type: "conversation", id: String(id) }, { from: taken.status });
  return now;
}

/** Hands the conversation back to the bot. Only the assigned agent (or an admin) may. */
export async function conversationHandBack(ctx: AppContext, agent: SessionUser, conversationId: string): Promise<ConversationDoc> {
  const id = toObjectId(conversationId);
  const filter: Record<string, unknown> = { _id: id, status: "agent" };
  if (agent.role !== "admin") filter.assignedAgentId = toObjectId(agent.id, "Agent");
  const back = await withRecordLock(`conversation:${id}`, () =>
    Conversation.findOneAndUpdate(filter, { $set: { status: "bot", assignedAgentId: null } }, { new: true }),
  );
  if (!back) throw await refusal(id, "hand back");
  await recordSystemMessage(ctx, back, "You are chatting with our assistant again.");
  const now = (await Conversation.findById(id))!;
  publishConversation(ctx.io, now);
  await audit(agent, "conversation.handback", { type: "conversation", id: String(id) });
  return now;
}

/** Why a conditional update matched nothing: missing (404) or in a state that forbids it (409 with the state). */
export async function refusal(id: unknown, action: string) {
  const current = await Conversation.findById(id).lean();
  if (!current) return notFound("Conversation");
  return conflict(`Cannot ${action}: the conversation is ${current.status}${current.assignedAgentId ? " and assigned to another agent" : ""}`, {
    status: current.status,
    assignedAgentId: current.assignedAgentId ? String(current.assignedAgentId) : null,
  });
}
