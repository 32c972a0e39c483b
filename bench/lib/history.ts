// A realistic history for bench:serve: months of past conversations and their messages, written in bulk
// through the product's own mongoose models (so with their validation, defaults, indexes and document
// shapes), not through the chat path: 100,000 messages through sockets, the model and the bot's writes
// would take about an hour on a 2-core machine. Each conversation is what the chat leaves behind: a
// customer's questions, the bot's replies (or a hand-off notice and an agent's answer), closed, with
// the summary fields the chat keeps; spread over the past year; two conversations per customer.
import crypto from "node:crypto";
import mongoose, { Types } from "mongoose";
import { Conversation } from "../../server/models/conversation.js";
import { Message } from "../../server/models/message.js";
import { readSplit } from "./banking77.js";
import { rng } from "./args.js";

const YEAR_MS = 365 * 24 * 3600 * 1000;
const BATCH = 500;

export interface HistoryLoad {
  conversations: number;
  messages: number;
  seconds: number;
}

/** Adds conversations (with `messagesEach` messages) until the database holds `targetConversations`. */
export async function loadHistory(uri: string, targetConversations: number, messagesEach: number, seed = 11): Promise<HistoryLoad> {
  const t0 = performance.now();
  const conn = await mongoose.connect(uri);
  try {
    const questions = readSplit("train").map((r) => r.text);
    const rand = rng(seed + targetConversations);
    const have = await Conversation.estimatedDocumentCount();
    let conversations = 0;
    let messages = 0;
    const now = Date.now();
    for (let done = have; done < targetConversations;) {
      const n = Math.min(BATCH, targetConversations - done);
      const convs: Record<string, unknown>[] = [];
      const msgs: Record<string, unknown>[] = [];
      for (let i = 0; i < n; i++) {
        const _id = new Types.ObjectId();
        const customerId = `cus_hist${String(Math.floor((done + i) / 2)).padStart(12, "0")}`;
        const start = now - YEAR_MS * rand() - 3600_000;
        const handoff = rand() < 0.25;
        let at = start;
        let prev: Types.ObjectId | null = null;
        let last = "";
        for (let seq = 1; seq <= messagesEach; seq++) {
          at += 2000 + Math.floor(rand() * 20_000);
          const id: Types.ObjectId = new Types.ObjectId();
          const customerTurn = seq % 2 === 1;
          const text = customerTurn
            ? questions[Math.floor(rand() * questions.length)]!
            : `Here is how that works (answer ${Math.floor(rand() * 77)}).`;
          const role = customerTurn ? "customer" : handoff && seq === 2 ? "system" : handoff ? "agent" : "bot";
          msgs.push({
            _id: id,
            conversationId: _id,
            seq,
            role,
            text: role === "system" ? "Thanks — a person from our team will answer here shortly." : text,
            clientId:
              role === "customer" ? `hist-${crypto.randomUUID()}` : role === "bot" ? `bot:${prev}` : `${role}:${crypto.randomUUID()}`,
            bot:
              role === "bot"
                ? {
                    modelVersion: "v1",
                    answerId: null,
                    confidence: 0.8 + rand() * 0.2,
                    replyId: crypto.randomUUID(),
                    alternatives: [],
                    inReplyTo: prev,
                  }
                : null,
            handoffReason: role === "system" ? "low_confidence" : null,
            createdAt: new Date(at),
            updatedAt: new Date(at),
          });
          if (customerTurn) prev = id;
          last = text;
        }
        convs.push({
          _id,
          customerId,
          status: "closed",
          channel: {
            origin: "https://shop.example",
            pageUrl: "https://shop.example/help",
            userAgent: "Mozilla/5.0 (bench history)",
            language: "en",
          },
          lastSeq: messagesEach,
          lastMessageAt: new Date(at),
          lastMessagePreview: last.slice(0, 140),
          unreadByAgents: 0,
          waitingSince: handoff ? new Date(start + 5000) : null,
          closedAt: new Date(at + 60_000),
          createdAt: new Date(start),
          updatedAt: new Date(at + 60_000),
        });
      }
      // Validated and cast by the models, as the chat's own writes are; timestamps as given (the past).
      await Conversation.insertMany(
        convs.map((c) => new Conversation(c)),
        { ordered: false },
      );
      for (let i = 0; i < msgs.length; i += 2000)
        await Message.insertMany(
          msgs.slice(i, i + 2000).map((m) => new Message(m)),
          { ordered: false },
        );
      done += n;
      conversations += n;
      messages += msgs.length;
    }
    return { conversations, messages, seconds: (performance.now() - t0) / 1000 };
  } finally {
    await conn.disconnect();
  }
}
