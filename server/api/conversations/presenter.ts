import { User } from "../../models/user.js";
import { presentConversationForAgent, type ConversationLike } from "../../presenters/conversation.js";

/** Agent view plus the assigned agent's name, which agents cannot look up themselves (users are admin-only). */
export async function presentConversations(conversations: ConversationLike[]) {
  const ids = [...new Set(conversations.map((c) => c.assignedAgentId).filter(Boolean).map(String))];
  const users = ids.length ? await User.find({ _id: { $in: ids } }).select("name").lean() : [];
  const names = new Map(users.map((u) => [String(u._id), u.name]));
  return conversations.map((c) => ({
    ...presentConversationForAgent(c),
    assignedAgentName: c.assignedAgentId ? (names.get(String(c.assignedAgentId)) ?? null) : null,
  }));
}

export async function presentConversation(c: ConversationLike) {
  return (await presentConversations([c]))[0];
}
