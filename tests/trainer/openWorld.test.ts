// The out-of-scope signal on real questions: BANKING77 (Casanueva et al. 2020, CC BY 4.0, shipped in bench/data),
// a version that knows 8 intents, asked about 8 intents it has no answer for.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadPredictor, trainModel, verifyArtifact, type TrainExample } from "../../trainer/index.js";
import { readSplit } from "../../bench/lib/banking77.js";
import { BASE_MODEL_DIR } from "./helpers.js";

const KNOWN = [
  "card_arrival",
  "exchange_rate",
  "lost_or_stolen_card",
  "age_limit",
  "top_up_limits",
  "change_pin",
  "cash_withdrawal_charge",
  "pending_transfer",
];
const UNKNOWN = [
  "apple_pay_or_google_pay",
  "country_support",
  "disposable_card_limits",
  "get_physical_card",
  "terminate_account",
  "verify_my_identity",
  "visa_or_mastercard",
  "receiving_money",
];
const rows = readSplit("train");
const take = (intent: string, from: number, n: number): TrainExample[] =>
  rows
    .filter((r) => r.intent === intent)
    .slice(from, from + n)
    .map((r) => ({ text: r.text, label: r.intent }));
const train = KNOWN.flatMap((i) => take(i, 0, 25));
const inScopeTest = KNOWN.flatMap((i) => take(i, 25, 8));
const unknownTest = UNKNOWN.flatMap((i) => take(i, 0, 12));
const share = (xs: boolean[]) => xs.filter(Boolean).length / xs.length;

test("a version hands off most questions it has no answer for, which its softmax alone would have answered", async () => {
  const outDir = join(await mkdtemp(join(tmpdir(), "open-")), "v1");
  const { manifest } = await trainModel({
    examples: train,
    outDir,
    baseModelDir: BASE_MODEL_DIR,
    method: "head",
    seed: 5,
    targetPrecision: 0.9,
  });
  const ow = manifest.openWorld!;
  assert.ok(ow, "the manifest describes the out-of-scope signal");
  assert.equal(ow.inScopeBank, train.length);
  assert.ok(ow.novelExamples > 0 && Object.keys(ow.novelAnsweredByLabel).length === KNOWN.length, "every answer was held out once");
  assert.ok(ow.estimates.outOfScopeAnswered <= 0.05, `out-of-fold estimate ${ow.estimates.outOfScopeAnswered} within the 5 % cap`);
  assert.ok(ow.inScopeThreshold > 0 && ow.inScopeThreshold < 1, `in-scope threshold ${ow.inScopeThreshold}`);
  assert.ok("openworld.safetensors" in (await verifyArtifact(outDir)).files, "the bank is part of the verified artifact");

  const predictor = await loadPredictor(outDir, { baseModelDir: BASE_MODEL_DIR });
  const unknown = await predictor.predictBatch(unknownTest);
  const known = await predictor.predictBatch(inScopeTest);
  predictor.dispose();
  const closedSet = share(unknown.map((p) => p.confident));
  const answered = share(unknown.map((p) => p.answer));
  assert.ok(answered <= 0.2, `answers ${answered} of unknown-intent questions`);
  assert.ok(answered < closedSet, `the in-scope signal stops what confidence alone lets through (${answered} < ${closedSet})`);
  assert.ok(unknown.every((p) => p.answer === (p.confident && p.inScope)));
  assert.ok(
    share(known.map((p) => p.inScope)) > share(unknown.map((p) => p.inScope)) + 0.4,
    "in-scope questions are in scope far more often",
  );
  const knownAnswered = known.filter((p) => p.answer);
  assert.ok(knownAnswered.length / known.length >= 0.3, `still answers ${knownAnswered.length} of ${known.length} in-scope questions`);
});

test('questions marked "not for the bot" teach the version to hand off questions like them', async () => {
  const dir = await mkdtemp(join(tmpdir(), "marks-"));
  const [marked, ...others] = UNKNOWN;
  const marks = take(marked, 0, 12).map((e) => ({ ...e, label: "", outOfScope: true }));
  const probes = take(marked, 12, 12);
  const run = (name: string, examples: TrainExample[]) =>
    trainModel({ examples, outDir: join(dir, name), baseModelDir: BASE_MODEL_DIR, method: "head", seed: 5, targetPrecision: 0.9 });
  await run("plain", train);
  const taught = await run("taught", [...train, ...marks]);
  assert.equal(taught.manifest.openWorld!.outOfScopeBank, marks.length);
  assert.ok(!taught.manifest.labels.includes(""), "a mark is no answer");
  assert.ok(others.length > 0);

  const inScopeOf = async (name: string) => {
    const p = await loadPredictor(join(dir, name), { baseModelDir: BASE_MODEL_DIR });
    const preds = await p.predictBatch(probes);
    p.dispose();
    return {
      inScope: share(preds.map((x) => x.inScope)),
      answered: share(preds.map((x) => x.answer)),
      score: preds.reduce((s, x) => s + x.inScopeScore, 0) / preds.length,
    };
  };
  const before = await inScopeOf("plain");
  const after = await inScopeOf("taught");
  assert.ok(after.score < before.score, `in-scope score of similar questions fell (${before.score} → ${after.score})`);
  assert.ok(after.inScope <= 0.25, `${after.inScope} of the questions like the marked ones still look in scope`);
  assert.ok(after.answered <= before.answered);
});
