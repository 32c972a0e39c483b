import { test } from "node:test";
import assert from "node:assert/strict";
import {
  answerResolver,
  balanceOf,
  conflictsAndNearDuplicates,
  contentHash,
  countsOf,
  goldenOverlap,
  InsufficientDataError,
  planSnapshot,
  removals,
  rowsOf,
  snapshotExamples,
  withoutExactDuplicates,
  type ExampleInput,
  type Row,
  type SplitRow,
} from "../../server/snapshot/stages.js";
import { trainerSettingsSchema } from "../../server/nightly/settings.js";

// The snapshot's stages on rows written by hand, without a database or an encoder: vectors are chosen so that
// which pairs are "near" is plain to see (tests/loop/snapshot.test.ts runs the whole builder on real embeddings).
const settings = trainerSettingsSchema.parse({
  snapshot: {
    nearDuplicateThreshold: 0.9,
    minChars: 3,
    maxChars: 200,
    minPerAnswer: 2,
    minExamples: 2,
    heldoutPercent: 0,
    validationPercent: 0,
    redactPatterns: [],
  },
}).snapshot;

const example = (id: string, question: string, answerId: string | null, extra: Partial<ExampleInput> = {}): ExampleInput => ({
  _id: id,
  question,
  previousTurn: null,
  answerId: answerId as never,
  polarity: "positive",
  outOfScope: false,
  golden: false,
  mustPass: false,
  source: { kind: "manual" } as never,
  approvedBy: null,
  approvedAt: new Date(0),
  ...extra,
});
const row = (exampleId: string, text: string, label: string, extra: Partial<Row> = {}): Row => ({
  exampleId,
  text,
  norm: text.toLowerCase(),
  previousTurn: null,
  label,
  polarity: "positive",
  outOfScope: false,
  golden: false,
  mustPass: false,
  redactions: 0,
  lineage: {},
  ...extra,
});
const unit = (angle: number) => [Math.cos(angle), Math.sin(angle)];

test("answers merged forward keep teaching under the answer they went to; retired ones and cycles teach nothing", () => {
  const resolve = answerResolver([
    { _id: "a", status: "active", mergedInto: null },
    { _id: "b", status: "merged", mergedInto: "a" as never },
    { _id: "c", status: "retired", mergedInto: null },
    { _id: "d", status: "merged", mergedInto: "e" as never },
    { _id: "e", status: "merged", mergedInto: "d" as never },
  ]);
  assert.equal(resolve("a"), "a");
  assert.equal(resolve("b"), "a");
  assert.equal(resolve("c"), null);
  assert.equal(resolve("d"), null);
  assert.equal(resolve("missing"), null);
});

test("rowsOf drops unfit text and retired answers by reason, redacts PII and keeps lineage", () => {
  const { removed, drop } = removals();
  const rows = rowsOf(
    [
      example("1", "  Where is my card?  ", "a"),
      example("2", "ok", "a"),
      example("3", "🙂🙂🙂", "a"),
      example("4", "Promo code please", "gone"),
      example("5", "Write to jo@example.com please", "a", { source: { kind: "bot_reply", newAnswer: true } as never }),
      example("6", "Is this legal advice?", null, { outOfScope: true }),
    ],
    [{ _id: "a", status: "active", mergedInto: null }],
    settings,
    drop,
  );
  assert.deepEqual(
    rows.map((r) => r.exampleId),
    ["1", "5", "6"],
  );
  assert.equal(rows[0].text, "Where is my card?");
  assert.ok(!rows[1].text.includes("jo@example.com") && rows[1].redactions === 1);
  assert.equal(rows[1].lineage.newAnswer, true);
  assert.deepEqual([rows[2].label, rows[2].polarity, rows[2].outOfScope], ["", "negative", true]);
  assert.deepEqual(Object.fromEntries(Object.entries(removed).map(([k, v]) => [k, v.exampleIds])), {
    too_short: ["2"],
    not_text: ["3"],
    answer_retired: ["4"],
  });
});

test("exact duplicates keep the first approved; the same words with another polarity or answer are not duplicates", () => {
  const { removed, drop } = removals();
  const kept = withoutExactDuplicates(
    [
      row("1", "where is my card", "a"),
      row("2", "where is my card", "a"),
      row("3", "where is my card", "a", { polarity: "negative" }),
      row("4", "where is my card", "b"),
    ],
    drop,
  );
  assert.deepEqual(
    kept.map((r) => r.exampleId),
    ["1", "3", "4"],
  );
  assert.deepEqual(removed.exact_duplicate.exampleIds, ["2"]);
});

test("a training question near a golden one is left out, so the regression set stays unseen", () => {
  const { removed, drop } = removals();
  const positives = [row("1", "has my card been sent", "a"), row("2", "what rate do you use", "b")];
  const out = goldenOverlap(
    positives,
    [unit(0), unit(1.5)],
    [row("g", "has my card been sent yet", "a", { golden: true })],
    [unit(0.1)],
    0.9,
    drop,
  );
  assert.deepEqual([...out], ["1"]);
  assert.deepEqual(removed.golden_overlap.exampleIds, ["1"]);
});

test("near questions with different answers form one conflict group for agents; with the same answer the later one goes", () => {
  const { removed, drop } = removals();
  const positives = [
    row("1", "exchange rate", "rate"),
    row("2", "exchange rate please", "card"),
    row("3", "card arrival", "card"),
    row("4", "card arrival time", "card"),
  ];
  const out = new Set<string>();
  const conflicts = conflictsAndNearDuplicates(positives, [unit(0), unit(0.2), unit(1.5), unit(1.55)], 0.9, out, drop);
  assert.equal(conflicts.length, 1);
  assert.deepEqual(conflicts[0].examples.map((e) => e.exampleId).sort(), ["1", "2"]);
  assert.equal(conflicts[0].similarity, Number(Math.cos(0.2).toFixed(4)));
  assert.deepEqual([...out].sort(), ["1", "2", "4"]);
  assert.deepEqual(removed.near_duplicate.exampleIds, ["4"]);
});

test("balance counts per answer and split, flags answers below the minimum and says so in the warnings", () => {
  const split: SplitRow[] = [
    { ...row("1", "a1", "a"), split: "train" },
    { ...row("2", "a2", "a"), split: "heldout" },
    { ...row("3", "b1", "b"), split: "train" },
    { ...row("4", "b-not", "b", { polarity: "negative" }), split: "train" },
    { ...row("5", "legal", "", { polarity: "negative", outOfScope: true }), split: "validation" },
  ];
  const golden = [row("g", "a-golden", "a", { golden: true })];
  const { balance, warnings } = balanceOf(split, golden, [{ similarity: 0.95, examples: [] }], settings);
  assert.deepEqual(balance, [
    { answerId: "b", train: 1, validation: 0, heldout: 0, negatives: 1, golden: 0, total: 1, belowMinimum: true },
    { answerId: "a", train: 1, validation: 0, heldout: 1, negatives: 0, golden: 1, total: 2, belowMinimum: false },
    { answerId: null, outOfScope: true, train: 0, validation: 1, heldout: 0, negatives: 0, golden: 0, total: 1, belowMinimum: false },
  ]);
  assert.deepEqual(warnings, ["answer b has 1 examples (minimum 2)", "1 conflicting group(s) excluded; resolve them in the review queue"]);
  assert.deepEqual(countsOf(9, split, golden), {
    approved: 9,
    train: 3,
    validation: 1,
    heldout: 1,
    golden: 1,
    negatives: 1,
    outOfScope: 1,
    novel: 0,
    labels: 2,
  });
});

test("the content hash names what training sees: the same examples give the same hash, any change another", () => {
  const split: SplitRow[] = [
    { ...row("2", "b1", "b"), split: "train" },
    { ...row("1", "a1", "a"), split: "train" },
  ];
  const examples = snapshotExamples(split, [row("g", "a-golden", "a", { golden: true, mustPass: true })]);
  assert.deepEqual(
    examples.map((e) => [e.exampleId, e.split, e.mustPass]),
    [
      ["1", "train", false],
      ["2", "train", false],
      ["g", "golden", true],
    ],
  );
  const again = snapshotExamples([...split].reverse(), [row("g", "a-golden", "a", { golden: true, mustPass: true })]);
  assert.equal(contentHash(settings, examples), contentHash(settings, again));
  assert.notEqual(contentHash(settings, examples), contentHash({ ...settings, minPerAnswer: 3 }, examples));
  assert.notEqual(
    contentHash(settings, examples),
    contentHash(
      settings,
      examples.map((e) => (e.exampleId === "1" ? { ...e, label: "b" } : e)),
    ),
  );
});

test("planSnapshot runs the stages in order and refuses too little data with the report of what it found", async () => {
  const answers = [
    { _id: "a", status: "active" as const, mergedInto: null },
    { _id: "b", status: "active" as const, mergedInto: null },
  ];
  const far = async (texts: string[]) => texts.map((_, i) => unit(i * 0.7));
  const plan = await planSnapshot(
    [example("1", "Where is my card?", "a"), example("2", "What rate do you use?", "b"), example("3", "where is my card", "a")],
    answers,
    settings,
    far,
  );
  assert.deepEqual(
    plan.examples.map((e) => e.exampleId),
    ["1", "2"],
  );
  assert.equal(plan.removed.exact_duplicate.count, 1);
  assert.match(plan.hash, /^[0-9a-f]{64}$/);

  await assert.rejects(planSnapshot([example("1", "Where is my card?", "a")], answers, settings, far), (err: unknown) => {
    assert.ok(err instanceof InsufficientDataError);
    assert.match(err.message, /1 training examples over 1 answer/);
    assert.equal((err.report.counts as { approved: number }).approved, 1);
    return true;
  });
});
