// The order example end to end, as a newcomer meets it: `npm start` on an empty embedded database loads the
// sample shop, starts its order service and trains v1 for real (the normal "train now" path, in the trainer
// beside the server). On the demo page the bot, answering from v1, gives the live status of order 4321, asks
// for the number when it is missing, and hands off to a person once the order service is down.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import request from "supertest";
import type { Browser, Page } from "playwright-core";
import { freePort } from "../../server/db/embeddedMongo.js";
import { buildClient, launchBrowser, widget, signInToConsole } from "../helpers/browser.js";
import { spawnTs, waitForHealth, type TestProcess } from "../helpers/processes.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "understudy-demo-orders-"));
let server: TestProcess;
let browser: Browser;
let url = "";
let admin: ReturnType<typeof request.agent>;
let ordersPid = 0;

async function until<T>(
  what: string,
  check: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  ms: number,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${server.output().slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

before(async () => {
  buildClient();
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  // No MONGODB_URI and no OUTBOUND_ALLOWED_URLS: exactly a first `npm start`, on ports of its own.
  server = spawnTs("demo-orders", "server/index.ts", [], {
    NODE_ENV: "test",
    HOST: "127.0.0.1",
    PORT: String(port),
    LOG_LEVEL: "info",
    LOG_PRETTY: "false",
    MONGODB_URI: "",
    OUTBOUND_ALLOWED_URLS: "",
    DEMO: "true",
    DEMO_ORDERS_PORT: String(await freePort()),
    DATA_DIR: path.join(dir, "data"),
    MODELS_DIR: path.join(dir, "models"),
  });
  await waitForHealth(server, url, 120_000);
  const banner = await until(
    "the demo banner",
    () => /admin@acmetea\.example\s+password (\S+)[\s\S]*order service\s+(\S+) \(pid (\d+)\)/.exec(server.output()),
    60_000,
  );
  ordersPid = Number(banner[3]);
  admin = request.agent(url);
  const login = await admin.post("/api/auth/login").send({ email: "admin@acmetea.example", password: banner[1] }).expect(200);
  admin.set("x-csrf-token", login.body.csrfToken);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function openChat(): Promise<{ page: Page; ask(text: string): Promise<void> }> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(url + "/");
  await widget(page).getByRole("button", { name: "Open chat" }).click();
  await widget(page).getByText("Online").waitFor();
  const input = widget(page).getByRole("textbox", { name: "Message" });
  return {
    page,
    async ask(text: string) {
      await input.fill(text);
      await input.press("Enter");
    },
  };
}

const log = (page: Page) => widget(page).getByRole("log");

/** Waits for `text` in the chat; on a timeout, says what the bot did instead (stored messages, action calls). */
async function expectInChat(page: Page, text: string, firstQuestion: string, timeout = 30_000) {
  try {
    await log(page).getByText(text, { exact: false }).waitFor({ timeout });
  } catch (err) {
    const c = await conversationOf(firstQuestion).catch(() => null);
    const calls = c ? (await admin.get(`/api/actions/calls?conversationId=${c.id}`)).body : null;
    throw new Error(
      `"${text}" not shown: ${(err as Error).message}\nmessages: ${JSON.stringify(c?.messages)}\ncalls: ${JSON.stringify(calls)}\n${server.output().slice(-3000)}`,
      { cause: err },
    );
  }
}

/** The stored messages of the conversation whose first customer message is `text`. */
async function conversationOf(text: string) {
  const list = await admin.get("/api/conversations?status=all&limit=50").expect(200);
  for (const c of list.body.conversations as { id: string }[]) {
    const msgs = (await admin.get(`/api/conversations/${c.id}/messages`).expect(200)).body.messages as {
      role: string;
      text: string;
      handoffReason: string | null;
      bot: { modelVersion: string } | null;
    }[];
    if (msgs[0]?.text === text) return { id: c.id, messages: msgs };
  }
  throw new Error(`no conversation starts with "${text}"`);
}

test(
  "the demo workspace's order answer: live status from the order service, a question for the missing number, a hand-off when the service is down",
  { timeout: 600_000 },
  async () => {
    // v1, trained on the sample FAQ (the order answer's phrasings included), is what answers below.
    await until("v1 serving", async () => (await admin.get("/api/models").expect(200)).body.serving === "v1", 540_000);
    const actions = (await admin.get("/api/actions").expect(200)).body.actions as { name: string; url: string }[];
    assert.deepEqual(
      actions.map((a) => a.name),
      ["order_status"],
    );
    const errors: string[] = [];

    // The number in the question: answered at once with the service's live status.
    const first = await openChat();
    first.page.on("pageerror", (e) => errors.push(e.message));
    await first.ask("where is my order 4321?");
    // The first turn of a process also loads v1 into its inference thread (tens of seconds on a busy machine).
    await expectInChat(first.page, "Order 4321 is on its way, arriving Thursday.", "where is my order 4321?", 120_000);
    const answered = await conversationOf("where is my order 4321?");
    const reply = answered.messages.find((m) => m.role === "bot");
    assert.equal(reply?.bot?.modelVersion, "v1", "the trained version picked the order answer");

    // No number: the bot asks for it with the answer's prompt, then answers from the customer's reply.
    const second = await openChat();
    second.page.on("pageerror", (e) => errors.push(e.message));
    await second.ask("where is my order?");
    await expectInChat(second.page, "What is your order number?", "where is my order?");
    await second.ask("it's 5555");
    await expectInChat(second.page, "Order 5555 is being packed, arriving next week.", "where is my order?");

    // The order service goes down: the order question goes to a person, and the log says why.
    process.kill(ordersPid, "SIGKILL");
    await until(
      "the order service gone",
      () => {
        try {
          process.kill(ordersPid, 0);
          return false;
        } catch {
          return true;
        }
      },
      10_000,
    );
    const third = await openChat();
    third.page.on("pageerror", (e) => errors.push(e.message));
    await third.ask("where is my order 1234?");
    await expectInChat(third.page, "A member of our team will reply here", "where is my order 1234?");
    const handedOff = await conversationOf("where is my order 1234?");
    assert.deepEqual(
      handedOff.messages.map((m) => m.role),
      ["customer", "system"],
      "no half-filled reply",
    );
    assert.equal(handedOff.messages.find((m) => m.role === "system")?.handoffReason, "action_error");
    const calls = (await admin.get(`/api/actions/calls?conversationId=${handedOff.id}`).expect(200)).body.calls as {
      outcome: string;
      detail: string | null;
    }[];
    assert.equal(calls.length, 1);
    assert.equal(calls[0].outcome, "error");
    assert.match(calls[0].detail ?? "", /ECONNREFUSED/);
    assert.deepEqual(errors, []);
  },
);

test(
  "the next version's eval report counts the order action's failure apart from the model's errors, in the console",
  { timeout: 600_000 },
  async () => {
    // A question for no answer: the model's own hand-off.
    const offTopic = await openChat();
    await offTopic.ask("what's the capital of France?");
    await expectInChat(offTopic.page, "A member of our team will reply here", "what's the capital of France?");

    const queued = await admin.post("/api/runs").send({}).expect(201);
    const runId = queued.body.run.id;
    const run = await until(
      "the run finished",
      async () => {
        const r = (await admin.get(`/api/runs/${runId}`).expect(200)).body.run;
        return ["promoted", "rejected", "failed"].includes(r.state) ? r : null;
      },
      540_000,
    );
    assert.notEqual(run.state, "failed", JSON.stringify(run));
    const report = (await admin.get(`/api/models/${run.candidateVersion}`).expect(200)).body.version.report;
    const a = report.actions;
    assert.ok(a, "the report has its actions part");
    // Live, over the eval window: three calls (4321, 5555 answered; 1234 refused by the stopped service).
    assert.equal(a.live.calls, 3);
    assert.equal(a.live.failedCalls, 1);
    assert.deepEqual(a.live.byOutcome, { error: 1 });
    assert.equal(a.actionFailures, 1);
    assert.deepEqual(a.live.actionHandoffsByReason, { action_error: 1 });
    assert.ok(a.live.modelHandoffs >= 1, "the off-topic question is the model's hand-off, counted apart");
    // Offline: the order answer is scored like any other answer; its mistakes are the model's.
    assert.equal(a.answers.length, 1);
    assert.equal(a.answers[0].action, "order_status");
    assert.equal(a.answers[0].title, "Where is my order");
    assert.ok(a.answers[0].cases > 0);
    assert.equal(a.modelErrors, a.answers[0].modelErrors);

    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    const password = /admin@acmetea\.example\s+password (\S+)/.exec(server.output())![1];
    await signInToConsole(page, url, { email: "admin@acmetea.example", password });
    await page.getByTestId("nav-models").click();
    await page.getByTestId("versions-table").locator(`tr[data-version="${run.candidateVersion}"] a`).first().click();
    const part = page.getByTestId("actions-report");
    await part.waitFor();
    assert.equal(await part.getByTestId("action-failures").textContent(), "1");
    assert.equal(await part.getByTestId("action-model-errors").textContent(), String(a.modelErrors));
    assert.match(await part.innerText(), /action_error 1/);
    assert.match(await part.getByTestId("action-answers").innerText(), /Where is my order\s+order_status/);
  },
);
