import type { Types } from "mongoose";
import type { ConversationAttrs, ConversationStatus } from "../models/conversation.js";
import { User } from "../models/user.js";

export type ConversationLike = ConversationAttrs & { _id: Types.ObjectId; createdAt?: Date | null; updatedAt?: Date | null };

/** What the widget sees: its own conversation's state, nothing about agents' workload. */
export interface CustomerConversationView {
  id: string;
  status: ConversationStatus;
  lastSeq: number;
  lastMessageAt: string | null;
  createdAt: string;
  // True once a person has taken the conversation; the widget says "an agent joined".
  agentAssigned: boolean;
}

export interface AgentConversationView extends CustomerConversationView {
  customerId: string;
  customerName: string | null;
  customerEmail: string | null;
  channel: { origin: string | null; pageUrl: string | null; userAgent: string | null; language: string };
  assignedAgentId: string | null;
  // Agents cannot look users up themselves (users are admin-only), so the view names the assigned agent.
  assignedAgentName: string | null;
  lastMessagePreview: string;
  unreadByAgents: number;
  waitingSince: string | null;
  closedAt: string | null;
  updatedAt: string;
}

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);

export function presentConversationForCustomer(c: ConversationLike): CustomerConversationView {
  return {
    id: String(c._id),
    status: c.status as ConversationStatus,
    lastSeq: c.lastSeq ?? 0,
    lastMessageAt: iso(c.lastMessageAt),
    createdAt: iso(c.createdAt) ?? new Date(0).toISOString(),
    agentAssigned: c.assignedAgentId != null,
  };
}

/**
 * The agent view of conversations, for REST and the /agent sockets alike (one view, so the console never merges
 * two shapes): the names of the assigned agents are looked up in one query.
 */
export async function presentConversationsForAgent(conversations: ConversationLike[]): Promise<AgentConversationView[]> {
  const ids = [
    ...new Set(
      conversations
        .map((c) => c.assignedAgentId)
        .filter(Boolean)
        .map(String),
    ),
  ];
  const users = ids.length
    ? await User.find({ _id: { $in: ids } })
        .select("name")
        .lean()
    : [];
  const names = new Map(users.map((u) => [String(u._id), u.name]));
  return conversations.map((c) => agentView(c, c.assignedAgentId ? (names.get(String(c.assignedAgentId)) ?? null) : null));
}

export async function presentConversationForAgent(c: ConversationLike): Promise<AgentConversationView> {
  return (await presentConversationsForAgent([c]))[0];
}

function agentView(c: ConversationLike, assignedAgentName: string | null): AgentConversationView {
  return {
    ...presentConversationForCustomer(c),
    customerId: c.customerId,
    customerName: c.customerName ?? null,
    customerEmail: c.customerEmail ?? null,
    channel: {
      origin: c.channel?.origin ?? null,
      pageUrl: c.channel?.pageUrl ?? null,
      userAgent: c.channel?.userAgent ?? null,
      language: c.channel?.language ?? "en",
    },
    assignedAgentId: c.assignedAgentId == null ? null : String(c.assignedAgentId),
    assignedAgentName,
    lastMessagePreview: c.lastMessagePreview ?? "",
    unreadByAgents: c.unreadByAgents ?? 0,
    waitingSince: iso(c.waitingSince),
    closedAt: iso(c.closedAt),
    updatedAt: iso(c.updatedAt) ?? new Date(0).toISOString(),
  };
}
