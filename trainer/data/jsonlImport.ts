import type { TrainExample } from '../types.js';
import { DataImportError } from './csvImport.js';

interface ChatMessage { role: string; content: string }

function readMessages(value: unknown, line: number): ChatMessage[] {
  const messages = (value as { messages?: unknown })?.messages;
  if (!Array.isArray(messages)) throw new DataImportError('expected an object with a "messages" array', line);
  return messages.map((m, k) => {
    if (typeof m !== 'object' || m === null || typeof m.role !== 'string' || typeof m.content !== 'string') {
      throw new DataImportError(`messages[${k}] must have string "role" and "content"`, line);
    }
    return { role: m.role, content: m.content };
  });
}

/**
 * OpenAI chat-format JSONL. Each assistant turn preceded by a user turn yields one example:
 * question = that user turn, previous turn = the message before it (if any), label = the assistant reply,
 * so identical replies share a label. An optional top-level "polarity": "negative" marks rejected replies.
 */
export function importJsonl(source: string): TrainExample[] {
  const examples: TrainExample[] = [];
  const lines = source.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const raw = lines[i].trim();
    if (!raw) continue;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (err) {
      throw new DataImportError(`invalid JSON (${(err as Error).message})`, lineNo);
    }
    const messages = readMessages(value, lineNo);
    const polarity = (value as { polarity?: unknown }).polarity ?? 'positive';
    if (polarity !== 'positive' && polarity !== 'negative') {
      throw new DataImportError(`polarity must be "positive" or "negative", got ${JSON.stringify(polarity)}`, lineNo);
    }
    let found = 0;
    for (let k = 1; k < messages.length; k++) {
      const reply = messages[k];
      const question = messages[k - 1];
      if (reply.role !== 'assistant' || question.role !== 'user') continue;
      if (!question.content.trim() || !reply.content.trim()) throw new DataImportError('empty user or assistant content', lineNo);
      const before = k >= 2 ? messages[k - 2] : null;
      const previousTurn = before && before.role !== 'system' && before.content.trim() ? before.content.trim() : null;
      examples.push({ text: question.content.trim(), previousTurn, label: reply.content.trim(), polarity });
      found++;
    }
    if (found === 0) throw new DataImportError('no user message followed by an assistant reply', lineNo);
  }
  if (examples.length === 0) throw new DataImportError('JSONL file has no examples');
  return examples;
}
