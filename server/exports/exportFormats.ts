import { csvCell } from "../imports/csvCells.js";
import type { ExportRow, ExportSet } from "./exportRows.js";

export type ExportFormat = "jsonl" | "openai" | "csv";
export type GoldenChoice = "include" | "exclude" | "only";

/**
 * Plain JSONL: one line per answer with its phrasings (the FAQ import's own format, so an export imports back
 * to the same answers and examples), after a first `_export` line naming what it is and its content hash.
 */
export function toPlainJsonl(set: ExportSet): string {
  const byAnswer = new Map<string, { title: string; answer: string; topic: string | null; questions: Record<string, unknown>[] }>();
  for (const r of set.rows) {
    const a = byAnswer.get(r.answerId) ?? { title: r.title, answer: r.answer, topic: r.topic, questions: [] };
    a.questions.push({
      text: r.question,
      ...(r.previousTurn ? { previousTurn: r.previousTurn } : {}),
      ...(r.polarity === "negative" ? { polarity: "negative" } : {}),
      ...(r.golden ? { golden: true } : {}),
      ...(r.outOfScope ? { outOfScope: true } : {}),
      ...(r.split ? { split: r.split } : {}),
    });
    byAnswer.set(r.answerId, a);
  }
  for (const b of set.answersWithoutExamples) byAnswer.set(b.answerId, { title: b.title, answer: b.answer, topic: b.topic, questions: [] });
  const head = JSON.stringify({
    _export: { kind: set.kind, name: set.name, contentHash: `sha256:${set.hash}`, answers: byAnswer.size, examples: set.rows.length },
  });
  // Questions "not for the bot" have no answer: a line of their own, each question marked.
  const lines = [...byAnswer.values()].map((a) =>
    JSON.stringify(
      a.answer
        ? { title: a.title, answer: a.answer, ...(a.topic ? { topic: a.topic } : {}), questions: a.questions }
        : { questions: a.questions },
    ),
  );
  return `${[head, ...lines].join("\n")}\n`;
}

/**
 * OpenAI chat fine-tuning JSONL: a user turn and the assistant's answer per line (the previous turn, when known,
 * as the assistant message before it). Only what the bot should say: negative and out-of-scope examples are
 * left out, and golden ones (the regression set) only on request, e.g. as a validation file.
 */
export function toOpenAiJsonl(set: ExportSet, golden: GoldenChoice): { body: string; leftOut: number } {
  let leftOut = 0;
  const lines: string[] = [];
  for (const r of set.rows) {
    const wanted = r.polarity === "positive" && !r.outOfScope && (golden === "include" || (golden === "only" ? r.golden : !r.golden));
    if (!wanted) {
      leftOut++;
      continue;
    }
    const messages = [
      ...(r.previousTurn ? [{ role: "assistant", content: r.previousTurn }] : []),
      { role: "user", content: r.question },
      { role: "assistant", content: r.answer },
    ];
    lines.push(JSON.stringify({ messages }));
  }
  return { body: lines.length ? `${lines.join("\n")}\n` : "", leftOut };
}

const CSV_COLUMNS = [
  "answer_id",
  "title",
  "answer",
  "topic",
  "question",
  "previous_turn",
  "polarity",
  "golden",
  "out_of_scope",
  "split",
  "content_hash",
] as const;

/** CSV, one example per row (the FAQ import reads it back); every cell is neutralised against formula injection. */
export function toCsv(set: ExportSet): string {
  const row = (r: Partial<ExportRow>) =>
    [
      r.answerId ?? "",
      r.title ?? "",
      r.answer ?? "",
      r.topic ?? "",
      r.question ?? "",
      r.previousTurn ?? "",
      r.question ? (r.polarity ?? "positive") : "",
      r.golden ? "yes" : "",
      r.outOfScope ? "yes" : "",
      r.split ?? "",
      `sha256:${set.hash}`,
    ]
      .map((c) => csvCell(c))
      .join(",");
  const lines = [CSV_COLUMNS.join(","), ...set.rows.map(row), ...set.answersWithoutExamples.map((b) => row({ ...b }))];
  return `${lines.join("\r\n")}\r\n`;
}
