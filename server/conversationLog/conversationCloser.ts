import type { AppContext } from "../context.js";
import type { SessionUser } from "../auth/types.js";
import { Conversation, type ConversationDoc } from "../models/conversation.js";
import { toObjectId } from "./messageRecorder.js";
import { afterStatusChange, refusal } from "./statusChange.js";
import { withRecordLock } from "../db/recordLock.js";
import { resolvedEvent } from "../webhooks/events.js";

/**
 * Closes a conversation; the customer's next message starts a new one. An agent may close one that is
 * theirs or not assigned; someone else's is left to them (or an admin).
 */
export async function conversationCloser(ctx: AppContext, agent: SessionUser, conversationId: string): Promise<ConversationDoc> {
  const id = toObjectId(conversationId);
  const filter: Record<string, unknown> = { _id: id, status: { $ne: "closed" } };
  if (agent.role !== "admin") filter.$or = [{ assignedAgentId: null }, { assignedAgentId: toObjectId(agent.id, "Agent") }];
  const closed = await withRecordLock(`conversation:${id}`, () =>
    Conversation.findOneAndUpdate(
      filter,
      { $set: { status: "closed", closedAt: new Date(), waitingSince: null, unreadByAgents: 0 } },
      { new: true },
    ),
  );
  if (!closed) throw await refusal(id, "close");
  // The notice is written after the status flips; appendMessage works on closed conversations.
  return afterStatusChange(ctx, agent, closed, {
    notice: "This conversation has been closed.",
    webhook: (notice) => resolvedEvent(id, agent, notice),
    audit: { action: "conversation.close" },
  });
}
