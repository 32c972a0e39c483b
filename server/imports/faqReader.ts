import { z } from "zod";
import { parseCsv, DataImportError } from "../../trainer/index.js";
import { IMPORT_LIMITS } from "./limits.js";
import { ImportFileError, type RowProblem } from "./importErrors.js";
import { restoreNeutralisedFormula, truthyCell } from "./csvCells.js";
import type { ColumnMapping, FaqFormat, ImportItem, ImportPhrasing } from "./types.js";

// Header names recognised without a mapping (compared lower-case, spaces/dashes as underscores).
const ANSWER_NAMES = ["answer", "response", "reply", "answer_text"];
const QUESTION_NAMES = ["question", "questions", "phrasing", "phrasings", "utterance", "utterances", "q"];
const TITLE_NAMES = ["title", "name", "answer_title"];
const TOPIC_NAMES = ["topic", "category", "section"];

const headerKey = (h: string) =>
  h
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, "_");

/** A questions cell may hold several phrasings, one per line (or separated by " | "). */
export function splitPhrasings(cell: string): string[] {
  return cell
    .split(/\r?\n| \| /)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The columns a CSV/TSV file has, for the console's column mapping, and what would be picked by default. */
export function csvColumns(text: string, format: "csv" | "tsv"): { columns: string[]; suggested: ColumnMapping; sample: string[][] } {
  const records = parseTable(text, format).slice(0, 6);
  const columns = records[0]?.fields.map((c) => c.trim()) ?? [];
  return { columns, suggested: suggestMapping(columns), sample: records.slice(1).map((r) => r.fields) };
}

function suggestMapping(columns: string[]): ColumnMapping {
  const keys = columns.map(headerKey);
  const pick = (names: string[]) => columns[keys.findIndex((k) => names.includes(k))];
  const questions = columns.filter((_, i) => QUESTION_NAMES.includes(keys[i]) || /^(question|q|phrasing)_?\d+$/.test(keys[i]));
  return { answer: pick(ANSWER_NAMES), questions, title: pick(TITLE_NAMES), topic: pick(TOPIC_NAMES) };
}

function parseTable(text: string, format: "csv" | "tsv") {
  try {
    return parseCsv(text, format === "tsv" ? "\t" : ",");
  } catch (err) {
    if (err instanceof DataImportError) {
      const line = Number(/^line (\d+)/.exec(err.message)?.[1] ?? 0);
      throw new ImportFileError(`The ${format.toUpperCase()} file cannot be read`, [
        { line, message: err.message.replace(/^line \d+: /, "") },
      ]);
    }
    throw err;
  }
}

function rowCountGuard(rows: number) {
  if (rows > IMPORT_LIMITS.maxRows) {
    throw new ImportFileError(
      `The file has ${rows.toLocaleString("en")} rows; the limit is ${IMPORT_LIMITS.maxRows.toLocaleString("en")} per import (split it into several files)`,
    );
  }
}

const titleFrom = (answer: string, firstQuestion: string | undefined) => {
  const base = firstQuestion ?? answer;
  const t = base.replace(/\s+/g, " ").trim();
  return (t.charAt(0).toUpperCase() + t.slice(1)).slice(0, 80);
};

function checkItem(item: ImportItem, problems: RowProblem[]): void {
  const l = IMPORT_LIMITS;
  // Questions marked "not for the bot" (out of scope) need no answer: no answer should reply to them.
  const notForTheBot = item.phrasings.length > 0 && item.phrasings.every((p) => p.outOfScope);
  if (!item.answer.trim() && !notForTheBot)
    problems.push({ line: item.line, message: "the answer is empty (only questions marked out_of_scope may have none)" });
  if (item.answer.length > l.maxAnswerChars)
    problems.push({ line: item.line, message: `the answer is ${item.answer.length} characters; the limit is ${l.maxAnswerChars}` });
  if (item.title.length > l.maxTitleChars)
    problems.push({ line: item.line, message: `the title is ${item.title.length} characters; the limit is ${l.maxTitleChars}` });
  if (item.phrasings.length > l.maxPhrasingsPerRow)
    problems.push({ line: item.line, message: `${item.phrasings.length} phrasings; the limit is ${l.maxPhrasingsPerRow} per row` });
  for (const p of item.phrasings) {
    if (p.text.length > l.maxQuestionChars)
      problems.push({ line: p.line, message: `a question is ${p.text.length} characters; the limit is ${l.maxQuestionChars}` });
  }
}

/** CSV or TSV with a header row: one answer per row with one or many phrasings; rows with the same answer merge later. */
export function readFaqTable(text: string, format: "csv" | "tsv", mapping: ColumnMapping = {}): ImportItem[] {
  const records = parseTable(text, format);
  if (records.length === 0) throw new ImportFileError("The file is empty");
  rowCountGuard(records.length - 1);
  const header = records[0].fields.map((c) => c.trim());
  const chosen = {
    ...suggestMapping(header),
    ...Object.fromEntries(Object.entries(mapping).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0))),
  } as ColumnMapping;
  const col = (name: string | undefined) => (name === undefined ? -1 : header.indexOf(name));
  const answerCol = col(chosen.answer);
  const questionCols = (chosen.questions ?? []).map(col);
  const missing: string[] = [];
  if (answerCol < 0) missing.push(chosen.answer ? `"${chosen.answer}" (answer)` : `an answer column (${ANSWER_NAMES.join(", ")})`);
  if (questionCols.length === 0) missing.push(`a question column (${QUESTION_NAMES.join(", ")})`);
  (chosen.questions ?? []).forEach((q, i) => questionCols[i] < 0 && missing.push(`"${q}" (questions)`));
  for (const [k, v] of [
    ["title", chosen.title],
    ["topic", chosen.topic],
  ] as const)
    if (v && col(v) < 0) missing.push(`"${v}" (${k})`);
  if (missing.length)
    throw new ImportFileError(`Missing column(s): ${missing.join(", ")}; the header is "${header.join(format === "tsv" ? "\\t" : ",")}"`, [
      { line: 1, message: "missing columns" },
    ]);
  const titleCol = col(chosen.title);
  const topicCol = col(chosen.topic);
  const keys = header.map(headerKey);
  const goldenCol = keys.indexOf("golden");
  const outOfScopeCol = keys.indexOf("out_of_scope");
  const polarityCol = keys.indexOf("polarity");
  const previousCol = keys.indexOf("previous_turn");

  const problems: RowProblem[] = [];
  const items: ImportItem[] = [];
  for (const { fields, line } of records.slice(1)) {
    if (fields.length !== header.length) {
      problems.push({ line, message: `expected ${header.length} fields, got ${fields.length}` });
      continue;
    }
    const cell = (i: number) => (i < 0 ? "" : restoreNeutralisedFormula(fields[i]).trim());
    const polarity = cell(polarityCol).toLowerCase() || "positive";
    if (polarity !== "positive" && polarity !== "negative") {
      problems.push({ line, message: `polarity must be "positive" or "negative", got "${cell(polarityCol)}"` });
      continue;
    }
    const phrasings: ImportPhrasing[] = questionCols.flatMap((c) =>
      splitPhrasings(cell(c)).map((q) => ({
        text: q,
        previousTurn: cell(previousCol) || null,
        line,
        golden: truthyCell(fields[goldenCol]),
        outOfScope: truthyCell(fields[outOfScopeCol]),
        polarity: polarity as "positive" | "negative",
      })),
    );
    const answer = cell(answerCol);
    const item = { line, answer, title: cell(titleCol) || titleFrom(answer, phrasings[0]?.text), topic: cell(topicCol) || null, phrasings };
    checkItem(item, problems);
    items.push(item);
  }
  if (problems.length) throw new ImportFileError(`${problems.length} bad row(s); nothing was imported`, problems);
  if (items.length === 0) throw new ImportFileError("The file has a header but no rows");
  return items;
}

const phrasingSchema = z.union([
  z.string(),
  z.object({
    text: z.string(),
    previousTurn: z.string().nullish(),
    golden: z.boolean().optional(),
    outOfScope: z.boolean().optional(),
    polarity: z.enum(["positive", "negative"]).optional(),
  }),
]);
const faqLineSchema = z
  .object({
    answer: z.string().optional(),
    text: z.string().optional(),
    title: z.string().optional(),
    topic: z.string().nullish(),
    questions: z.union([z.string(), z.array(phrasingSchema)]).optional(),
    question: z.string().optional(),
    phrasings: z.array(phrasingSchema).optional(),
    // Every question on the line is "not for the bot".
    outOfScope: z.boolean().optional(),
  })
  .passthrough()
  .refine(
    (v) =>
      (v.answer ?? v.text) !== undefined ||
      v.outOfScope === true ||
      (Array.isArray(v.questions) && v.questions.length > 0 && v.questions.every((q) => typeof q === "object" && q.outOfScope)),
    'needs an "answer" (or "text"), unless its questions are out of scope',
  )
  .refine(
    (v) => v.questions !== undefined || v.question !== undefined || v.phrasings !== undefined,
    'needs "questions" (an array or a string)',
  );

/** JSONL: one object per line, {"answer", "questions": [...], "title"?, "topic"?}; a question may be {text, golden, …}. */
export function readFaqJsonl(text: string): ImportItem[] {
  const lines = text.split(/\r?\n/);
  rowCountGuard(lines.filter((l) => l.trim()).length);
  const problems: RowProblem[] = [];
  const items: ImportItem[] = [];
  lines.forEach((raw, i) => {
    const line = i + 1;
    if (!raw.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (err) {
      problems.push({ line, message: `invalid JSON (${(err as Error).message})` });
      return;
    }
    // An export's first line says what it is (kind, content hash); it holds no answer.
    if (value && typeof value === "object" && "_export" in value) return;
    const parsed = faqLineSchema.safeParse(value);
    if (!parsed.success) {
      problems.push({ line, message: parsed.error.issues.map((x) => `${x.path.join(".") || "line"}: ${x.message}`).join("; ") });
      return;
    }
    const v = parsed.data;
    const list = typeof v.questions === "string" ? splitPhrasings(v.questions) : (v.questions ?? v.phrasings ?? []);
    const all = v.question !== undefined ? [v.question, ...list] : list;
    const phrasings: ImportPhrasing[] = all
      .map((p) => (typeof p === "string" ? { text: p } : p))
      .filter((p) => p.text.trim())
      .map((p) => ({
        text: p.text.trim(),
        previousTurn: ("previousTurn" in p && p.previousTurn?.trim()) || null,
        line,
        golden: ("golden" in p && p.golden) || false,
        outOfScope: v.outOfScope === true || ("outOfScope" in p && p.outOfScope) || false,
        polarity: ("polarity" in p && p.polarity) || "positive",
      }));
    const answer = (v.answer ?? v.text ?? "").trim();
    const item = {
      line,
      answer,
      title: v.title?.trim() || titleFrom(answer, phrasings[0]?.text),
      topic: v.topic?.trim() || null,
      phrasings,
    };
    checkItem(item, problems);
    items.push(item);
  });
  if (problems.length) throw new ImportFileError(`${problems.length} bad line(s); nothing was imported`, problems);
  if (items.length === 0) throw new ImportFileError("The file has no rows");
  return items;
}

export function readFaqFile(text: string, format: FaqFormat, mapping?: ColumnMapping): ImportItem[] {
  return format === "jsonl" ? readFaqJsonl(text) : readFaqTable(text, format, mapping);
}
