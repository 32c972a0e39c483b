import type { AppContext } from "../context.js";
import { Conversation, type ConversationDoc } from "../models/conversation.js";
import { toObjectId } from "./messageRecorder.js";
import { refusal } from "./statusChange.js";

/** Marks the conversation read for agents (the unread badge in the console). */
export async function conversationReadMarker(ctx: AppContext, conversationId: string): Promise<ConversationDoc> {
  const id = toObjectId(conversationId);
  const read = await Conversation.findOneAndUpdate({ _id: id }, { $set: { unreadByAgents: 0 } }, { new: true });
  if (!read) throw await refusal(id, "read");
  ctx.events.publish({ type: "conversation.updated", conversation: read });
  return read;
}
