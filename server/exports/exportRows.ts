import { createHash } from "node:crypto";
import { Answer } from "../models/answer.js";
import { Example } from "../models/example.js";
import { Snapshot } from "../models/snapshot.js";
import { notFound } from "../errors.js";

/** One exported example with its answer; `split` only for snapshots. */
export interface ExportRow {
  answerId: string;
  title: string;
  answer: string;
  topic: string | null;
  question: string;
  previousTurn: string | null;
  polarity: "positive" | "negative";
  golden: boolean;
  outOfScope: boolean;
  split: string | null;
}

export interface ExportSet {
  kind: "reply-bank" | "snapshot";
  // The snapshot's own content hash, or for the live reply bank the sha256 of what is exported.
  hash: string;
  name: string;
  rows: ExportRow[];
  // Answers with no example still travel (the plain and CSV formats keep them).
  answersWithoutExamples: { answerId: string; title: string; answer: string; topic: string | null }[];
}

const outOfScopeOf = (e: unknown) => (e as { outOfScope?: boolean }).outOfScope === true;

function hashOf(rows: ExportRow[], bare: ExportSet["answersWithoutExamples"]): string {
  return createHash("sha256").update(JSON.stringify({ rows, bare })).digest("hex");
}

/** The live reply bank: active answers and their approved (active) examples. */
export async function replyBankRows(): Promise<ExportSet> {
  const answers = await Answer.find({ status: "active" }).sort({ title: 1, _id: 1 }).lean();
  const byId = new Map(answers.map((a) => [String(a._id), a]));
  const examples = await Example.find({ status: "active" }).sort({ answerId: 1, approvedAt: 1, _id: 1 }).lean();
  const rows: ExportRow[] = [];
  const used = new Set<string>();
  for (const e of examples) {
    if (!e.answerId && outOfScopeOf(e)) {
      // "Not for the bot": a question no answer should reply to travels without one.
      rows.push({
        answerId: "",
        title: "",
        answer: "",
        topic: null,
        question: e.question,
        previousTurn: e.previousTurn ?? null,
        polarity: e.polarity === "negative" ? "negative" : "positive",
        golden: false,
        outOfScope: true,
        split: null,
      });
      continue;
    }
    const a = byId.get(String(e.answerId));
    if (!a) continue;
    used.add(String(a._id));
    rows.push({
      answerId: String(a._id),
      title: a.title,
      answer: a.text,
      topic: a.origin?.topic ?? null,
      question: e.question,
      previousTurn: e.previousTurn ?? null,
      polarity: e.polarity === "negative" ? "negative" : "positive",
      golden: !!e.golden,
      outOfScope: outOfScopeOf(e),
      split: null,
    });
  }
  const bare = answers
    .filter((a) => !used.has(String(a._id)))
    .map((a) => ({ answerId: String(a._id), title: a.title, answer: a.text, topic: a.origin?.topic ?? null }));
  const hash = hashOf(rows, bare);
  return { kind: "reply-bank", hash, name: `reply-bank-${hash.slice(0, 12)}`, rows, answersWithoutExamples: bare };
}

/** A dataset snapshot as it was trained: its (redacted) texts, splits and labels, named by its content hash. */
export async function snapshotRows(hash: string): Promise<ExportSet> {
  const snap = await Snapshot.findOne({ hash }).lean();
  if (!snap) throw notFound("Snapshot");
  const labels = [...new Set(snap.examples.map((e) => e.label).filter(Boolean))] as string[];
  const answers = await Answer.find({ _id: { $in: labels } }, { title: 1, text: 1, origin: 1 }).lean();
  const byId = new Map(answers.map((a) => [String(a._id), a]));
  const rows: ExportRow[] = snap.examples.map((e) => {
    const a = e.label ? byId.get(String(e.label)) : undefined;
    return {
      answerId: e.label ? String(e.label) : "",
      title: a?.title ?? (e.label ? String(e.label) : ""),
      answer: a?.text ?? "",
      topic: a?.origin?.topic ?? null,
      question: e.text ?? "",
      previousTurn: e.previousTurn ?? null,
      polarity: e.polarity === "negative" ? "negative" : "positive",
      golden: e.split === "golden",
      outOfScope: outOfScopeOf(e),
      split: e.split ?? null,
    };
  });
  return { kind: "snapshot", hash: snap.hash, name: `${snap.name}`, rows, answersWithoutExamples: [] };
}
