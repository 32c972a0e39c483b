import type { Types } from "mongoose";
import { Answer } from "../models/answer.js";
import { Example } from "../models/example.js";
import { DataImport } from "../models/dataImport.js";
import { normalizeText } from "../snapshot/filters.js";
import { redactPii, type RedactPattern } from "../snapshot/redact.js";
import type { ImportItem } from "./types.js";

export interface PlannedAnswer {
  key: string;
  title: string;
  text: string;
  topic: string | null;
  line: number;
  // Set when the answer already exists in the reply bank: phrasings are added to it.
  existingId: Types.ObjectId | null;
  variants?: ImportItem["variants"];
  // The questions "not for the bot": examples with no answer, never an answer of their own.
  notForTheBot?: boolean;
}

const NOT_FOR_THE_BOT = "not-for-the-bot";

export interface PlannedExample {
  answerKey: string;
  question: string;
  previousTurn: string | null;
  golden: boolean;
  outOfScope: boolean;
  polarity: "positive" | "negative";
  line: number;
  redactions: number;
}

export interface ImportPlan {
  answers: PlannedAnswer[];
  examples: PlannedExample[];
  report: ImportReport;
}

export interface ImportReport {
  rowsRead: number;
  answers: { inFile: number; created: number; mergedIntoExisting: number; rowsMergedInFile: number; withoutPhrasings: number };
  examples: {
    inFile: number;
    created: number;
    duplicates: number;
    alreadyPresent: number;
    nearDuplicates: number;
    golden: number;
    outOfScope: number;
    negatives: number;
  };
  conflicts: { question: string; lines: number[]; answers: { title: string; existing: boolean }[] }[];
  nearDuplicates: { line: number; question: string; similarTo: string; similarity: number }[];
  personalData: {
    found: number;
    byKind: Record<string, number>;
    samples: { line: number; before: string; after: string }[];
    inAnswers: { line: number; kinds: string[] }[];
  };
  perAnswer: {
    title: string;
    line: number;
    existing: number;
    added: number;
    total: number;
    belowMinimum: boolean;
    variants?: ImportItem["variants"];
  }[];
  balance: { answers: number; minPerAnswer: number; belowMinimum: number; smallest: number; median: number; largest: number };
  previousImports: { id: string; state: string; at: string }[];
  nothingToImport: boolean;
  warnings: string[];
}

const words = (s: string) => new Set(s.split(/[^\p{L}\p{N}]+/u).filter(Boolean));
function jaccard(a: Set<string>, b: Set<string>): number {
  let inter = 0;
  for (const w of a) if (b.has(w)) inter++;
  return inter / (a.size + b.size - inter || 1);
}
// Same words, different punctuation/order/one extra word: reported, still imported (the snapshot keeps one).
const NEAR_DUPLICATE_JACCARD = 0.8;

/**
 * Turns what a file holds into what an import would write, against what the reply bank already has. Read-only:
 * the dry run shows exactly this report, and applying recomputes the same plan from the same bytes.
 */
export async function importPlanner(input: {
  items: ImportItem[];
  fileSha256: string;
  redactPatterns: RedactPattern[];
  minPerAnswer: number;
  /** Conversations: agent replies are customer-facing text that may name the customer; FAQ answers are the shop's own. */
  redactAnswers: boolean;
}): Promise<ImportPlan> {
  const { items } = input;
  const existingAnswers = await Answer.find({ status: "active" }, { title: 1, text: 1 }).lean();
  const answerByNorm = new Map(existingAnswers.map((a) => [normalizeText(a.text), a]));
  const existingTitle = new Map(existingAnswers.map((a) => [String(a._id), a.title]));

  const personal: ImportReport["personalData"] = { found: 0, byKind: {}, samples: [], inAnswers: [] };
  const notePii = (line: number, before: string, r: ReturnType<typeof redactPii>) => {
    if (!r.count) return;
    personal.found += r.count;
    for (const k of r.kinds) personal.byKind[k] = (personal.byKind[k] ?? 0) + 1;
    if (personal.samples.length < 20) personal.samples.push({ line, before, after: r.text });
  };

  // Rows with the same answer text are one answer; the first row names it.
  const answers = new Map<string, PlannedAnswer>();
  const phrasingsByKey = new Map<string, ImportItem["phrasings"]>();
  let rowsMergedInFile = 0;
  for (const item of items) {
    if (!item.answer.trim()) {
      // The readers let an empty answer through only when every question is marked out of scope.
      const bucket = answers.get(NOT_FOR_THE_BOT);
      if (bucket) phrasingsByKey.get(NOT_FOR_THE_BOT)!.push(...item.phrasings);
      else {
        answers.set(NOT_FOR_THE_BOT, {
          key: NOT_FOR_THE_BOT,
          title: "(not for the bot)",
          text: "",
          topic: null,
          line: item.line,
          existingId: null,
          notForTheBot: true,
        });
        phrasingsByKey.set(NOT_FOR_THE_BOT, [...item.phrasings]);
      }
      continue;
    }
    let text = item.answer.trim();
    const answerPii = redactPii(text, input.redactPatterns);
    if (answerPii.count) {
      if (input.redactAnswers) {
        notePii(item.line, text, answerPii);
        text = answerPii.text;
      } else personal.inAnswers.push({ line: item.line, kinds: answerPii.kinds });
    }
    const norm = normalizeText(text);
    const key = `a:${norm}`;
    const known = answers.get(key);
    if (known) {
      rowsMergedInFile++;
      phrasingsByKey.get(key)!.push(...item.phrasings);
      continue;
    }
    // Collapsed agent replies: the group joins an existing answer if any of its wordings is that answer.
    const existing = answerByNorm.get(norm) ?? item.variants?.map((v) => answerByNorm.get(normalizeText(v.text))).find(Boolean);
    answers.set(key, {
      key,
      title: existing?.title ?? item.title,
      text: existing?.text ?? text,
      topic: item.topic,
      line: item.line,
      existingId: existing?._id ?? null,
      variants: item.variants,
    });
    phrasingsByKey.set(key, [...item.phrasings]);
  }

  const existingIds = new Set([...answers.values()].filter((a) => a.existingId).map((a) => String(a.existingId)));
  const existingExamples = await Example.find({ status: { $ne: "deleted" } }, { question: 1, answerId: 1, polarity: 1 }).lean();
  const present = new Set<string>();
  // Normalised positive question → the answers it already maps to (existing answer ids or planned keys).
  const questionOwners = new Map<string, Map<string, { title: string; existing: boolean; lines: number[] }>>();
  const own = (norm: string, owner: string, title: string, existing: boolean, line?: number) => {
    const m = questionOwners.get(norm) ?? new Map();
    const o = m.get(owner) ?? { title, existing, lines: [] };
    if (line !== undefined) o.lines.push(line);
    m.set(owner, o);
    questionOwners.set(norm, m);
  };
  for (const e of existingExamples) {
    const norm = normalizeText(e.question);
    if (!e.answerId) {
      present.add(`${NOT_FOR_THE_BOT}\u0000${e.polarity}\u0000${norm}`);
      own(norm, NOT_FOR_THE_BOT, "(not for the bot)", true);
      continue;
    }
    const id = String(e.answerId);
    if (existingIds.has(id)) present.add(`${id}\u0000${e.polarity}\u0000${norm}`);
    if (e.polarity === "positive" && existingTitle.has(id)) own(norm, id, existingTitle.get(id)!, true);
  }

  const report: ImportReport = {
    rowsRead: items.length,
    answers: {
      inFile: answers.size - (answers.has(NOT_FOR_THE_BOT) ? 1 : 0),
      created: 0,
      mergedIntoExisting: 0,
      rowsMergedInFile,
      withoutPhrasings: 0,
    },
    examples: { inFile: 0, created: 0, duplicates: 0, alreadyPresent: 0, nearDuplicates: 0, golden: 0, outOfScope: 0, negatives: 0 },
    conflicts: [],
    nearDuplicates: [],
    personalData: personal,
    perAnswer: [],
    balance: { answers: 0, minPerAnswer: input.minPerAnswer, belowMinimum: 0, smallest: 0, median: 0, largest: 0 },
    previousImports: [],
    nothingToImport: false,
    warnings: [],
  };
  const examples: PlannedExample[] = [];
  const existingCount = new Map<string, number>();
  for (const e of existingExamples)
    if (e.polarity === "positive") existingCount.set(String(e.answerId), (existingCount.get(String(e.answerId)) ?? 0) + 1);

  for (const a of answers.values()) {
    const owner = a.existingId ? String(a.existingId) : a.key;
    const seen = new Set<string>();
    const kept: { words: Set<string>; text: string }[] = [];
    let added = 0;
    for (const p of phrasingsByKey.get(a.key)!) {
      report.examples.inFile++;
      const q = redactPii(p.text, input.redactPatterns);
      notePii(p.line, p.text, q);
      const prev = p.previousTurn ? redactPii(p.previousTurn, input.redactPatterns) : null;
      if (prev) notePii(p.line, p.previousTurn!, prev);
      const norm = normalizeText(q.text);
      const dupKey = `${p.polarity}\u0000${norm}`;
      if (seen.has(dupKey)) {
        report.examples.duplicates++;
        continue;
      }
      seen.add(dupKey);
      if ((a.existingId || a.notForTheBot) && present.has(`${owner}\u0000${dupKey}`)) {
        report.examples.alreadyPresent++;
        continue;
      }
      if (p.polarity === "positive") {
        own(norm, owner, a.title, !!a.existingId, p.line);
        const w = words(norm);
        const near = kept.find((k) => jaccard(k.words, w) >= NEAR_DUPLICATE_JACCARD);
        if (near) {
          report.examples.nearDuplicates++;
          if (report.nearDuplicates.length < 50)
            report.nearDuplicates.push({
              line: p.line,
              question: q.text,
              similarTo: near.text,
              similarity: Number(jaccard(near.words, w).toFixed(2)),
            });
        }
        kept.push({ words: w, text: q.text });
      }
      examples.push({
        answerKey: a.key,
        question: q.text,
        previousTurn: prev?.text ?? null,
        golden: p.golden,
        outOfScope: p.outOfScope,
        polarity: p.polarity,
        line: p.line,
        redactions: q.count + (prev?.count ?? 0),
      });
      added++;
      if (p.golden) report.examples.golden++;
      if (p.outOfScope) report.examples.outOfScope++;
      if (p.polarity === "negative") report.examples.negatives++;
    }
    if (a.notForTheBot) continue;
    const existing = a.existingId ? (existingCount.get(owner) ?? 0) : 0;
    report.perAnswer.push({
      title: a.title,
      line: a.line,
      existing,
      added,
      total: existing + added,
      belowMinimum: existing + added < input.minPerAnswer,
      ...(a.variants ? { variants: a.variants } : {}),
    });
    if (a.existingId) report.answers.mergedIntoExisting++;
    else report.answers.created++;
    if (existing + added === 0) report.answers.withoutPhrasings++;
  }
  report.examples.created = examples.length;

  for (const [question, owners] of questionOwners) {
    if (owners.size < 2 || ![...owners.values()].some((o) => o.lines.length)) continue;
    if (report.conflicts.length < 100) {
      report.conflicts.push({
        question,
        lines: [...owners.values()].flatMap((o) => o.lines),
        answers: [...owners.values()].map((o) => ({ title: o.title, existing: o.existing })),
      });
    }
  }
  const totals = report.perAnswer.map((p) => p.total).sort((x, y) => x - y);
  report.balance = {
    answers: totals.length,
    minPerAnswer: input.minPerAnswer,
    belowMinimum: report.perAnswer.filter((p) => p.belowMinimum).length,
    smallest: totals[0] ?? 0,
    median: totals[Math.floor(totals.length / 2)] ?? 0,
    largest: totals[totals.length - 1] ?? 0,
  };
  report.perAnswer.sort((x, y) => x.total - y.total || x.line - y.line);
  report.perAnswer = report.perAnswer.slice(0, 500);

  const previous = await DataImport.find({ fileSha256: input.fileSha256 }).sort({ createdAt: -1 }).limit(10).lean();
  report.previousImports = previous.map((p) => ({ id: String(p._id), state: p.state, at: new Date(p.createdAt as Date).toISOString() }));
  report.nothingToImport = report.answers.created === 0 && examples.length === 0;
  if (report.nothingToImport) report.warnings.push("Nothing new: every answer and phrasing in this file is already in the reply bank");
  if (report.conflicts.length)
    report.warnings.push(
      `${report.conflicts.length} question(s) map to different answers; the nightly snapshot leaves them out of training until an agent settles them`,
    );
  if (report.balance.belowMinimum)
    report.warnings.push(
      `${report.balance.belowMinimum} answer(s) will have fewer than ${input.minPerAnswer} phrasings; the model learns them poorly`,
    );
  if (personal.inAnswers.length)
    report.warnings.push(
      `${personal.inAnswers.length} answer(s) contain an email address or number; check they are the shop's own, not a customer's`,
    );
  return { answers: [...answers.values()], examples, report };
}
