import type { AppContext } from "../context.js";
import type { SessionUser } from "../auth/types.js";
import { Conversation, type ConversationDoc } from "../models/conversation.js";
import type { MessageDoc } from "../models/message.js";
import { audit } from "../audit/index.js";
import { conflict, notFound } from "../errors.js";
import { recordSystemMessage } from "./messageRecorder.js";

export interface StatusChange {
  /** What the conversation shows, e.g. "Ann joined the conversation." */
  notice: string;
  audit: { action: string; details?: Record<string, unknown> };
  /** The webhook event of the change, keyed by the notice it wrote. */
  webhook?: (notice: MessageDoc) => Promise<void>;
}

/**
 * What every status change (take over, hand back, close) does once its conditional update has won: the notice in
 * the conversation, the webhook, the audit entry. Storing the notice publishes the conversation, already in its new
 * state, so this adds no broadcast of its own: one `conversation:updated` per change.
 */
export async function afterStatusChange(
  ctx: AppContext,
  actor: SessionUser,
  conversation: Pick<ConversationDoc, "_id">,
  change: StatusChange,
): Promise<ConversationDoc> {
  const notice = await recordSystemMessage(ctx, conversation, change.notice);
  await change.webhook?.(notice.message);
  await audit(actor, change.audit.action, { type: "conversation", id: String(conversation._id) }, change.audit.details);
  return notice.conversation;
}

/** Why a conditional update matched nothing: missing (404) or in a state that forbids it (409 with the state). */
export async function refusal(id: unknown, action: string) {
  const current = await Conversation.findById(id).lean();
  if (!current) return notFound("Conversation");
  return conflict(
    `Cannot ${action}: the conversation is ${current.status}${current.assignedAgentId ? " and assigned to another agent" : ""}`,
    {
      status: current.status,
      assignedAgentId: current.assignedAgentId ? String(current.assignedAgentId) : null,
    },
  );
}
