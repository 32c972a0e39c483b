// The console's import flow in a real browser: a 1,000-row FAQ CSV (upload, column mapping, preview, dry run,
// import with progress), a bad file's line numbers, 500 past conversations in OpenAI JSONL with the collapsed
// replies shown for confirmation, then "train now" and a promoted version that answers.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import mongoose from "mongoose";
import type { Browser, Page } from "playwright-core";
import { buildClient, launchBrowser, signInToConsole } from "../helpers/browser.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { createUser } from "../helpers/agents.js";
import { conversationsJsonl, faqCsv } from "../fixtures/imports/generate.js";
import { startNightlyWorker, type NightlyWorker } from "../../server/nightly/nightlyWorker.js";
import { updateTrainerSettings } from "../../server/nightly/settings.js";
import { Answer } from "../../server/models/answer.js";
import { Example } from "../../server/models/example.js";
import { ModelVersion } from "../../server/models/modelVersion.js";

let t: TestServer;
let browser: Browser;
let page: Page;
let trainer: NightlyWorker | null = null;

before(async () => {
  buildClient();
  t = await startTestServer();
  browser = await launchBrowser();
  await updateTrainerSettings({ training: { method: "head" } }, null);
  const admin = await createUser("admin");
  page = await browser.newPage();
  await signInToConsole(page, t.url, admin);
  await page.getByTestId("nav-data").click();
});
after(async () => {
  await trainer?.stop();
  await browser?.close();
  await t?.stop();
});

async function upload(name: string, body: string) {
  await page.getByTestId("import-file").setInputFiles({ name, mimeType: "text/plain", buffer: Buffer.from(body) });
}

test("a bad FAQ file shows each bad row's line number and writes nothing", async () => {
  await upload("bad.csv", "answer,question\nFine answer,fine question\nToo,many,fields\n");
  await page.getByTestId("dry-run").click();
  await page.getByTestId("import-problems").waitFor();
  assert.match(await page.getByTestId("import-problems").innerText(), /line 3: expected 2 fields, got 3/);
  assert.equal(await Answer.countDocuments(), 0);
});

test("1,000-row FAQ CSV: column mapping and preview, dry run report, import with progress", async () => {
  await upload("acme-faq.csv", faqCsv(1000));
  await page.getByTestId("column-mapping").waitFor();
  assert.equal(await page.getByTestId("map-answer").inputValue(), "answer");
  assert.equal(await page.getByTestId("map-question-question").isChecked(), true);
  assert.equal(await page.getByTestId("import-preview").locator("tbody tr").count(), 5);
  await page.getByTestId("dry-run").click();
  await page.getByTestId("dry-run-report").waitFor();
  assert.equal(await page.getByTestId("report-rows").innerText(), "1000");
  assert.match(await page.getByTestId("report-answers").innerText(), /^32 new/);
  assert.match(await page.getByTestId("report-examples").innerText(), /^1000 new of 1000/);
  assert.equal(await Answer.countDocuments(), 0, "the dry run wrote nothing");
  await page.getByTestId("mode-approved").check();
  await page.getByTestId("apply-import").click();
  await page.getByTestId("import-progress").getByText("applied").waitFor({ timeout: 60_000 });
  assert.equal(await Answer.countDocuments(), 32);
  assert.equal(await Example.countDocuments({ status: "active", "source.kind": "import" }), 1000);
  assert.equal(await page.getByTestId("import-row").count(), 1);
});

test("the same 1,000-row file again: the dry run says nothing is new", async () => {
  await upload("acme-faq-again.csv", faqCsv(1000));
  await page.getByTestId("column-mapping").waitFor();
  await page.getByTestId("dry-run").click();
  await page.getByTestId("dry-run-report").waitFor();
  assert.match(await page.getByTestId("report-examples").innerText(), /^0 new of 1000 .*1000 already present/);
  assert.equal(await page.getByTestId("apply-import").isDisabled(), true);
});

test(
  "500 OpenAI-format conversations: reworded replies collapse into the existing answers; then train now promotes a version that answers",
  { timeout: 600_000 },
  async () => {
    await page.getByTestId("kind-conversations").click();
    await upload("past-chats.jsonl", conversationsJsonl(500));
    assert.equal(await page.getByTestId("import-format").inputValue(), "openai");
    // At the default 0.90 two answers keep "Anything else I can help with?" apart; the admin loosens it to 0.85.
    await page.getByTestId("import-similarity").fill("0.85");
    await page.getByTestId("dry-run").click();
    await page.getByTestId("dry-run-report").waitFor({ timeout: 120_000 });
    const collapsed = page.getByTestId("collapsed-answer");
    assert.ok((await collapsed.count()) >= 30, "each answer's three wordings are shown collapsed into one");
    assert.match(await collapsed.first().innerText(), /similarity 0\.\d\d/);
    assert.match(await page.getByTestId("report-answers").innerText(), /^0 new · 32 merged into existing/);
    await page.getByTestId("mode-approved").check();
    await page.getByTestId("apply-import").click();
    await page.getByTestId("import-progress").getByText("applied").waitFor({ timeout: 60_000 });
    assert.equal(await Answer.countDocuments(), 32, "no new answers: every reply collapsed into an FAQ answer");
    const chats = createHash("sha256").update(conversationsJsonl(500)).digest("hex");
    const fromChats = await Example.countDocuments({ status: "active", "source.fileSha256": chats });
    assert.ok(fromChats > 300 && fromChats <= 500, `examples from the conversations: ${fromChats}`);

    // "Train now" from the import's progress line; the trainer here is this test's worker.
    trainer = startNightlyWorker({ config: t.config, tickMs: 500 });
    await page.getByTestId("train-now").click();
    await page.waitForURL(/#\/models/);
    const deadline = Date.now() + 540_000;
    while (!(await ModelVersion.exists({ status: "promoted" }))) {
      assert.ok(Date.now() < deadline, "a version is promoted");
      await new Promise((r) => setTimeout(r, 1000));
    }
    const live = await ModelVersion.findOne({ status: "promoted" }).lean();
    assert.equal(live?.gate?.passed, true);
    for (let i = 0; i < 150 && t.server.ctx.bot.activeVersion() !== live!.version; i++) await new Promise((r) => setTimeout(r, 200));
    const d = await t.server.ctx.bot.decide({
      conversationId: new mongoose.Types.ObjectId().toString(),
      text: "how much does shipping cost",
    });
    assert.equal(d.kind, "reply");
  },
);
