import { Message } from "../models/message.js";
import { Example } from "../models/example.js";
import { normalizeText } from "../snapshot/filters.js";

export interface HandedOffQuestion {
  messageId: string;
  conversationId: string;
  text: string;
  at: Date;
}

const HANDOFF_PREFIX = "handoff:";
const MAX_QUESTIONS = 5000;

/**
 * Customer questions the bot handed off in the last `days` that no example covers yet: the hand-off notice names
 * the message that caused it (clientId "handoff:<id>"); a question an agent's reply was approved for, or whose
 * text is already a training phrasing, is covered.
 */
export async function unansweredQuestions(days: number, now = new Date()): Promise<HandedOffQuestion[]> {
  const since = new Date(now.getTime() - days * 86_400_000);
  const notices = await Message.find({ role: "system", handoffReason: { $ne: null }, createdAt: { $gte: since } }, { clientId: 1 })
    .sort({ createdAt: -1 })
    .limit(MAX_QUESTIONS)
    .lean();
  const ids = notices
    .map((n) => n.clientId)
    .filter((c) => c.startsWith(HANDOFF_PREFIX))
    .map((c) => c.slice(HANDOFF_PREFIX.length))
    .filter((id) => /^[0-9a-f]{24}$/.test(id));
  if (!ids.length) return [];
  const [questions, covered] = await Promise.all([
    Message.find({ _id: { $in: ids }, role: "customer" }, { text: 1, conversationId: 1, createdAt: 1 }).lean(),
    Example.find({ status: { $ne: "deleted" } }, { question: 1, "source.questionMessageId": 1 }).lean(),
  ]);
  const coveredIds = new Set(covered.map((e) => (e.source?.questionMessageId ? String(e.source.questionMessageId) : "")).filter(Boolean));
  const coveredTexts = new Set(covered.map((e) => normalizeText(e.question)));
  return questions
    .filter((q) => !coveredIds.has(String(q._id)) && !coveredTexts.has(normalizeText(q.text)))
    .map((q) => ({ messageId: String(q._id), conversationId: String(q.conversationId), text: q.text, at: new Date(q.createdAt as Date) }));
}
