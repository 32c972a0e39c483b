// Exports of the reply bank and of dataset snapshots: plain JSONL, OpenAI chat fine-tuning JSONL and CSV, each
// with its content hash; golden/out-of-scope marks; CSV formula injection neutralised; and the round trip
// (export → import into an empty workspace → the same answers and examples).
import { test } from "node:test";
import assert from "node:assert/strict";
import { useTestServerWithLogins } from "../helpers/suite.js";
import type { LoggedInAgent } from "../helpers/agents.js";
import type { TestServer } from "../helpers/server.js";
import { parseCsv } from "../../trainer/index.js";
import { Answer } from "../../server/models/answer.js";
import { Example } from "../../server/models/example.js";
import { DataImport } from "../../server/models/dataImport.js";
import { Snapshot } from "../../server/models/snapshot.js";
import { snapshotBuilder } from "../../server/snapshot/snapshotBuilder.js";
import { encoderEmbedder } from "../../server/snapshot/embedder.js";
import { loadTrainerSettings } from "../../server/nightly/settings.js";

let t: TestServer;
let admin: LoggedInAgent;
let agent: LoggedInAgent;
useTestServerWithLogins((s) => ({ t, admin, agent } = s));

const FAQ = [
  {
    title: "Shipping costs",
    topic: "shipping",
    answer: "Standard shipping is $4.95, free over $40.",
    questions: [
      "how much is shipping",
      "what does delivery cost",
      { text: "is shipping free", golden: true },
      "shipping fee?",
      "postage price",
    ],
  },
  {
    title: "Reset password",
    topic: "account",
    answer: "Use the Forgot password link on the sign-in page.",
    questions: [
      "I forgot my password",
      "can't log in",
      { text: "reset my password", previousTurn: "Hello! How can I help?" },
      "password reset",
      { text: "lost my password", golden: true },
      { text: "delete my account", polarity: "negative" },
    ],
  },
  // Formula injection: cells a spreadsheet would execute.
  {
    title: '=HYPERLINK("http://evil")',
    answer: "=cmd|' /C calc'!A0",
    questions: ["@SUM(1+1)", "+1 call me", "-2 apples", "normal question"],
  },
  { title: "Opening hours", answer: "We answer Monday to Friday, 9 to 6.", questions: [] },
  // "Not for the bot": questions no answer should reply to, with no answer.
  { outOfScope: true, questions: ["what's the weather like", "tell me a joke"] },
]
  .map((l) => JSON.stringify(l))
  .join("\n");

async function importFile(body: string, format: string) {
  const res = await admin
    .post(`/api/imports?format=${format}&mode=approved`)
    .set("content-type", "application/octet-stream")
    .send(Buffer.from(body));
  assert.equal(res.status, 202, JSON.stringify(res.body));
  for (;;) {
    const now = await admin.get(`/api/imports/${res.body.import.id}`).expect(200);
    if (now.body.import.state !== "applying") return assert.equal(now.body.import.state, "applied");
    await new Promise((r) => setTimeout(r, 50));
  }
}
async function emptyWorkspace() {
  await Promise.all([Answer.deleteMany({}), Example.deleteMany({}), DataImport.deleteMany({}), Snapshot.deleteMany({})]);
}
async function workspace() {
  const answers = await Answer.find({ status: "active" }).lean();
  const text = new Map(answers.map((a) => [String(a._id), a.text]));
  const examples = await Example.find({ status: "active" }).lean();
  return {
    answers: answers.map((a) => `${a.title} | ${a.text} | ${a.origin?.topic ?? ""}`).sort(),
    examples: examples
      .map(
        (e) =>
          `${e.answerId ? text.get(String(e.answerId)) : "-"} | ${e.question} | ${e.previousTurn ?? ""} | ${e.polarity} | ${e.golden} | ${e.outOfScope}`,
      )
      .sort(),
  };
}

for (const format of ["jsonl", "csv"] as const) {
  test(`round trip through ${format}: export → import into an empty workspace → the same answers and examples`, async () => {
    await emptyWorkspace();
    await importFile(FAQ, "jsonl");
    const before = await workspace();
    assert.equal(before.answers.length, 4);
    assert.equal(before.examples.length, 17);
    const res = await admin.get(`/api/exports/reply-bank?format=${format}`).expect(200);
    const hash = res.headers["x-content-hash"];
    assert.match(hash, /^sha256:[0-9a-f]{64}$/);
    assert.match(res.headers["content-disposition"], new RegExp(`reply-bank-${hash.slice(7, 19)}\\.${format}`));
    const file = res.text;
    // The same bank exports to the same bytes and hash.
    assert.equal((await admin.get(`/api/exports/reply-bank?format=${format}`).expect(200)).text, file);
    await emptyWorkspace();
    await importFile(file, format);
    assert.deepEqual(await workspace(), before);
  });
}

test("plain JSONL starts with what it is and its content hash; golden and negative phrasings are marked", async () => {
  await emptyWorkspace();
  await importFile(FAQ, "jsonl");
  const res = await admin.get("/api/exports/reply-bank?format=jsonl").expect(200);
  const [head, ...lines] = res.text
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  assert.equal(head._export.kind, "reply-bank");
  assert.equal(head._export.contentHash, res.headers["x-content-hash"]);
  assert.equal(head._export.examples, 17);
  assert.deepEqual(
    lines.find((l) => !l.answer),
    {
      questions: [
        { text: "what's the weather like", outOfScope: true },
        { text: "tell me a joke", outOfScope: true },
      ],
    },
  );
  const reset = lines.find((l) => l.title === "Reset password");
  assert.deepEqual(
    reset.questions.find((q: { text: string }) => q.text === "lost my password"),
    { text: "lost my password", golden: true },
  );
  assert.deepEqual(
    reset.questions.find((q: { text: string }) => q.text === "delete my account"),
    { text: "delete my account", polarity: "negative" },
  );
});

test("CSV export neutralises formulas: no cell starts with = + - @", async () => {
  await emptyWorkspace();
  await importFile(FAQ, "jsonl");
  const res = await admin.get("/api/exports/reply-bank?format=csv").expect(200);
  assert.match(res.headers["content-type"], /^text\/csv/);
  const records = parseCsv(res.text);
  const header = records[0].fields;
  assert.deepEqual(header.slice(0, 5), ["answer_id", "title", "answer", "topic", "question"]);
  const cells = records.slice(1).flatMap((r) => r.fields);
  assert.ok(
    cells.every((c) => !/^[=+\-@\t\r]/.test(c)),
    cells.filter((c) => /^[=+\-@]/.test(c)).join(" "),
  );
  assert.ok(cells.includes("'=cmd|' /C calc'!A0"));
  assert.ok(cells.includes("'@SUM(1+1)"));
  assert.ok(cells.includes("'-2 apples"));
  const golden = records
    .slice(1)
    .filter((r) => r.fields[header.indexOf("golden")] === "yes")
    .map((r) => r.fields[header.indexOf("question")]);
  assert.deepEqual(golden.sort(), ["is shipping free", "lost my password"]);
  assert.ok(records.slice(1).every((r) => r.fields[header.indexOf("content_hash")] === res.headers["x-content-hash"]));
});

test("OpenAI format: one user/assistant pair per line; negatives left out, golden only on request", async () => {
  await emptyWorkspace();
  await importFile(FAQ, "jsonl");
  const train = await admin.get("/api/exports/reply-bank?format=openai").expect(200);
  const lines = train.text
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  assert.equal(lines.length, 12);
  assert.equal(train.headers["x-export-left-out"], "5", "3 golden or negative, 2 not for the bot");
  for (const l of lines) {
    assert.deepEqual(Object.keys(l), ["messages"]);
    assert.equal(l.messages.at(-1).role, "assistant");
    assert.equal(l.messages.at(-2).role, "user");
  }
  const withPrev = lines.find((l) => l.messages.some((m: { content: string }) => m.content === "reset my password"));
  assert.deepEqual(
    withPrev.messages.map((m: { role: string }) => m.role),
    ["assistant", "user", "assistant"],
  );
  const golden = await admin.get("/api/exports/reply-bank?format=openai&golden=only").expect(200);
  assert.deepEqual(
    golden.text
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l).messages[0].content)
      .sort(),
    ["is shipping free", "lost my password"],
  );
  assert.match(golden.headers["content-disposition"], /-openai-golden\.jsonl/);
});

test("a dataset snapshot exports with its own hash and splits, golden examples marked", async () => {
  await emptyWorkspace();
  await importFile(FAQ, "jsonl");
  const settings = await loadTrainerSettings();
  const snap = await snapshotBuilder({
    settings: { ...settings.snapshot, minExamples: 2, minPerAnswer: 1 },
    embed: await encoderEmbedder(t.config.BASE_MODEL_DIR),
  });
  const list = await admin.get("/api/exports/snapshots").expect(200);
  assert.equal(list.body.snapshots[0].hash, snap.hash);
  const csv = await admin.get(`/api/exports/snapshots/${snap.hash}?format=csv`).expect(200);
  assert.equal(csv.headers["x-content-hash"], `sha256:${snap.hash}`);
  const records = parseCsv(csv.text);
  const h = records[0].fields;
  const rows = records.slice(1).map((r) => Object.fromEntries(h.map((k, i) => [k, r.fields[i]])));
  assert.equal(rows.length, snap.examples.length);
  assert.ok(rows.every((r) => ["train", "validation", "heldout", "golden"].includes(r.split)));
  assert.deepEqual(
    rows.filter((r) => r.split === "golden").map((r) => r.golden),
    rows.filter((r) => r.golden === "yes").map(() => "yes"),
  );
  assert.ok(rows.some((r) => r.golden === "yes"));
  const plain = await admin.get(`/api/exports/snapshots/${snap.hash}?format=jsonl`).expect(200);
  assert.equal(JSON.parse(plain.text.split("\n")[0])._export.contentHash, `sha256:${snap.hash}`);
  await admin.get(`/api/exports/snapshots/${"0".repeat(64)}`).expect(404);
});

test("out-of-scope phrasings under an answer are marked too", async () => {
  await emptyWorkspace();
  await importFile(
    JSON.stringify({ answer: "We only sell tea.", questions: ["what's the weather", { text: "tell me a joke", outOfScope: true }] }),
    "jsonl",
  );
  const res = await admin.get("/api/exports/reply-bank?format=jsonl").expect(200);
  const line = JSON.parse(res.text.trim().split("\n")[1]);
  assert.deepEqual(line.questions, [{ text: "what's the weather" }, { text: "tell me a joke", outOfScope: true }]);
  const csv = parseCsv((await admin.get("/api/exports/reply-bank?format=csv").expect(200)).text);
  const col = csv[0].fields.indexOf("out_of_scope");
  assert.deepEqual(
    csv.slice(1).map((r) => r.fields[col]),
    ["", "yes"],
  );
});

test("exports are the admin's", async () => {
  await agent.get("/api/exports/reply-bank").expect(403);
});
