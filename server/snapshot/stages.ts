import { createHash } from "node:crypto";
import type { ExampleAttrs } from "../models/example.js";
import type { AnswerAttrs } from "../models/answer.js";
import type { TrainerSettings } from "../nightly/settings.js";
import { redactPii } from "./redact.js";
import { normalizeText, textProblem } from "./filters.js";
import { assignSplits, type Split } from "./split.js";
import type { Embedder } from "./embedder.js";

export class InsufficientDataError extends Error {
  constructor(
    message: string,
    readonly report: Record<string, unknown>,
  ) {
    super(message);
    this.name = "InsufficientDataError";
  }
}

// The snapshot as pure stages over rows, in the order snapshotBuilder runs them. None touches the database:
// each takes what the one before produced (and the embedder, for the two that compare meanings), so each is
// tested on rows written by hand (tests/loop/snapshotStages.test.ts).

export type SnapshotSettings = TrainerSettings["snapshot"];

/** An approved example as it is read from the database (a lean Example). */
export type ExampleInput = Pick<
  ExampleAttrs,
  "question" | "previousTurn" | "answerId" | "polarity" | "outOfScope" | "golden" | "mustPass" | "source" | "approvedBy" | "approvedAt"
> & { _id: unknown };
/** The part of an answer that decides whether its examples still teach. */
export type AnswerInput = Pick<AnswerAttrs, "status" | "mergedInto"> & { _id: unknown };

/** Why examples were left out, by reason (the first 100 ids of each). */
export type Removed = Record<string, { count: number; exampleIds: string[] }>;

export function removals() {
  const removed: Removed = {};
  const drop = (reason: string, id: string) => {
    const r = (removed[reason] ??= { count: 0, exampleIds: [] });
    r.count++;
    if (r.exampleIds.length < 100) r.exampleIds.push(id);
  };
  return { removed, drop };
}
type Drop = ReturnType<typeof removals>["drop"];

export interface Row {
  exampleId: string;
  text: string;
  norm: string;
  previousTurn: string | null;
  label: string;
  polarity: "positive" | "negative";
  outOfScope: boolean;
  golden: boolean;
  mustPass: boolean;
  redactions: number;
  lineage: Record<string, unknown>;
}

export interface Conflict {
  similarity: number;
  examples: { exampleId: string; text: string; answerId: string }[];
}

function cosine(a: number[], b: number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Answers that were merged forward keep teaching under their new id; retired ones teach nothing. */
export function answerResolver(answers: AnswerInput[]): (id: string) => string | null {
  const answerStatus = new Map(answers.map((a) => [String(a._id), a]));
  return (id) => {
    for (let hops = 0, cur = id; hops < 10; hops++) {
      const a = answerStatus.get(cur);
      if (!a || a.status === "retired") return null;
      if (a.status === "active") return cur;
      if (!a.mergedInto) return null;
      cur = String(a.mergedInto);
    }
    return null;
  };
}

/** Stage 1: unfit text and retired answers out, PII redacted, each example a row with its lineage. */
export function rowsOf(docs: ExampleInput[], answers: AnswerInput[], settings: SnapshotSettings, drop: Drop): Row[] {
  const resolveAnswer = answerResolver(answers);
  const rows: Row[] = [];
  for (const d of docs) {
    const id = String(d._id);
    const problem = textProblem(d.question, settings);
    if (problem) {
      drop(problem, id);
      continue;
    }
    const label = d.outOfScope ? "" : resolveAnswer(String(d.answerId));
    if (label === null) {
      drop("answer_retired", id);
      continue;
    }
    const q = redactPii(d.question.trim(), settings.redactPatterns);
    const prev = d.previousTurn ? redactPii(d.previousTurn, settings.redactPatterns) : null;
    rows.push({
      exampleId: id,
      text: q.text,
      norm: normalizeText(q.text),
      previousTurn: prev?.text ?? null,
      label,
      polarity: d.polarity === "negative" || d.outOfScope ? "negative" : "positive",
      outOfScope: !!d.outOfScope,
      golden: !!d.golden && !d.outOfScope,
      mustPass: !!d.golden && !!d.mustPass,
      redactions: q.count + (prev?.count ?? 0),
      lineage: {
        sourceKind: d.source?.kind ?? null,
        conversationId: d.source?.conversationId ? String(d.source.conversationId) : null,
        questionMessageId: d.source?.questionMessageId ? String(d.source.questionMessageId) : null,
        replyMessageId: d.source?.replyMessageId ? String(d.source.replyMessageId) : null,
        modelVersion: d.source?.modelVersion ?? null,
        newAnswer: !!d.source?.newAnswer,
        approvedBy: d.approvedBy ? String(d.approvedBy) : null,
        approvedAt: d.approvedAt ?? null,
      },
    });
  }
  return rows;
}

/** Stage 2: exact duplicates (same normalised question, answer and polarity) out, keeping the first approved. */
export function withoutExactDuplicates(pool: Row[], drop: Drop): Row[] {
  const seen = new Set<string>();
  return pool.filter((r) => {
    const key = `${r.outOfScope ? "outOfScope" : r.polarity}\u0000${r.label}\u0000${r.norm}`;
    if (seen.has(key)) {
      drop("exact_duplicate", r.exampleId);
      return false;
    }
    seen.add(key);
    return true;
  });
}

/** Stage 3: golden questions must not leak into training, not even as a rephrasing. Returns the ids to leave out. */
export function goldenOverlap(
  positives: Row[],
  posVec: number[][],
  golden: Row[],
  goldVec: number[][],
  threshold: number,
  drop: Drop,
): Set<string> {
  const goldenNorms = new Set(golden.map((g) => g.norm));
  const out = new Set<string>();
  positives.forEach((r, i) => {
    if (goldenNorms.has(r.norm) || goldVec.some((g) => cosine(posVec[i], g) >= threshold)) {
      drop("golden_overlap", r.exampleId);
      out.add(r.exampleId);
    }
  });
  return out;
}

/**
 * Stage 4: conflicts are near-identical questions approved with different answers. Both sides leave training
 * (the model cannot learn both) and the group is listed for an agent to settle; near duplicates with the same
 * answer keep their first. Adds the ids it leaves out to `out`.
 */
export function conflictsAndNearDuplicates(
  positives: Row[],
  posVec: number[][],
  threshold: number,
  out: Set<string>,
  drop: Drop,
): Conflict[] {
  const parent = positives.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  const groupSim = new Map<number, number>();
  const nearDupOf = new Map<number, number>();
  for (let i = 0; i < positives.length; i++) {
    if (out.has(positives[i].exampleId)) continue;
    for (let j = 0; j < i; j++) {
      if (out.has(positives[j].exampleId)) continue;
      const sim = positives[i].norm === positives[j].norm ? 1 : cosine(posVec[i], posVec[j]);
      if (sim < threshold) continue;
      if (positives[i].label === positives[j].label) {
        if (!nearDupOf.has(i)) nearDupOf.set(i, j);
      } else {
        const a = find(i);
        const b = find(j);
        parent[a] = b;
        groupSim.set(b, Math.min(groupSim.get(b) ?? 1, groupSim.get(a) ?? 1, sim));
      }
    }
  }
  const groups = new Map<number, number[]>();
  positives.forEach((_, i) => {
    const root = find(i);
    if (root !== i || groupSim.has(i)) groups.set(root, [...(groups.get(root) ?? []), i]);
  });
  const conflicts: Conflict[] = [];
  for (const [root, members] of groups) {
    if (members.length < 2) continue;
    conflicts.push({
      similarity: Number((groupSim.get(root) ?? 1).toFixed(4)),
      examples: members.map((i) => ({ exampleId: positives[i].exampleId, text: positives[i].text, answerId: positives[i].label })),
    });
    for (const i of members) {
      out.add(positives[i].exampleId);
      drop("conflict", positives[i].exampleId);
    }
  }
  for (const [i] of nearDupOf) {
    if (out.has(positives[i].exampleId)) continue;
    out.add(positives[i].exampleId);
    drop("near_duplicate", positives[i].exampleId);
  }
  return conflicts;
}

export type SplitRow = Row & { split: Split };

/** Stage 6 (after assignSplits): examples per answer and split, the answers below the minimum, and what to tell the admin. */
export function balanceOf(split: SplitRow[], golden: Row[], conflicts: Conflict[], settings: SnapshotSettings) {
  const perLabel = new Map<string, { train: number; validation: number; heldout: number; negatives: number; golden: number }>();
  const bump = (label: string, k: "train" | "validation" | "heldout" | "negatives" | "golden") => {
    const c = perLabel.get(label) ?? { train: 0, validation: 0, heldout: 0, negatives: 0, golden: 0 };
    c[k]++;
    perLabel.set(label, c);
  };
  for (const r of split) if (!r.outOfScope) bump(r.label, r.polarity === "negative" ? "negatives" : r.split);
  for (const g of golden) bump(g.label, "golden");
  const balance: Record<string, unknown>[] = [...perLabel.entries()]
    .map(([answerId, c]) => ({
      answerId,
      ...c,
      total: c.train + c.validation + c.heldout,
      belowMinimum: c.train + c.validation + c.heldout < settings.minPerAnswer,
    }))
    .sort((a, b) => a.total - b.total || a.answerId.localeCompare(b.answerId));
  const outOfScope = split.filter((r) => r.outOfScope);
  const outOfScopeCounts = { train: 0, validation: 0, heldout: 0 };
  for (const r of outOfScope) outOfScopeCounts[r.split]++;
  // the questions no answer fits, as one row of their own: what the bot learns to hand off
  if (outOfScope.length)
    balance.push({
      answerId: null,
      outOfScope: true,
      ...outOfScopeCounts,
      negatives: 0,
      golden: 0,
      total: outOfScope.length,
      belowMinimum: false,
    });
  const warnings = balance
    .filter((b) => b.belowMinimum && (b.total as number) > 0)
    .map((b) => `answer ${b.answerId} has ${b.total} examples (minimum ${settings.minPerAnswer})`);
  if (conflicts.length) warnings.push(`${conflicts.length} conflicting group(s) excluded; resolve them in the review queue`);
  return { balance, warnings };
}

/** The counts the console and the run log show. */
export function countsOf(approved: number, split: SplitRow[], golden: Row[]) {
  const trainPos = split.filter((r) => r.split === "train" && r.polarity === "positive");
  return {
    approved,
    train: split.filter((r) => r.split === "train").length,
    validation: split.filter((r) => r.split === "validation").length,
    heldout: split.filter((r) => r.split === "heldout").length,
    golden: golden.length,
    negatives: split.filter((r) => r.polarity === "negative" && !r.outOfScope).length,
    outOfScope: split.filter((r) => r.outOfScope).length,
    // questions an agent answered with an answer written for them: they had no answer when they were asked
    novel: split.filter((r) => r.lineage.newAnswer && r.polarity === "positive").length,
    labels: new Set(trainPos.map((r) => r.label)).size,
  };
}

/** The stored examples, in id order, golden ones in a split of their own. */
export function snapshotExamples(split: SplitRow[], golden: Row[]) {
  return [
    ...split.map((r) => ({
      exampleId: r.exampleId,
      text: r.text,
      previousTurn: r.previousTurn,
      label: r.label,
      polarity: r.polarity,
      outOfScope: r.outOfScope,
      split: r.split,
      mustPass: false,
      redactions: r.redactions,
      lineage: r.lineage,
    })),
    ...golden.map((r) => ({
      exampleId: r.exampleId,
      text: r.text,
      previousTurn: r.previousTurn,
      label: r.label,
      polarity: r.polarity,
      outOfScope: false,
      split: "golden" as const,
      mustPass: r.mustPass,
      redactions: r.redactions,
      lineage: r.lineage,
    })),
  ].sort((a, b) => a.exampleId.localeCompare(b.exampleId));
}

/** The snapshot's name: the sha256 of what training sees, so the same content is the same snapshot. */
export function contentHash(settings: SnapshotSettings, examples: ReturnType<typeof snapshotExamples>): string {
  return createHash("sha256")
    .update(
      JSON.stringify({
        settings,
        examples: examples.map((e) => [
          e.exampleId,
          e.text,
          e.previousTurn,
          e.label,
          e.polarity,
          e.split,
          e.mustPass,
          ...(e.outOfScope ? [true] : []),
        ]),
      }),
    )
    .digest("hex");
}

export interface SnapshotPlan {
  hash: string;
  settings: SnapshotSettings;
  examples: ReturnType<typeof snapshotExamples>;
  counts: ReturnType<typeof countsOf>;
  removed: Removed;
  conflicts: Conflict[];
  balance: Record<string, unknown>[];
  warnings: string[];
}

/**
 * Every stage in order, from the approved examples (oldest approval first) and the answers to the snapshot's
 * content: filter unfit text, redact PII, drop exact and near duplicates, set aside conflicting pairs for agents,
 * keep golden examples out of training, split by a stable hash, count, and hash. Throws InsufficientDataError
 * when there is not enough to train on.
 */
export async function planSnapshot(
  docs: ExampleInput[],
  answers: AnswerInput[],
  settings: SnapshotSettings,
  embed: Embedder,
): Promise<SnapshotPlan> {
  const { removed, drop } = removals();
  const rows = rowsOf(docs, answers, settings, drop);
  const golden = rows.filter((r) => r.golden && r.polarity === "positive");
  let pool = withoutExactDuplicates(
    rows.filter((r) => !r.golden),
    drop,
  );
  const positives = pool.filter((r) => r.polarity === "positive");
  const vectors = await embed([...positives.map((r) => r.text), ...golden.map((r) => r.text)]);
  const posVec = vectors.slice(0, positives.length);
  const out = goldenOverlap(positives, posVec, golden, vectors.slice(positives.length), settings.nearDuplicateThreshold, drop);
  const conflicts = conflictsAndNearDuplicates(positives, posVec, settings.nearDuplicateThreshold, out, drop);
  pool = pool.filter((r) => !out.has(r.exampleId));

  const split = assignSplits(pool, settings.heldoutPercent, settings.validationPercent);
  const { balance, warnings } = balanceOf(split, golden, conflicts, settings);
  const counts = countsOf(docs.length, split, golden);
  const trainPos = split.filter((r) => r.split === "train" && r.polarity === "positive");
  const trainLabels = new Set(trainPos.map((r) => r.label));
  if (trainLabels.size < 2 || trainPos.length < settings.minExamples) {
    throw new InsufficientDataError(
      `not enough approved examples to train: ${trainPos.length} training examples over ${trainLabels.size} answer(s); ` +
        `need at least ${settings.minExamples} over 2 answers`,
      { counts, removed, conflicts, balance, warnings },
    );
  }
  const examples = snapshotExamples(split, golden);
  return { hash: contentHash(settings, examples), settings, examples, counts, removed, conflicts, balance, warnings };
}
