// FAQ imports over the REST API against a real server and database: each format, the dry run's report,
// lineage, idempotency, all-or-nothing on bad rows, encodings, limits, review mode and undo.
import { beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { useTestServerWithLogins } from "../helpers/suite.js";
import type { LoggedInAgent } from "../helpers/agents.js";
import { Answer } from "../../server/models/answer.js";
import { Example } from "../../server/models/example.js";
import { DataImport } from "../../server/models/dataImport.js";

let admin: LoggedInAgent;
let agent: LoggedInAgent;
useTestServerWithLogins((s) => ({ admin, agent } = s));
beforeEach(async () => {
  await Promise.all([Answer.deleteMany({}), Example.deleteMany({}), DataImport.deleteMany({})]);
});

const CSV = [
  "topic,title,answer,questions",
  'shipping,Shipping costs,"Standard shipping is $4.95, free over $40.","how much is shipping\nwhat does delivery cost\nis shipping free"',
  'account,Reset password,Use the Forgot password link.,"I forgot my password | can\'t log in"',
  // Same answer text again: merges into the first row's answer.
  'shipping,,"Standard shipping is $4.95, free over $40.",how much is shipping?',
  "account,Email,Write to us at help@shop.example.,my email is ann@example.com and I need help",
].join("\n");

function dryRun(body: string | Buffer, query: string, as = admin) {
  return as.post(`/api/imports/dry-run?${query}`).set("content-type", "application/octet-stream").send(Buffer.from(body));
}
async function apply(body: string | Buffer, query: string) {
  const res = await admin.post(`/api/imports?${query}`).set("content-type", "application/octet-stream").send(Buffer.from(body));
  if (res.status !== 202) return res;
  for (;;) {
    const now = await admin.get(`/api/imports/${res.body.import.id}`).expect(200);
    if (now.body.import.state !== "applying") return Object.assign(res, { final: now.body.import });
    await new Promise((r) => setTimeout(r, 50));
  }
}

test("CSV dry run reports answers, merges, duplicates, personal data and per-answer counts, and writes nothing", async () => {
  const res = await dryRun(CSV, "format=csv&fileName=faq.csv").expect(200);
  const r = res.body.report;
  assert.equal(res.body.file.sha256, createHash("sha256").update(CSV).digest("hex"));
  assert.equal(r.rowsRead, 4);
  assert.equal(r.answers.created, 3);
  assert.equal(r.answers.rowsMergedInFile, 1);
  assert.equal(r.examples.inFile, 7);
  assert.equal(r.examples.duplicates, 1, "'how much is shipping?' equals 'how much is shipping' once normalised");
  assert.equal(r.examples.created, 6);
  assert.equal(r.personalData.found, 1);
  assert.deepEqual(r.personalData.byKind, { email: 1 });
  assert.equal(r.personalData.samples[0].after, "my email is [email] and I need help");
  assert.equal(r.personalData.inAnswers.length, 1, "the shop's own address in an answer is flagged, not redacted");
  assert.equal(r.perAnswer.length, 3);
  assert.ok(r.perAnswer.every((p: { belowMinimum: boolean }) => p.belowMinimum));
  assert.equal(await Answer.countDocuments(), 0);
  assert.equal(await Example.countDocuments(), 0);
});

test("apply writes answers and phrasings with lineage (import id, file sha256, line); the same file again creates nothing", async () => {
  const res = await apply(CSV, "format=csv&fileName=faq.csv&mode=approved");
  assert.equal(res.status, 202);
  assert.equal((res as { final?: { state: string } }).final?.state, "applied");
  const sha = createHash("sha256").update(CSV).digest("hex");
  const answers = await Answer.find({}).lean();
  assert.equal(answers.length, 3);
  const shipping = answers.find((a) => a.title === "Shipping costs")!;
  assert.equal(shipping.origin?.fileSha256, sha);
  assert.equal(shipping.origin?.line, 2);
  assert.equal(shipping.origin?.topic, "shipping");
  const examples = await Example.find({ answerId: shipping._id }).lean();
  assert.deepEqual(examples.map((e) => e.question).sort(), ["how much is shipping", "is shipping free", "what does delivery cost"]);
  assert.ok(
    examples.every(
      (e) =>
        e.status === "active" &&
        e.source?.kind === "import" &&
        e.source.fileSha256 === sha &&
        e.source.line === 2 &&
        String(e.source.importId) === res.body.import.id,
    ),
  );
  const redacted = await Example.findOne({ question: /\[email\]/ }).lean();
  // Physical lines: the first row's questions cell spans three.
  assert.equal(redacted?.source?.line, 7);

  const again = await dryRun(CSV, "format=csv").expect(200);
  assert.equal(again.body.report.nothingToImport, true);
  assert.equal(again.body.report.examples.alreadyPresent, 6);
  assert.equal(again.body.report.previousImports[0].state, "applied");
  const second = await apply(CSV, "format=csv&mode=approved");
  assert.equal(second.status, 202);
  assert.equal(await Answer.countDocuments(), 3);
  assert.equal(await Example.countDocuments(), 6);
});

test("TSV and JSONL read the same FAQ; JSONL phrasings may carry golden/out-of-scope marks", async () => {
  const tsv = "answer\tquestion 1\tquestion 2\nOpen 9 to 5.\twhen are you open\topening hours?\n";
  const r1 = await dryRun(tsv, "format=tsv").expect(200);
  assert.equal(r1.body.report.answers.created, 1);
  assert.equal(r1.body.report.examples.created, 2);
  const jsonl = [
    JSON.stringify({
      answer: "Open 9 to 5.",
      title: "Hours",
      topic: "company",
      questions: ["when are you open", { text: "are you open on sunday", golden: true }],
    }),
    "",
    JSON.stringify({ text: "We ship worldwide.", question: "do you ship abroad" }),
  ].join("\n");
  const res = await apply(jsonl, "format=jsonl&mode=approved");
  assert.equal(res.status, 202);
  assert.equal(await Example.countDocuments({ golden: true }), 1);
  assert.equal((await Example.findOne({ question: "do you ship abroad" }).lean())?.source?.line, 3);
});

test("a bad row is reported with its line number and nothing is written", async () => {
  const bad = ["answer,question", "A1,q1", "A2,q2", 'A3,"unterminated', ""].join("\n");
  const res = await apply(bad, "format=csv&mode=approved");
  assert.equal(res.status, 400);
  assert.equal(res.body.error.code, "invalid_import");
  assert.equal(res.body.error.details.problems[0].line, 4);
  const wrongFields = await dryRun("answer,question\nA1,q1\nA2,q2,extra\n", "format=csv").expect(400);
  assert.deepEqual(wrongFields.body.error.details.problems, [{ line: 3, message: "expected 2 fields, got 3" }]);
  const jsonl = `${JSON.stringify({ answer: "a", questions: ["q"] })}\n{"answer": 1}\nnot json\n`;
  const j = await dryRun(jsonl, "format=jsonl").expect(400);
  assert.deepEqual(
    j.body.error.details.problems.map((p: { line: number }) => p.line),
    [2, 3],
  );
  assert.equal(await Answer.countDocuments(), 0);
  assert.equal(await Example.countDocuments(), 0);
  assert.equal(await DataImport.countDocuments(), 0);
});

test("missing columns, a custom mapping, wrong encodings, 10 MB on one line and too many rows get clear errors", async () => {
  const missing = await dryRun("question,reply_text\nq,a\n", "format=csv").expect(400);
  assert.match(missing.body.error.message, /Missing column\(s\): an answer column/);
  const mapped = await dryRun("question,reply_text\nq,a\n", "format=csv&answer=reply_text&questions=question").expect(200);
  assert.equal(mapped.body.report.answers.created, 1);
  const unknown = await dryRun("q,a\nx,y\n", "format=csv&answer=a&questions=nope").expect(400);
  assert.match(unknown.body.error.message, /"nope" \(questions\)/);

  const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("answer,question\na,q\n", "utf16le")]);
  assert.match((await dryRun(utf16, "format=csv").expect(400)).body.error.message, /UTF-16; save it as UTF-8/);
  const latin1 = Buffer.from("answer,question\nDélai: 3 jours,délai de livraison\n", "latin1");
  assert.match((await dryRun(latin1, "format=csv").expect(400)).body.error.message, /not valid UTF-8 \(first bad byte on line 2\)/);

  const oneLine = `answer,question\n"${"x".repeat(10 * 1024 * 1024)}",q\n`;
  const long = await dryRun(oneLine, "format=csv").expect(400);
  assert.match(long.body.error.message, /Line 2 is 10,485,764 characters long; the limit is 262,144 per line/);
  const huge = await dryRun(Buffer.alloc(21 * 1024 * 1024, 0x61), "format=csv").expect(413);
  assert.match(huge.body.error.message, /20 MB limit/);
  const rows = `answer,question\n${"a,q\n".repeat(50_001)}`;
  assert.match((await dryRun(rows, "format=csv").expect(400)).body.error.message, /50,001 rows; the limit is 50,000/);
  const json = await admin.post("/api/imports/dry-run?format=csv").send({ answer: "a" }).expect(400);
  assert.match(json.body.error.message, /Send the file itself as the request body/);
  assert.equal(await Answer.countDocuments(), 0);
});

test("review mode: phrasings wait as pending until an agent approves them; undo takes the import out", async () => {
  const res = await apply(CSV, "format=csv&mode=review");
  assert.equal(await Example.countDocuments({ status: "pending" }), 6);
  const pending = await agent.get("/api/examples?status=pending").expect(200);
  assert.equal(pending.body.examples.length, 6);
  const one = pending.body.examples[0];
  await agent.patch(`/api/examples/${one.id}`).send({ version: one.version, status: "active" }).expect(200);
  const approved = await Example.findById(one.id).lean();
  assert.equal(approved?.status, "active");
  assert.equal(String(approved?.approvedBy), agent.user.id);

  const undo = await admin.post(`/api/imports/${res.body.import.id}/undo`).send({}).expect(200);
  assert.deepEqual(undo.body.removed, { answers: 3, examples: 6 });
  assert.equal(undo.body.import.state, "undone");
  assert.equal(await Answer.countDocuments(), 0);
  // After an undo the same file imports again.
  const back = await dryRun(CSV, "format=csv").expect(200);
  assert.equal(back.body.report.answers.created, 3);
});

test("a phrasing of an existing answer merges into it; the same question under two answers is a conflict", async () => {
  await apply("answer,question\nUse the Forgot password link.,reset my password\n", "format=csv&mode=approved");
  const file =
    "answer,question\nUse the Forgot password link.,reset my password\nUse the Forgot password link.,new phrasing\nCall us.,reset my password\n";
  const r = (await dryRun(file, "format=csv").expect(200)).body.report;
  assert.equal(r.answers.mergedIntoExisting, 1);
  assert.equal(r.answers.created, 1);
  assert.equal(r.examples.alreadyPresent, 1);
  assert.equal(r.conflicts.length, 1);
  assert.equal(r.conflicts[0].question, "reset my password");
  assert.deepEqual(r.conflicts[0].answers.map((a: { existing: boolean }) => a.existing).sort(), [false, true]);
});

test("questions marked out_of_scope need no answer: stored as 'not for the bot' examples without one", async () => {
  const file = "answer,question,out_of_scope\n,what's the weather,yes\nShipping is $4.95.,how much is shipping,\n";
  const r = (await dryRun(file, "format=csv").expect(200)).body.report;
  assert.equal(r.answers.created, 1);
  assert.equal(r.examples.outOfScope, 1);
  await apply(file, "format=csv&mode=approved");
  const oos = await Example.findOne({ question: "what's the weather" }).lean();
  assert.equal(oos?.answerId, null);
  assert.equal(oos?.outOfScope, true);
  assert.equal(await Answer.countDocuments(), 1);
  assert.equal((await dryRun(file, "format=csv").expect(200)).body.report.nothingToImport, true);
  const noAnswer = await dryRun("answer,question\n,orphan question\n", "format=csv").expect(400);
  assert.match(noAnswer.body.error.details.problems[0].message, /the answer is empty/);
});

test("columns: the console's mapping step sees the header, a suggestion and sample rows", async () => {
  const res = await admin.post("/api/imports/columns?format=csv").set("content-type", "text/csv").send(CSV).expect(200);
  assert.deepEqual(res.body.columns, ["topic", "title", "answer", "questions"]);
  assert.deepEqual(res.body.suggested, { answer: "answer", questions: ["questions"], title: "title", topic: "topic" });
  assert.equal(res.body.sample.length, 4);
});

test("imports are the admin's: an agent is refused", async () => {
  const res = await dryRun(CSV, "format=csv", agent);
  assert.equal(res.status, 403);
});
