import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { freePort } from "../../server/db/embeddedMongo.js";
import { Message } from "../../server/models/index.js";
import { buildClient, launchBrowser } from "../helpers/browser.js";
import { startTestDatabase, type TestDatabase } from "../helpers/database.js";
import { killHard, recordHardening, waitUntil } from "../helpers/faults.js";
import { startChatProcess, type ChatProcess } from "../helpers/processes.js";

// kill -9 of the chat server in the middle of a conversation, with the real widget in a real browser.
// The server comes back on the same port; the widget reconnects, resyncs and resends what was not
// acknowledged. Afterwards every message the customer typed is stored, and shown, exactly once.
// One kill per round; each round costs a server start (~10 s on a loaded machine), so the file stays short.
const KILLS = 1;
let db: TestDatabase;
let browser: Browser;
let chat: ChatProcess | null = null;
let port: number;
let faults = 0;
let ackedBeforeKill = 0;
let storedAndChecked = 0;
let lost = 0;
let duplicated = 0;
const env = () => ({ MONGODB_URI: db.uri, SESSION_SECRET: "fault-test-secret-0123456789" });

before(async () => {
  buildClient();
  db = await startTestDatabase();
  port = await freePort();
  chat = await startChatProcess("kill-9", env(), port);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await chat?.stop();
  await db?.stop();
  await recordHardening("faults.chatServerKill", {
    faultsInjected: faults,
    acknowledgedMessages: storedAndChecked,
    acknowledgedBeforeKill: ackedBeforeKill,
    messagesLost: lost,
    messagesDuplicated: duplicated,
  });
  console.log(
    `faults: chat server killed ${faults} time(s); ${storedAndChecked} messages checked (${ackedBeforeKill} acknowledged before the kill), ${lost} lost, ${duplicated} duplicated`,
  );
});

const widget = (page: Page) => page.locator("#understudy-widget");
async function type(page: Page, text: string) {
  const input = widget(page).getByRole("textbox", { name: "Message" });
  await input.fill(text);
  await input.press("Enter");
}

test("kill -9 mid-conversation: the widget reconnects, resyncs, and every message is there exactly once", async () => {
  const page = await (await browser.newContext()).newPage();
  const pageErrors: string[] = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  await page.goto(`${chat!.url}/`);
  await widget(page).getByRole("button", { name: "Open chat" }).click();
  await widget(page).getByText("Online").waitFor();

  const typed: string[] = [];
  for (let round = 1; round <= KILLS; round++) {
    for (let i = 1; i <= 3; i++) {
      const text = `round ${round} message ${i}`;
      typed.push(text);
      await type(page, text);
    }
    await waitUntil(
      `round ${round} acknowledged`,
      async () => (await Message.countDocuments({ role: "customer" })) === typed.length,
      20_000,
    );
    ackedBeforeKill = typed.length;
    // One more message and the kill right behind it: it may or may not have been acknowledged.
    const inFlight = `round ${round} in flight`;
    typed.push(inFlight);
    await type(page, inFlight);
    await killHard(chat!);
    faults++;
    await widget(page).getByRole("status").filter({ hasText: "Offline" }).waitFor({ timeout: 15_000 });
    // Typed while the server is down: queued in the widget.
    const offline = `round ${round} queued while down`;
    typed.push(offline);
    await type(page, offline);
    chat = await startChatProcess("kill-9", env(), port);
    await widget(page).getByRole("status").filter({ hasText: "Online" }).waitFor({ timeout: 30_000 });
    await waitUntil(`round ${round} resent`, async () => (await Message.countDocuments({ role: "customer" })) >= typed.length, 30_000);
  }

  for (const text of typed) {
    const stored = await Message.countDocuments({ role: "customer", text });
    if (stored === 0) lost++;
    if (stored > 1) duplicated++;
    assert.equal(stored, 1, `"${text}" stored ${stored} times`);
    storedAndChecked++;
  }
  // Each bubble reads "You: <text>" (plus a status line while pending): once each, none still pending.
  const bubbles = () => widget(page).locator(".msg.customer").allTextContents();
  await waitUntil(
    "every message shown as sent",
    async () => (await bubbles()).length === typed.length && !(await widget(page).locator(".msg.customer .meta").count()),
    15_000,
  );
  for (const text of typed)
    assert.equal((await bubbles()).filter((b) => b.endsWith(`: ${text}`)).length, 1, `"${text}" not shown exactly once`);
  assert.equal(await Message.countDocuments({ role: "customer" }), typed.length);
  assert.equal(await widget(page).locator(".failed").count(), 0, "no message left failed");
  // After a reload the history comes from the server, in order.
  await page.reload();
  await widget(page).getByText("Online").waitFor();
  const shown = await widget(page).locator(".msg.customer").allTextContents();
  assert.deepEqual(
    shown.map((s) => typed.find((t) => s.endsWith(`: ${t}`))),
    typed,
  );
  assert.deepEqual(pageErrors, []);
});
