import fsp from "node:fs/promises";
import mongoose from "mongoose";
import { Conversation } from "../models/conversation.js";
import { Message } from "../models/message.js";
import { notice } from "../conversationLog/notices.js";

interface SampleMessage {
  role: "customer" | "agent" | "system";
  text?: string;
  handoff?: string;
}

/**
 * A few past conversations for the demo, written as the chat would have stored them: the customer's question,
 * the hand-off notice (no model yet), and where an agent answered, the reply waiting in the review queue.
 * Spread over the last days, so "what to answer next" has a trend to show.
 */
export async function seedDemoConversations(file: string, agentId: mongoose.Types.ObjectId | null): Promise<number> {
  const samples = JSON.parse(await fsp.readFile(file, "utf8")) as { customerName: string | null; messages: SampleMessage[] }[];
  let i = 0;
  for (const s of samples) {
    const start = new Date(Date.now() - (samples.length - i) * 7 * 3600_000);
    const conversationId = new mongoose.Types.ObjectId();
    let customerMessageId: mongoose.Types.ObjectId | null = null;
    const docs = s.messages.map((m, k) => {
      const _id = new mongoose.Types.ObjectId();
      const at = new Date(start.getTime() + k * 60_000);
      if (m.role === "customer") customerMessageId = _id;
      const base = { _id, conversationId, seq: k + 1, role: m.role, createdAt: at, updatedAt: at };
      if (m.role === "system")
        return {
          ...base,
          text: notice("handoff", "en"),
          clientId: `handoff:${String(customerMessageId)}`,
          handoffReason: m.handoff ?? "no_model",
        };
      return { ...base, text: m.text!, clientId: `demo:${String(_id)}`, authorId: m.role === "agent" ? agentId : null };
    });
    const last = docs[docs.length - 1];
    const answered = s.messages.some((m) => m.role === "agent");
    await Conversation.create({
      _id: conversationId,
      customerId: `demo-customer-${i}`,
      customerName: s.customerName,
      status: answered ? "closed" : "waiting",
      assignedAgentId: answered ? agentId : null,
      lastSeq: docs.length,
      lastMessageAt: last.createdAt,
      lastMessagePreview: last.text.slice(0, 120),
      waitingSince: answered ? null : last.createdAt,
      closedAt: answered ? last.createdAt : null,
      createdAt: start,
    });
    await Message.insertMany(docs, { timestamps: false } as never);
    i++;
  }
  return samples.length;
}
