import { test } from "node:test";
import assert from "node:assert/strict";
import type { TestServer } from "../helpers/server.js";
import { useTestServer } from "../helpers/suite.js";
import { loginAs, seedBotExchange } from "../helpers/agents.js";
import { Answer } from "../../server/models/answer.js";
import { Example } from "../../server/models/example.js";
import { renderAnswer } from "../../server/curation/placeholders.js";

let t: TestServer;
useTestServer((server) => (t = server));

test("create validates placeholders at save time and lists them", async () => {
  const agent = await loginAs(t.url, "agent");
  const bad = await agent.post("/api/answers").send({ title: "Greeting", text: "Hello {{customer}} and {{ name }}" }).expect(400);
  assert.deepEqual(bad.body.error.details.unknown, ["customer"]);
  assert.ok(bad.body.error.details.known.includes("name"));
  await agent.post("/api/answers").send({ title: "Braces", text: "Hello {{name" }).expect(400);
  assert.equal(await Answer.countDocuments({ title: { $in: ["Greeting", "Braces"] } }), 0);
  const ok = await agent.post("/api/answers").send({ title: "Greeting", text: "Hello {{ name }}, we wrote to {{email}}." }).expect(201);
  assert.deepEqual(ok.body.answer.placeholders, ["name", "email"]);
  assert.equal(ok.body.answer.version, 1);
  const list = await agent.get("/api/answers?q=greet").expect(200);
  assert.equal(list.body.answers.length, 1);
  const ph = await agent.get("/api/answers/placeholders").expect(200);
  assert.deepEqual(
    ph.body.placeholders.map((p: { name: string }) => p.name),
    ["name", "first_name", "email"],
  );
});

test("placeholders are filled from conversation data", async () => {
  assert.equal(
    renderAnswer("Hi {{first_name}} ({{name}}), {{email}}", { customerName: "Ann Lee", customerEmail: "ann@x.y" }),
    "Hi Ann (Ann Lee), ann@x.y",
  );
  assert.equal(renderAnswer("Hi {{name}}", { customerName: null, customerEmail: null }), "Hi there");
  const agent = await loginAs(t.url, "agent");
  const ex = await seedBotExchange(t.server.ctx, { customerName: "Bo Chen" });
  const res = await agent
    .post("/api/answers/preview")
    .send({ text: "Hi {{first_name}}!", conversationId: String(ex.conversation._id) })
    .expect(200);
  assert.equal(res.body.rendered, "Hi Bo!");
  await agent.post("/api/answers/preview").send({ text: "Hi {{x}}!" }).expect(400);
});

test("rename with optimistic concurrency: a stale version is 409 with the current answer", async () => {
  const [a, b] = await Promise.all([loginAs(t.url, "agent"), loginAs(t.url, "agent")]);
  const { body } = await a.post("/api/answers").send({ title: "Refunds", text: "Refunds take 5 days." }).expect(201);
  const id = body.answer.id;
  const renamed = await a.patch(`/api/answers/${id}`).send({ version: 1, title: "Refund timing" }).expect(200);
  assert.equal(renamed.body.answer.version, 2);
  const stale = await b.patch(`/api/answers/${id}`).send({ version: 1, text: "Refunds take 3 days." }).expect(409);
  assert.equal(stale.body.error.details.current.title, "Refund timing");
  assert.equal(stale.body.error.details.current.version, 2);
  await b.patch(`/api/answers/${id}`).send({ version: 2, text: "Hi {{bogus}}" }).expect(400);
  await b.patch(`/api/answers/${id}`).send({ version: 2 }).expect(400);
});

test("merge moves the phrasings to the target; retire stops new approvals", async () => {
  const agent = await loginAs(t.url, "agent");
  const src = (await agent.post("/api/answers").send({ title: "Password reset", text: "Use forgot password." }).expect(201)).body.answer;
  const dst = (await agent.post("/api/answers").send({ title: "Reset your password", text: "Click 'Forgot password'." }).expect(201)).body
    .answer;
  const e1 = await seedBotExchange(t.server.ctx, { answerId: src.id, question: "forgot my password" });
  const e2 = await seedBotExchange(t.server.ctx, { answerId: dst.id, question: "reset pw" });
  await agent.post(`/api/reviews/${e1.reply._id}/approve`).send({}).expect(201);
  await agent.post(`/api/reviews/${e2.reply._id}/approve`).send({}).expect(201);

  await agent.post(`/api/answers/${src.id}/merge`).send({ intoId: src.id }).expect(400);
  const merged = await agent.post(`/api/answers/${src.id}/merge`).send({ intoId: dst.id }).expect(200);
  assert.equal(merged.body.movedExamples, 1);
  const detail = await agent.get(`/api/answers/${dst.id}`).expect(200);
  assert.deepEqual(detail.body.examples.map((e: { question: string }) => e.question).sort(), ["forgot my password", "reset pw"]);
  const source = await Answer.findById(src.id).lean();
  assert.equal(source!.status, "merged");
  assert.equal(String(source!.mergedInto), dst.id);
  // A bot reply that still names the merged answer is approved onto the target.
  const e3 = await seedBotExchange(t.server.ctx, { answerId: src.id });
  const r3 = await agent.post(`/api/reviews/${e3.reply._id}/approve`).send({}).expect(201);
  assert.equal(r3.body.example.answerId, dst.id);

  const current = (await agent.get(`/api/answers/${dst.id}`).expect(200)).body.answer;
  await agent
    .post(`/api/answers/${dst.id}/retire`)
    .send({ version: current.version + 5 })
    .expect(409);
  await agent.post(`/api/answers/${dst.id}/retire`).send({ version: current.version }).expect(200);
  const e4 = await seedBotExchange(t.server.ctx, { answerId: dst.id });
  await agent.post(`/api/reviews/${e4.reply._id}/approve`).send({}).expect(409);
  const active = await agent.get("/api/answers").expect(200);
  assert.ok(!active.body.answers.some((a: { id: string }) => a.id === dst.id || a.id === src.id));
  const all = await agent.get("/api/answers?status=all").expect(200);
  assert.ok(all.body.answers.some((a: { id: string; status: string }) => a.id === dst.id && a.status === "retired"));
  assert.equal(await Example.countDocuments({ answerId: src.id }), 0);
});

test("unknown answers are 404", async () => {
  const agent = await loginAs(t.url, "agent");
  await agent.get("/api/answers/0123456789abcdef01234567").expect(404);
  await agent.patch("/api/answers/0123456789abcdef01234567").send({ version: 1, title: "x" }).expect(404);
  await agent.post("/api/answers/0123456789abcdef01234567/merge").send({ intoId: "0123456789abcdef01234568" }).expect(404);
});

test("an answer holds the same text in other languages: tags checked, one text per language, placeholders checked in each", async () => {
  const agent = await loginAs(t.url, "agent");
  await agent
    .post("/api/answers")
    .send({ title: "Hours zh", text: "Open 9-18.", translations: [{ language: "chinese", text: "9 点到 18 点营业。" }] })
    .expect(400);
  await agent
    .post("/api/answers")
    .send({
      title: "Hours zh",
      text: "Open 9-18.",
      translations: [
        { language: "zh-CN", text: "一" },
        { language: "zh-cn", text: "二" },
      ],
    })
    .expect(400);
  await agent
    .post("/api/answers")
    .send({ title: "Hours zh", text: "Hi {{name}}", translations: [{ language: "zh-CN", text: "你好 {{nom}}" }] })
    .expect(400);
  assert.equal(await Answer.countDocuments({ title: "Hours zh" }), 0);
  const ok = await agent
    .post("/api/answers")
    .send({
      title: "Hours zh",
      text: "Hi {{name}}, we open 9-18.",
      translations: [{ language: "zh-CN", text: "{{name}}您好，我们 9 点到 18 点营业。" }],
    })
    .expect(201);
  assert.deepEqual(ok.body.answer.translations, [{ language: "zh-CN", text: "{{name}}您好，我们 9 点到 18 点营业。" }]);
  const edited = await agent
    .patch(`/api/answers/${ok.body.answer.id}`)
    .send({
      version: 1,
      translations: [
        { language: "zh-CN", text: "营业时间 9 点到 18 点。" },
        { language: "ja", text: "営業時間は9時から18時です。" },
      ],
    })
    .expect(200);
  assert.deepEqual(
    edited.body.answer.translations.map((x: { language: string }) => x.language),
    ["zh-CN", "ja"],
  );
  assert.equal(edited.body.answer.text, "Hi {{name}}, we open 9-18.", "the main text is kept");
});
