import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { Conversation, Message } from "../../server/models/index.js";
import { publishTyping } from "../../server/gateway/broadcast.js";
import { buildClient, launchBrowser } from "../helpers/browser.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

// The whole customer path in a real browser: demo page → widget → socket → FerretDB → hand-off → reload.
let t: TestServer;
let browser: Browser;
before(async () => {
  buildClient();
  t = await startTestServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await t?.stop();
});

const widget = (page: Page) => page.locator("#understudy-widget");

test("a customer chats on the demo page, is told a human will answer, and finds the chat after a reload", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(t.url + "/");

  const bubble = widget(page).getByRole("button", { name: "Open chat" });
  await bubble.click();
  const dialog = widget(page).getByRole("dialog", { name: "Acme support" });
  await dialog.waitFor();
  await widget(page).getByText("Online").waitFor();
  const input = widget(page).getByRole("textbox", { name: "Message" });
  assert.equal(await input.evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement), true, "focus moves to the input");

  // Text is shown as text, never parsed as HTML.
  await input.fill("<b>Where</b> is my order #1234?");
  await input.press("Enter");
  const log = widget(page).getByRole("log");
  await log.getByText("<b>Where</b> is my order #1234?").waitFor();
  await log.getByText("A member of our team will reply here", { exact: false }).waitFor();
  assert.equal(await log.locator("b").count(), 0);

  const stored = await Message.findOne({ role: "customer" }).lean();
  assert.equal(stored?.text, "<b>Where</b> is my order #1234?");
  const conversation = await Conversation.findById(stored!.conversationId).lean();
  assert.equal(conversation?.status, "waiting");

  await page.reload();
  // The panel stays open across the reload, and the history is there.
  await widget(page).getByRole("dialog").waitFor();
  await widget(page).getByRole("log").getByText("<b>Where</b> is my order #1234?").waitFor();
  await widget(page).getByRole("log").getByText("A member of our team will reply here", { exact: false }).waitFor();
  await widget(page).getByText("Online").waitFor();
  await widget(page).getByRole("textbox", { name: "Message" }).fill("Thanks, I will wait.");
  await widget(page).getByRole("button", { name: "Send" }).click();
  await widget(page).getByRole("log").getByText("Thanks, I will wait.").waitFor();
  await waitFor(async () => (await Message.countDocuments({ role: "customer" })) === 2);
  assert.equal(await Conversation.countDocuments({}), 1, "the reload resumed the same conversation");

  // Escape closes the panel and gives focus back to the bubble.
  await widget(page).getByRole("textbox", { name: "Message" }).press("Escape");
  assert.equal(await widget(page).getByRole("dialog").count(), 0);
  assert.equal(await widget(page).getByRole("button", { name: "Open chat" }).evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement), true);
  assert.deepEqual(errors, []);
  await context.close();
});

test("offline messages are queued and sent once on reconnect; agent typing shows in the widget", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(t.url + "/?lang=zh-CN");
  await widget(page).getByRole("button", { name: "打开聊天" }).click();
  await widget(page).getByText("在线").waitFor();

  await context.setOffline(true);
  // Chromium's offline mode does not cut an open WebSocket; the engine notices via the browser's offline event.
  await page.evaluate(() => window.dispatchEvent(new Event("offline")));
  await widget(page).getByText("已离线", { exact: false }).first().waitFor();
  await widget(page).getByRole("textbox", { name: "消息" }).fill("离线时发送的消息");
  await widget(page).getByRole("textbox", { name: "消息" }).press("Enter");
  await widget(page).getByText("等待连接", { exact: false }).waitFor();
  assert.equal(await Message.countDocuments({ text: "离线时发送的消息" }), 0);

  await context.setOffline(false);
  await widget(page).getByText("在线").waitFor({ timeout: 15000 });
  await widget(page).getByRole("log").getByText("我们的客服人员会尽快", { exact: false }).waitFor({ timeout: 15000 });
  assert.equal(await Message.countDocuments({ text: "离线时发送的消息" }), 1);

  const conv = await Conversation.findOne({ "channel.language": "zh-CN" }).lean();
  assert.ok(conv);
  // What the console's typing relay does when an agent types.
  publishTyping(t.server.io, { conversationId: String(conv._id), role: "agent", typing: true });
  await widget(page).getByText("客服正在输入…").waitFor();
  await context.close();
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("condition not met in time");
}
