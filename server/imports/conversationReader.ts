import { importJsonl, parseCsv, DataImportError, type BaseFamily } from "../../trainer/index.js";
import type { Embedder } from "../snapshot/embedder.js";
import { COLLAPSE_SIMILARITY } from "../embeddings/similarity.js";
import { normalizeText } from "../snapshot/filters.js";
import { IMPORT_LIMITS } from "./limits.js";
import { ImportFileError, type RowProblem } from "./importErrors.js";
import { restoreNeutralisedFormula } from "./csvCells.js";
import type { ImportItem } from "./types.js";
import type { ItemReader } from "./readImportItems.js";

/** A customer turn and the agent turn that answered it. */
export interface CandidatePair {
  conversationId: string;
  question: string;
  previousTurn: string | null;
  reply: string;
  line: number;
}

const MAX_DISTINCT_REPLIES = 20_000;

/** OpenAI chat fine-tuning JSONL: every user turn followed by an assistant turn is a pair (the model library's reading). */
export function readOpenAiPairs(text: string): CandidatePair[] {
  const problems: RowProblem[] = [];
  const pairs: CandidatePair[] = [];
  const lines = text.split(/\r?\n/);
  if (lines.filter((l) => l.trim()).length > IMPORT_LIMITS.maxRows)
    throw new ImportFileError(
      `The file has more than ${IMPORT_LIMITS.maxRows.toLocaleString("en")} conversations; split it into several files`,
    );
  lines.forEach((raw, i) => {
    if (!raw.trim()) return;
    try {
      for (const e of importJsonl(raw))
        pairs.push({
          conversationId: `line-${i + 1}`,
          question: e.text,
          previousTurn: e.previousTurn ?? null,
          reply: e.label,
          line: i + 1,
        });
    } catch (err) {
      if (!(err instanceof DataImportError)) throw err;
      problems.push({ line: i + 1, message: err.message.replace(/^line \d+: /, "") });
    }
  });
  if (problems.length) throw new ImportFileError(`${problems.length} bad line(s); nothing was imported`, problems);
  if (!pairs.length) throw new ImportFileError("The file has no conversations");
  return pairs;
}

const COLUMN_NAMES = {
  conversation: ["conversation_id", "conversation", "ticket_id", "ticket", "thread_id", "session_id"],
  role: ["role", "author", "sender", "from", "speaker"],
  text: ["text", "message", "body", "content"],
  time: ["time", "timestamp", "created_at", "date", "sent_at"],
};
const CUSTOMER = new Set(["customer", "user", "client", "visitor", "end-user", "enduser", "requester"]);
const AGENT = new Set(["agent", "assistant", "support", "staff", "operator", "human", "admin"]);

/** CSV transcripts, one message per row: conversation id, role, text, time (sorted by time within a conversation). */
export function readTranscriptPairs(text: string): CandidatePair[] {
  let records;
  try {
    records = parseCsv(text, ",");
  } catch (err) {
    if (!(err instanceof DataImportError)) throw err;
    throw new ImportFileError("The CSV file cannot be read", [
      { line: Number(/^line (\d+)/.exec(err.message)?.[1] ?? 0), message: err.message.replace(/^line \d+: /, "") },
    ]);
  }
  if (records.length < 2) throw new ImportFileError("The file has no messages");
  if (records.length - 1 > IMPORT_LIMITS.maxRows * 10)
    throw new ImportFileError(
      `The file has more than ${(IMPORT_LIMITS.maxRows * 10).toLocaleString("en")} messages; split it into several files`,
    );
  const header = records[0].fields.map((h) =>
    h
      .trim()
      .toLowerCase()
      .replace(/[\s-]+/g, "_"),
  );
  const col = Object.fromEntries(
    Object.entries(COLUMN_NAMES).map(([k, names]) => [k, header.findIndex((h) => names.includes(h))]),
  ) as Record<keyof typeof COLUMN_NAMES, number>;
  const missing = (["conversation", "role", "text"] as const).filter((k) => col[k] < 0);
  if (missing.length)
    throw new ImportFileError(
      `Missing column(s): ${missing.map((k) => `${k} (${COLUMN_NAMES[k].join(", ")})`).join("; ")}; the header is "${records[0].fields.join(",")}"`,
      [{ line: 1, message: "missing columns" }],
    );

  const problems: RowProblem[] = [];
  const byConversation = new Map<string, { role: "customer" | "agent"; text: string; time: number; line: number }[]>();
  for (const { fields, line } of records.slice(1)) {
    if (fields.length !== header.length) {
      problems.push({ line, message: `expected ${header.length} fields, got ${fields.length}` });
      continue;
    }
    const role = fields[col.role].trim().toLowerCase();
    const body = restoreNeutralisedFormula(fields[col.text]).trim();
    const id = fields[col.conversation].trim();
    if (!id) problems.push({ line, message: "empty conversation id" });
    const time = col.time >= 0 && fields[col.time].trim() ? Date.parse(fields[col.time].trim()) : NaN;
    if (col.time >= 0 && fields[col.time].trim() && Number.isNaN(time))
      problems.push({ line, message: `unreadable time "${fields[col.time].trim()}"` });
    if (!CUSTOMER.has(role) && !AGENT.has(role)) continue; // bots, system notes, internal remarks
    if (!body || !id) continue;
    const list = byConversation.get(id) ?? [];
    list.push({ role: CUSTOMER.has(role) ? "customer" : "agent", text: body, time: Number.isNaN(time) ? list.length : time, line });
    byConversation.set(id, list);
  }
  if (problems.length) throw new ImportFileError(`${problems.length} bad row(s); nothing was imported`, problems);

  const pairs: CandidatePair[] = [];
  for (const [conversationId, messages] of byConversation) {
    messages.sort((a, b) => a.time - b.time || a.line - b.line);
    // Consecutive messages from one side are one turn.
    const turns: { role: string; text: string; line: number }[] = [];
    for (const m of messages) {
      const last = turns[turns.length - 1];
      if (last && last.role === m.role) last.text += `\n${m.text}`;
      else turns.push({ role: m.role, text: m.text, line: m.line });
    }
    for (let k = 0; k + 1 < turns.length; k++) {
      if (turns[k].role !== "customer" || turns[k + 1].role !== "agent") continue;
      pairs.push({
        conversationId,
        question: turns[k].text,
        previousTurn: k > 0 ? turns[k - 1].text : null,
        reply: turns[k + 1].text,
        line: turns[k].line,
      });
    }
  }
  if (!pairs.length) throw new ImportFileError("No customer message is followed by an agent reply");
  return pairs;
}

const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0);

/**
 * Agent replies that say the same thing become one answer: identical ones (after normalising case and spacing)
 * always, near-identical ones when their embeddings are at least `similarity` apart (cosine). The most frequent
 * wording of each group is its answer text; every wording and its similarity is listed for the admin to confirm.
 */
export async function collapseReplies(pairs: CandidatePair[], embed: Embedder | null, similarity: number): Promise<ImportItem[]> {
  const distinct = new Map<string, { text: string; count: number; pairs: CandidatePair[] }>();
  for (const p of pairs) {
    const key = normalizeText(p.reply);
    const d = distinct.get(key) ?? { text: p.reply, count: 0, pairs: [] };
    d.count++;
    d.pairs.push(p);
    distinct.set(key, d);
  }
  const replies = [...distinct.values()].sort((a, b) => b.count - a.count || a.pairs[0].line - b.pairs[0].line);
  if (replies.length > MAX_DISTINCT_REPLIES)
    throw new ImportFileError(
      `The file has ${replies.length.toLocaleString("en")} different agent replies; the limit is ${MAX_DISTINCT_REPLIES.toLocaleString("en")} per import`,
    );
  const vectors = embed && similarity < 1 ? await embed(replies.map((r) => r.text)) : null;
  const groups: { lead: number; members: { index: number; similarity: number }[] }[] = [];
  replies.forEach((_, i) => {
    if (vectors) {
      let best: (typeof groups)[number] | null = null;
      let bestSim = -1;
      for (const g of groups) {
        const sim = dot(vectors[i], vectors[g.lead]);
        if (sim > bestSim) [best, bestSim] = [g, sim];
      }
      if (best && bestSim >= similarity) return void best.members.push({ index: i, similarity: bestSim });
    }
    groups.push({ lead: i, members: [{ index: i, similarity: 1 }] });
  });
  return groups.map((g) => {
    const lead = replies[g.lead];
    const all = g.members.flatMap((m) => replies[m.index].pairs).sort((a, b) => a.line - b.line);
    const first = all[0];
    return {
      line: first.line,
      title: titleOf(first.question),
      answer: lead.text,
      topic: null,
      phrasings: all.map((p) => ({
        text: p.question,
        previousTurn: p.previousTurn,
        line: p.line,
        golden: false,
        outOfScope: false,
        polarity: "positive" as const,
      })),
      variants: g.members.map((m) => ({
        text: replies[m.index].text,
        count: replies[m.index].count,
        similarity: Number(m.similarity.toFixed(3)),
      })),
    };
  });
}

const titleOf = (q: string) => {
  const t = q.replace(/\s+/g, " ").trim();
  return (t.charAt(0).toUpperCase() + t.slice(1)).slice(0, 80);
};

/** An embedder and the base family its vectors are in, which sets the default collapse similarity. */
export interface FamilyEmbedder {
  family: BaseFamily;
  embed: Embedder;
}

/**
 * The reader of past conversations for readImportItems. `embedder` is asked at each read that embeds (not for
 * `similarity` 1), so the workspace's base family at that time decides both the vectors and the default threshold.
 */
export function conversationItemReader(embedder: () => Promise<FamilyEmbedder>): ItemReader {
  return async (text, source) => {
    const read = source.format === "openai" ? readOpenAiPairs(text) : readTranscriptPairs(text);
    // A long customer message or reply is a conversation, not a question and its answer: left out, and said so.
    const pairs = read.filter((p) => p.question.length <= IMPORT_LIMITS.maxQuestionChars && p.reply.length <= IMPORT_LIMITS.maxAnswerChars);
    const notes =
      pairs.length < read.length
        ? [
            `${read.length - pairs.length} pair(s) left out: the customer message is over ${IMPORT_LIMITS.maxQuestionChars} or the reply over ${IMPORT_LIMITS.maxAnswerChars} characters`,
          ]
        : [];
    notes.push(`${read.length} customer/agent pairs read from ${new Set(read.map((p) => p.conversationId)).size} conversation(s)`);
    if (source.similarity !== undefined && source.similarity >= 1) return { items: await collapseReplies(pairs, null, 1), notes };
    const { family, embed } = await embedder();
    const similarity = source.similarity ?? COLLAPSE_SIMILARITY[family];
    if (source.similarity === undefined)
      notes.push(`near-identical replies collapsed at similarity ${similarity} (the ${family} base model's default)`);
    return { items: await collapseReplies(pairs, embed, similarity), notes };
  };
}
