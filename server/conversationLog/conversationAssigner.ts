import type { AppContext } from "../context.js";
import type { SessionUser } from "../auth/types.js";
import { Conversation, type ConversationDoc } from "../models/conversation.js";
import { toObjectId } from "./messageRecorder.js";
import { afterStatusChange, refusal } from "./statusChange.js";
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
  return afterStatusChange(ctx, agent, taken, {
    notice: `${agent.name} joined the conversation.`,
    webhook: (notice) => assignedEvent(id, agent, notice),
    audit: { action: "conversation.takeover", details: { from: taken.status } },
  });
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
  return afterStatusChange(ctx, agent, back, {
    notice: "You are chatting with our assistant again.",
    audit: { action: "conversation.handback" },
  });
}
