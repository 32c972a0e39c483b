// A Chinese customer on the zh-CN demo page is answered in Chinese by a promoted version trained on the
// multilingual base model (USE multilingual v3), trained for real by the nightly path; an English question in
// the same widget gets the English text of the same answer; the console shows which base the version uses.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { buildClient, launchBrowser, widget, signInToConsole } from "../helpers/browser.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { createUser } from "../helpers/agents.js";
import { enqueueRun } from "../../server/nightly/runQueue.js";
import { nightlyRunner } from "../../server/nightly/nightlyRunner.js";
import { updateTrainerSettings } from "../../server/nightly/settings.js";
import { Answer } from "../../server/models/answer.js";
import { Example } from "../../server/models/example.js";
import { Message } from "../../server/models/message.js";
import { ModelVersion } from "../../server/models/modelVersion.js";
import { TrainingRun } from "../../server/models/trainingRun.js";
import { localArtifactDir } from "../../server/registry/artifactStore.js";
import { loadPredictor } from "../../trainer/index.js";
import { waitFor } from "../helpers/waitFor.js";

interface Spec {
  key: string;
  title: string;
  text: string;
  zh: string;
  en_questions: string[];
  zh_questions: string[];
}
const specs: Spec[] = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, "../fixtures/multilingual/answers.json"), "utf8"));

let t: TestServer;
let browser: Browser;
const ids: Record<string, string> = {};
let zhQuestion = "";
let enQuestion = "";
let expected: Spec;

before(async () => {
  buildClient();
  t = await startTestServer();
  browser = await launchBrowser();
  await updateTrainerSettings({ training: { method: "head", baseModel: "use-multilingual" }, gate: { epsilon: 0.05 } }, null);
  for (const s of specs) {
    ids[s.key] = String((await Answer.create({ title: s.title, text: s.text, translations: [{ language: "zh-CN", text: s.zh }] }))._id);
  }
  await Example.insertMany(
    specs.flatMap((s) =>
      [...s.zh_questions, ...s.en_questions].map((question, i) => ({
        question,
        answerId: ids[s.key],
        polarity: "positive",
        source: { kind: i % 2 ? "agent_reply" : "import" },
        approvedAt: new Date(),
      })),
    ),
  );
  const { run } = await enqueueRun("manual", null);
  const outcome = await nightlyRunner(String(run._id), { config: t.config });
  const done = await TrainingRun.findById(run._id).lean();
  assert.equal(outcome, "promoted", `${done?.reasons.join("; ")} ${done?.error ?? ""}`);
  await waitFor("bot on v1", () => t.server.ctx.bot.activeVersion() === "v1");
  // The calibrated thresholds are strict: ask questions the version answers (as a customer's would be).
  const predictor = await loadPredictor(localArtifactDir(t.config.MODELS_DIR, "v1"), { baseModelDir: t.config.BASE_MODEL_DIR });
  for (const s of specs) {
    const zh = (await Promise.all(s.zh_questions.map(async (q) => [q, await predictor.predict(q)] as const))).find(
      ([, p]) => p.answer && p.label === ids[s.key],
    );
    const en = (await Promise.all(s.en_questions.map(async (q) => [q, await predictor.predict(q)] as const))).find(
      ([, p]) => p.answer && p.label === ids[s.key],
    );
    if (zh && en) {
      [zhQuestion, enQuestion, expected] = [zh[0], en[0], s];
      break;
    }
  }
  predictor.dispose();
  assert.ok(zhQuestion && enQuestion, "the version answers a Chinese and an English question of one answer");
});
after(async () => {
  await browser?.close();
  await t?.stop();
});

async function ask(page: Page, text: string, nth: number, reply: string): Promise<void> {
  const box = widget(page).getByRole("textbox", { name: "消息" });
  await box.fill(text);
  await box.press("Enter");
  await waitFor(`bot reply #${nth}`, async () => (await Message.countDocuments({ role: "bot" })) >= nth).catch(async (err) => {
    const log = await Message.find({}, { role: 1, text: 1, handoffReason: 1, bot: 1 }).sort({ createdAt: 1 }).lean();
    throw new Error(`${(err as Error).message}; messages: ${JSON.stringify(log)}`);
  });
  await widget(page).getByRole("log").getByText(reply, { exact: false }).waitFor({ timeout: 15_000 });
}

test("a Chinese conversation on the zh-CN demo page is answered in Chinese by the promoted multilingual version", async () => {
  const version = await ModelVersion.findOne({ version: "v1" }).lean();
  assert.equal((version?.hyperParameters as { baseModel?: string }).baseModel, "use-multilingual");
  const errors: string[] = [];
  const page = await (await browser.newContext()).newPage();
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(t.url + "/zh-CN.html");
  await widget(page).getByRole("button", { name: "打开聊天" }).click();
  await widget(page).getByText("在线").waitFor();

  await ask(page, zhQuestion, 1, expected.zh);
  const first = await Message.findOne({ role: "bot" }).sort({ seq: -1, createdAt: -1 }).lean();
  assert.equal(first?.text, expected.zh);
  assert.equal(first?.bot?.modelVersion, "v1");
  assert.equal(String(first?.bot?.answerId), ids[expected.key]);

  // the customer switches to English: the same answer, in English
  await ask(page, enQuestion, 2, expected.text);
  const second = await Message.find({ role: "bot" }).sort({ createdAt: -1 }).limit(1).lean();
  assert.equal(second[0]?.text, expected.text);
  assert.deepEqual(errors, []);
});

test("the console's versions table shows the base model a version uses", async () => {
  const admin = await createUser("admin");
  const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
  await signInToConsole(page, t.url, admin);
  await page.getByRole("link", { name: "Models" }).click();
  const table = page.getByTestId("versions-table");
  await table.waitFor();
  assert.equal((await table.locator('tr[data-version="v1"] [data-testid="base-model"]').textContent())?.trim(), "USE multilingual");
  // the questions are mostly Chinese, and the workspace already uses the multilingual base: no suggestion to change
  assert.equal(await page.getByTestId("base-model-suggestion").count(), 0);
  assert.equal(await page.locator('select[name="baseModel"]').inputValue(), "use-multilingual");
});
