import { after, before, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import mongoose from "mongoose";
import { startTestDatabase, clearDatabase, type TestDatabase } from "../helpers/database.js";
import { Answer } from "../../server/models/answer.js";
import { Example } from "../../server/models/example.js";
import { Snapshot } from "../../server/models/snapshot.js";
import { snapshotBuilder, InsufficientDataError } from "../../server/snapshot/snapshotBuilder.js";
import { encoderEmbedder, type Embedder } from "../../server/snapshot/embedder.js";
import { redactPii } from "../../server/snapshot/redact.js";
import { trainerSettingsSchema } from "../../server/nightly/settings.js";

const baseModelDir = path.resolve(import.meta.dirname, "../../.local/models/all-MiniLM-L6-v2");
let db: TestDatabase;
let embed: Embedder;
before(async () => {
  db = await startTestDatabase();
  embed = await encoderEmbedder(baseModelDir);
});
after(async () => {
  await db.stop();
});
beforeEach(async () => {
  await clearDatabase();
});

const baseSettings = trainerSettingsSchema.parse({
  snapshot: {
    nearDuplicateThreshold: 0.9,
    minChars: 3,
    maxChars: 200,
    minPerAnswer: 4,
    minExamples: 4,
    redactPatterns: [{ name: "order", pattern: "ORD-\\d{6}" }],
  },
}).snapshot;
const allTrain = { ...baseSettings, heldoutPercent: 0, validationPercent: 0 };

async function seed() {
  const [card, rate, retired] = await Answer.create([
    { title: "Card delivery", text: "Cards arrive within 5 working days." },
    { title: "Exchange rates", text: "We use the market rate." },
    { title: "Old promo", text: "Gone.", status: "retired" },
  ]);
  const ex = (question: string, answer: typeof card, extra: Record<string, unknown> = {}) => ({
    question,
    answerId: answer._id,
    source: { kind: "manual" },
    ...extra,
  });
  const docs = await Example.create([
    ex("When will my card arrive?", card),
    ex("When will my new card arrive?", card), // near duplicate (cosine ≈ 0.94)
    ex("Where is my card?", card),
    ex("  where is MY card  ", card), // exact duplicate after normalisation
    ex("How long does card delivery take", card),
    ex("My card still has not come in the post", card),
    ex("I want to know the exchange rate", rate),
    ex("I want to know the exchange rate!", card), // conflict: same question, other answer
    ex("What exchange rate do you apply for euros?", rate),
    ex("Mail me at jo@example.com or call +44 20 7946 0958 about card 4111 1111 1111 1111, order ORD-123456", rate),
    ex("Has my card been sent yet?", card, { golden: true, mustPass: true }),
    ex("Has my card been sent yet", card), // a golden question must never be trained on
    ex("ok", card), // too short
    ex("🙂🙂🙂", card), // not text
    ex("x".repeat(250), card), // too long
    ex("Promo code please", retired),
    ex("What exchange rate do you apply for euros?", card, { polarity: "negative" }),
  ]);
  return { card, rate, docs };
}

test("approved examples become a deduplicated, redacted, conflict-free snapshot with golden kept out of training", async () => {
  const { card, rate, docs } = await seed();
  // Splits hash the (random) example ids; with every positive in train the data-size floor cannot flake.
  const snap = await snapshotBuilder({ settings: allTrain, embed });
  const byId = new Map(snap.examples.map((e) => [e.exampleId, e]));
  const idOf = (i: number) => String(docs[i]._id);

  assert.equal(snap.removed.exact_duplicate.count, 1);
  assert.deepEqual(snap.removed.exact_duplicate.exampleIds, [idOf(3)]);
  assert.deepEqual(snap.removed.near_duplicate.exampleIds, [idOf(1)]);
  assert.deepEqual(snap.removed.golden_overlap.exampleIds, [idOf(11)]);
  assert.deepEqual(snap.removed.too_short.exampleIds, [idOf(12)]);
  assert.deepEqual(snap.removed.not_text.exampleIds, [idOf(13)]);
  assert.deepEqual(snap.removed.too_long.exampleIds, [idOf(14)]);
  assert.deepEqual(snap.removed.answer_retired.exampleIds, [idOf(15)]);

  // The conflicting pair is out of training and listed for agents, with both answers.
  assert.equal(snap.conflicts.length, 1);
  const conflict = snap.conflicts[0] as { examples: { exampleId: string; answerId: string }[] };
  assert.deepEqual(conflict.examples.map((e) => e.exampleId).sort(), [idOf(6), idOf(7)].sort());
  assert.deepEqual(conflict.examples.map((e) => e.answerId).sort(), [String(card._id), String(rate._id)].sort());
  assert.ok(!byId.has(idOf(6)) && !byId.has(idOf(7)));

  // PII is gone before anything is trained on.
  const pii = byId.get(idOf(9))!;
  assert.equal(pii.text, "Mail me at [email] or call [phone] about card [card], order [order]");
  assert.equal(pii.redactions, 4);
  assert.ok(!JSON.stringify(snap.examples).includes("jo@example.com"));

  // Golden: present for evaluation only.
  const golden = snap.examples.filter((e) => e.split === "golden");
  assert.deepEqual(
    golden.map((e) => [e.exampleId, e.mustPass]),
    [[idOf(10), true]],
  );
  assert.ok(snap.examples.filter((e) => e.split !== "golden").every((e) => !/sent yet/.test(e.text!)));

  // Negatives always train; lineage is carried per example.
  assert.equal(byId.get(idOf(16))?.polarity, "negative");
  assert.equal(byId.get(idOf(16))?.split, "train");
  assert.equal(byId.get(idOf(0))?.lineage?.sourceKind, "manual");

  // Balance: the exchange-rate answer is below the minimum and says so.
  const rateBalance = (snap.balance as { answerId: string; total: number; belowMinimum: boolean }[]).find(
    (b) => b.answerId === String(rate._id),
  )!;
  assert.equal(rateBalance.belowMinimum, true);
  assert.ok(snap.warnings.some((w) => w.includes(String(rate._id)) && /minimum 4/.test(w)));
  assert.ok(snap.warnings.some((w) => /1 conflicting group/.test(w)));
  assert.match(snap.name, /^snap-[0-9a-f]{12}$/);
  assert.equal(snap.hash.length, 64);
});

test("snapshots are content-addressed and immutable: same content, same document; new content, new hash", async () => {
  const { card } = await seed();
  const a = await snapshotBuilder({ settings: allTrain, embed });
  const b = await snapshotBuilder({ settings: allTrain, embed });
  assert.equal(a.hash, b.hash);
  assert.equal(String(a._id), String(b._id));
  assert.equal(await Snapshot.countDocuments({}), 1);

  await Example.create({ question: "Is there a tracking number for my card delivery?", answerId: card._id, source: { kind: "manual" } });
  const c = await snapshotBuilder({ settings: allTrain, embed });
  assert.notEqual(c.hash, a.hash);
  assert.equal(await Snapshot.countDocuments({}), 2);
  // The first snapshot is untouched by the second build.
  const again = await Snapshot.findById(a._id).lean();
  assert.equal(again?.examples.length, a.examples.length);
});

test("questions marked not for the bot are kept without an answer, held out by their hash, and counted", async () => {
  const { card, rate } = await seed();
  // Splits go by a hash of the (random) example id: with 30 % held out, the seed's few positives alone sometimes left
  // fewer than the minimum to train on. These keep the training split large enough whatever the ids are.
  await Example.create(
    [
      "Can I pay for a currency exchange with my credit card abroad?",
      "How much commission is charged when I swap euros into pounds?",
      "Which foreign currencies does the bank convert for me?",
      "Is my replacement debit card sent by registered mail?",
      "The courier lost the parcel with my bank card inside",
      "Can I collect my new payment card from a branch instead?",
    ].map((question, i) => ({ question, answerId: i < 3 ? rate._id : card._id, source: { kind: "manual" } })),
  );
  const marks = await Example.create(
    Array.from({ length: 30 }, (_, i) => ({
      question: `I want to complain about branch number ${i} and its staff`,
      answerId: null,
      outOfScope: true,
      polarity: "negative",
      source: { kind: "agent_reply" },
    })),
  );
  await Example.create({
    question: "What rate do you give me for dollars today?",
    answerId: rate._id,
    source: { kind: "agent_reply", newAnswer: true },
  });
  const snap = await snapshotBuilder({ settings: { ...baseSettings, heldoutPercent: 30, validationPercent: 0 }, embed });
  const oos = snap.examples.filter((e) => e.outOfScope);
  assert.equal(oos.length, 30, "no mark is lost to the answer-retired filter");
  assert.ok(oos.every((e) => e.label === "" && e.polarity === "negative"));
  assert.ok(oos.some((e) => e.split === "heldout") && oos.some((e) => e.split === "train"), "held out by hash like positives");
  assert.equal(snap.counts.outOfScope, 30);
  assert.equal(snap.counts.negatives, 1, "rejections are counted apart from marks");
  assert.equal(snap.counts.novel, 1);
  const row = snap.balance.find((b) => (b as { outOfScope?: boolean }).outOfScope) as { total: number; heldout: number };
  assert.equal(row.total, 30);
  assert.equal(row.heldout, oos.filter((e) => e.split === "heldout").length);
  assert.equal(new Set(marks.map(String)).size, 30);
});

test("too little data is an InsufficientDataError with the report, and nothing is stored", async () => {
  const a = await Answer.create({ title: "Only one", text: "Hi" });
  await Example.create({ question: "Hello there friend", answerId: a._id, source: { kind: "manual" } });
  await assert.rejects(snapshotBuilder({ settings: baseSettings, embed }), (err: unknown) => {
    assert.ok(err instanceof InsufficientDataError);
    assert.match(err.message, /not enough approved examples to train: 1 training examples over 1 answer/);
    return true;
  });
  assert.equal(await Snapshot.countDocuments({}), 0);
  assert.equal(mongoose.connection.readyState, 1);
});

test("PII redaction leaves ordinary numbers alone", () => {
  assert.equal(redactPii("I topped up 100 pounds on 12/03").text, "I topped up 100 pounds on 12/03");
  assert.equal(redactPii("card 4111-1111-1111-1111 please").text, "card [card] please");
  assert.equal(redactPii("call 555 123 4567").text, "call [phone]");
});
