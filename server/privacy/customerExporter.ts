import { Conversation } from "../models/conversation.js";
import { Example } from "../models/example.js";
import { Message } from "../models/message.js";
import { customerConversationIds, customerExampleFilter } from "./customerData.js";

export interface CustomerExport {
  customerId: string;
  exportedAt: string;
  conversations: {
    id: string;
    status: string;
    customerName: string | null;
    customerEmail: string | null;
    channel: unknown;
    createdAt: string | null;
    closedAt: string | null;
    messages: { id: string; seq: number; role: string; text: string; feedback: string | null; createdAt: string | null }[];
  }[];
  trainingExamples: {
    id: string;
    question: string;
    previousTurn: string | null;
    status: string;
    conversationId: string | null;
    createdAt: string | null;
  }[];
}

const iso = (d: unknown) => (d instanceof Date ? d.toISOString() : null);

/** Everything held about one customer, as one JSON document (a data-subject access request). */
export async function customerExporter(customerId: string, now = new Date()): Promise<CustomerExport> {
  const conversationIds = await customerConversationIds(customerId);
  const [conversations, messages, examples] = await Promise.all([
    Conversation.find({ _id: { $in: conversationIds } })
      .sort({ createdAt: 1 })
      .lean(),
    Message.find({ conversationId: { $in: conversationIds } })
      .sort({ conversationId: 1, seq: 1 })
      .lean(),
    Example.find(customerExampleFilter(customerId, conversationIds)).sort({ createdAt: 1 }).lean(),
  ]);
  const byConversation = new Map<string, CustomerExport["conversations"][number]["messages"]>();
  for (const m of messages) {
    const key = String(m.conversationId);
    if (!byConversation.has(key)) byConversation.set(key, []);
    byConversation
      .get(key)!
      .push({ id: String(m._id), seq: m.seq, role: m.role, text: m.text, feedback: m.feedback ?? null, createdAt: iso(m.createdAt) });
  }
  return {
    customerId,
    exportedAt: now.toISOString(),
    conversations: conversations.map((c) => ({
      id: String(c._id),
      status: c.status,
      customerName: c.customerName ?? null,
      customerEmail: c.customerEmail ?? null,
      channel: c.channel ?? null,
      createdAt: iso(c.createdAt),
      closedAt: iso(c.closedAt),
      messages: byConversation.get(String(c._id)) ?? [],
    })),
    trainingExamples: examples.map((e) => ({
      id: String(e._id),
      question: e.question,
      previousTurn: e.previousTurn ?? null,
      status: e.status,
      conversationId: e.source?.conversationId ? String(e.source.conversationId) : null,
      createdAt: iso(e.createdAt),
    })),
  };
}
