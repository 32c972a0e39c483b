// Past conversations over the REST API: OpenAI fine-tuning JSONL and CSV transcripts become candidate pairs,
// near-identical agent replies collapse into one answer by embedding similarity (the real base encoder in the
// embedding thread), shown in the dry run; bad lines are named; agent replies are redacted.
import { beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { useTestServerWithLogins } from "../helpers/suite.js";
import type { LoggedInAgent } from "../helpers/agents.js";
import { Answer } from "../../server/models/answer.js";
import { Example } from "../../server/models/example.js";
import { DataImport } from "../../server/models/dataImport.js";
import { COLLAPSE_SIMILARITY } from "../../server/embeddings/similarity.js";

let admin: LoggedInAgent;
useTestServerWithLogins((s) => ({ admin } = s));
beforeEach(async () => {
  await Promise.all([Answer.deleteMany({}), Example.deleteMany({}), DataImport.deleteMany({})]);
});

const chat = (...turns: [string, string][]) => JSON.stringify({ messages: turns.map(([role, content]) => ({ role, content })) });
const OPENAI = [
  chat(
    ["system", "You are a support agent."],
    ["user", "where is my card?"],
    ["assistant", "Cards arrive within 5 working days of ordering."],
  ),
  chat(["user", "my card hasn't come"], ["assistant", "Hi! Cards arrive within 5 working days of ordering."]),
  chat(["user", "card still not delivered"], ["assistant", "cards arrive within 5 working days of ordering"]),
  chat(
    ["user", "hello"],
    ["assistant", "Hello! How can I help?"],
    ["user", "how do I change my PIN"],
    ["assistant", "Change your PIN at any cash machine under PIN services."],
  ),
].join("\n");

const dryRun = (body: string, query: string) =>
  admin.post(`/api/imports/dry-run?kind=conversations&${query}`).set("content-type", "application/octet-stream").send(Buffer.from(body));

test("OpenAI JSONL: pairs per user/assistant turn; identical and near-identical replies collapse, with their similarity", async () => {
  const res = await dryRun(OPENAI, "format=openai").expect(200);
  const r = res.body.report;
  assert.equal(r.rowsRead, 3, JSON.stringify(r.perAnswer));
  const card = r.perAnswer.find((a: { variants: { text: string }[] }) => a.variants.some((v) => v.text.startsWith("Cards arrive")));
  assert.equal(card.added, 3);
  assert.equal(card.variants.length, 2, "the exact repeat (case, punctuation) is the same wording; the greeting is a near-identical one");
  const near = card.variants.find((v: { text: string }) => v.text.startsWith("Hi!"));
  assert.ok(near.similarity >= 0.9 && near.similarity < 1, String(near.similarity));
  assert.ok(
    r.warnings.some((w: string) => /5 customer\/agent pairs read from 4 conversation/.test(w)),
    r.warnings.join("; "),
  );

  // Identical only: the greeting-prefixed reply is an answer of its own.
  const strict = await dryRun(OPENAI, "format=openai&similarity=1").expect(200);
  assert.equal(strict.body.report.rowsRead, 4);
});

test("applying keeps the previous turn and the line of each pair", async () => {
  const res = await admin
    .post("/api/imports?kind=conversations&format=openai&mode=approved")
    .set("content-type", "application/octet-stream")
    .send(Buffer.from(OPENAI));
  assert.equal(res.status, 202);
  for (let i = 0; i < 100 && (await DataImport.findById(res.body.import.id).lean())?.state === "applying"; i++)
    await new Promise((r) => setTimeout(r, 50));
  assert.equal(await Answer.countDocuments(), 3);
  const pin = await Example.findOne({ question: "how do I change my PIN" }).lean();
  assert.equal(pin?.previousTurn, "Hello! How can I help?");
  assert.equal(pin?.source?.line, 4);
  const card = await Answer.findOne({ text: "Cards arrive within 5 working days of ordering." }).lean();
  assert.equal(await Example.countDocuments({ answerId: card!._id }), 3);
});

test("bad OpenAI lines are named and nothing is written", async () => {
  const bad = [OPENAI.split("\n")[0], "{broken", chat(["user", "only a question"])].join("\n");
  const res = await dryRun(bad, "format=openai").expect(400);
  assert.deepEqual(
    res.body.error.details.problems.map((p: { line: number }) => p.line),
    [2, 3],
  );
  assert.match(res.body.error.details.problems[1].message, /no user message followed by an assistant reply/);
});

const TRANSCRIPT = [
  "conversation_id,role,text,time",
  "c1,customer,hi there,2026-11-01T10:00:00Z",
  // Out of order: sorted by time within the conversation.
  "c1,agent,Our shop opens at 9 am. Write to ann.lee@example.com for bookings.,2026-11-01T10:02:00Z",
  "c1,customer,when do you open?,2026-11-01T10:01:00Z",
  "c1,bot,(automated) a human will reply,2026-11-01T10:01:30Z",
  "c2,customer,what time do you open,2026-11-02T09:00:00Z",
  "c2,customer,in the morning I mean,2026-11-02T09:00:10Z",
  'c2,agent,"Our shop opens at 9 am. Write to ann.lee@example.com for bookings.",2026-11-02T09:01:00Z',
  "c3,agent,Hello!,2026-11-03T09:00:00Z",
].join("\n");

test("CSV transcripts: sorted by time, consecutive turns joined, bots skipped, agent replies redacted", async () => {
  const res = await dryRun(TRANSCRIPT, "format=transcript").expect(200);
  const r = res.body.report;
  assert.equal(r.rowsRead, 1, "both conversations' replies are one answer");
  assert.equal(r.examples.created, 2);
  assert.equal(r.personalData.byKind.email, 1, "the reply's email is found once (one answer)");
  assert.match(r.personalData.samples[0].after, /Write to \[email\] for bookings/);
  const imp = await admin
    .post("/api/imports?kind=conversations&format=transcript&mode=review")
    .set("content-type", "text/csv")
    .send(TRANSCRIPT)
    .expect(202);
  for (let i = 0; i < 100 && (await DataImport.findById(imp.body.import.id).lean())?.state === "applying"; i++)
    await new Promise((r) => setTimeout(r, 50));
  const answer = await Answer.findOne({}).lean();
  assert.equal(answer?.text, "Our shop opens at 9 am. Write to [email] for bookings.");
  const joined = await Example.findOne({ question: "what time do you open\nin the morning I mean" }).lean();
  assert.equal(joined?.status, "pending");
  assert.equal(joined?.source?.line, 6);
  // The bot's note between them is skipped, so the customer's two messages are one turn.
  const first = await Example.findOne({ question: "hi there\nwhen do you open?" }).lean();
  assert.equal(first?.source?.line, 2);
});

test("transcripts with a missing column or an unreadable time are refused with the line", async () => {
  const missing = await dryRun("conversation,who,text\nc1,customer,hi\n", "format=transcript").expect(400);
  assert.match(missing.body.error.message, /Missing column\(s\): role/);
  const badTime = await dryRun(
    "conversation_id,role,text,time\nc1,customer,hi,yesterday-ish\nc1,agent,hello,2026-11-01\n",
    "format=transcript",
  ).expect(400);
  assert.deepEqual(badTime.body.error.details.problems, [{ line: 2, message: 'unreadable time "yesterday-ish"' }]);
});

test("use-multilingual: Chinese replies collapse in USE's space at its default; MiniLM's would merge unrelated ones", async () => {
  // MiniLM puts the password and returns replies at cosine 1.00 (pieces it cannot read); USE at 0.34. The two
  // delivery replies are 0.96 alike in USE.
  const zh = [
    chat(["user", "我的卡什么时候到？"], ["assistant", "您的卡将在5个工作日内送达。"]),
    chat(["user", "卡还没收到"], ["assistant", "您好！您的卡将在5个工作日内送达。"]),
    chat(["user", "怎么改密码"], ["assistant", "请在设置页面修改密码。"]),
    chat(["user", "怎么退货"], ["assistant", "请在订单页面申请退货。"]),
  ].join("\n");
  const base = (baseModel: string) => admin.patch("/api/trainer/settings").send({ training: { baseModel } }).expect(200);
  await base("use-multilingual");
  try {
    const r = (await dryRun(zh, "format=openai").expect(200)).body.report;
    assert.equal(r.rowsRead, 3, JSON.stringify(r.perAnswer));
    const card = r.perAnswer.find((a: { variants: { text: string }[] }) => a.variants.length === 2);
    assert.ok(
      card.variants.every((v: { text: string }) => v.text.includes("5个工作日")),
      JSON.stringify(card.variants),
    );
    assert.ok(
      r.warnings.some((w: string) => w.includes(`similarity ${COLLAPSE_SIMILARITY["use-multilingual"]} (the use-multilingual`)),
      r.warnings.join("; "),
    );
  } finally {
    await base("minilm");
  }
  const mini = (await dryRun(zh, "format=openai").expect(200)).body.report;
  assert.ok(
    mini.warnings.some((w: string) => w.includes(`similarity ${COLLAPSE_SIMILARITY.minilm} (the minilm`)),
    mini.warnings.join("; "),
  );
  assert.equal(mini.rowsRead, 2, "the next import embeds in MiniLM again, which merges the password and returns replies");
});
