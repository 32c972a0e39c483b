import { Types } from "mongoose";
import { Message } from "../models/message.js";
import { emitEvent, subscriptions } from "./outbox.js";

// What each event carries, in one place (docs/actions.md lists them). The commands that make the changes
// call these right after their write.

type Id = Types.ObjectId | string;
interface ConversationLike {
  _id: Id;
  customerId: string;
  status: string;
  channel?: { origin?: string | null; pageUrl?: string | null; language?: string | null } | null;
}
interface MessageLike {
  _id: Id;
  conversationId: Id;
  seq: number;
  role: string;
  text: string;
  createdAt?: Date | null;
  handoffReason?: string | null;
}

const messageData = (m: MessageLike) => ({
  id: String(m._id),
  seq: m.seq,
  role: m.role,
  text: m.text,
  createdAt: (m.createdAt ?? new Date()).toISOString(),
});

/** After a message is stored: message.created, and conversation.created for a conversation's first one. */
export async function messageStoredEvents(conversation: ConversationLike, message: MessageLike): Promise<void> {
  if (message.seq === 1) {
    await emitEvent("conversation.created", `conversation.created:${conversation._id}`, {
      conversation: { id: String(conversation._id), customerId: conversation.customerId, channel: conversation.channel ?? null },
    });
  }
  await emitEvent("message.created", `message.created:${message._id}`, {
    conversationId: String(conversation._id),
    message: messageData(message),
  });
}

/** After a hand-off notice is stored: why, and the last messages for context. */
export async function handoffEvent(conversationId: Id, reason: string, notice: MessageLike): Promise<void> {
  // The context read is part of every hand-off turn: only when someone subscribed (the list is cached).
  if (!(await subscriptions()).some((s) => s.events.includes("conversation.handoff"))) return;
  const last = await Message.find({ conversationId, seq: { $lt: notice.seq } })
    .sort({ seq: -1 })
    .limit(5)
    .lean();
  await emitEvent("conversation.handoff", `conversation.handoff:${notice._id}`, {
    conversationId: String(conversationId),
    reason,
    lastMessages: last.reverse().map(messageData),
  });
}

export async function assignedEvent(conversationId: Id, agent: { id: string; name: string }, notice: MessageLike): Promise<void> {
  await emitEvent("conversation.assigned", `conversation.assigned:${notice._id}`, {
    conversationId: String(conversationId),
    agent: { id: agent.id, name: agent.name },
  });
}

export async function resolvedEvent(conversationId: Id, by: { id: string; name: string }, notice: MessageLike): Promise<void> {
  await emitEvent("conversation.resolved", `conversation.resolved:${notice._id}`, {
    conversationId: String(conversationId),
    closedBy: { id: by.id, name: by.name },
  });
}

export async function feedbackEvent(message: { _id: Id; conversationId: Id; feedback?: string | null }): Promise<void> {
  if (!message.feedback) return;
  await emitEvent("feedback.created", `feedback.created:${new Types.ObjectId()}`, {
    conversationId: String(message.conversationId),
    messageId: String(message._id),
    value: message.feedback,
  });
}

export async function modelEvent(
  kind: "model.promoted" | "model.rolled_back",
  data: { version: string; previousVersion: string | null; by: string | null; reason?: string | null },
): Promise<void> {
  await emitEvent(kind, `${kind}:${data.version}:${new Types.ObjectId()}`, data);
}
