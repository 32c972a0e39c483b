import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import type { Browser } from "playwright-core";
import { Conversation, Message } from "../../server/models/index.js";
import { Types } from "mongoose";
import { recordAgentMessage } from "../../server/conversationLog/index.js";
import { useBrowserAndServer, widget } from "../helpers/browser.js";
import type { TestServer } from "../helpers/server.js";

// The whole customer path in a real browser: demo page → widget → socket → FerretDB → hand-off → reload.
let t: TestServer;
let browser: Browser;
useBrowserAndServer((s) => ({ t, browser } = s));

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
  assert.equal(
    await widget(page)
      .getByRole("button", { name: "Open chat" })
      .evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement),
    true,
  );
  assert.deepEqual(errors, []);
  await context.close();
});

test("offline messages are queued and sent once on reconnect; agent typing shows in the widget", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(t.url + "/zh-CN.html");
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
  t.server.ctx.events.publish({ type: "typing", conversationId: String(conv._id), role: "agent", typing: true });
  await widget(page).getByText("客服正在输入…").waitFor();

  // With the panel closed, an agent's reply shows as an unread count on the bubble.
  await widget(page).getByRole("textbox", { name: "消息" }).press("Escape");
  await recordAgentMessage(t.server.ctx, {
    conversationId: String(conv._id),
    agentId: String(new Types.ObjectId()),
    clientId: "agent-1",
    text: "您好,我来帮您查一下。",
  });
  await widget(page).getByRole("button", { name: "打开聊天 (1 条新消息)" }).click();
  await widget(page).getByRole("log").getByText("您好,我来帮您查一下。").waitFor();
  assert.equal(await widget(page).getByText("客服正在输入…").count(), 0, "a reply ends the typing indicator");
  await context.close();
});

test("one script tag embeds the widget on another site's page (cross-origin), with its title and colour", async () => {
  // A different origin: the shop's own server on another port and host name.
  const shop = http.createServer((_req, res) => {
    res.setHeader("content-type", "text/html; charset=utf-8");
    res.end(`<!doctype html><html lang="en"><body><h1>Another shop</h1>
      <script src="${t.url}/widget.js" data-server="${t.url}" data-title="Shop help" data-color="rebeccapurple" data-lang="en" async></script></body></html>`);
  });
  await new Promise<void>((resolve) => shop.listen(0, "127.0.0.1", resolve));
  const shopUrl = `http://localhost:${(shop.address() as { port: number }).port}/`;
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(shopUrl);
    await widget(page).getByRole("button", { name: "Open chat" }).click();
    await widget(page).getByRole("dialog", { name: "Shop help" }).waitFor();
    const header = await widget(page)
      .locator("header")
      .evaluate((el) => getComputedStyle(el).backgroundColor);
    assert.equal(header, "rgb(102, 51, 153)");
    await widget(page).getByText("Online").waitFor();
    await widget(page).getByRole("textbox", { name: "Message" }).fill("Hello from another site");
    await widget(page).getByRole("button", { name: "Send" }).click();
    await widget(page).getByRole("log").getByText("A member of our team will reply here", { exact: false }).waitFor();
    const conv = await Conversation.findOne({ "channel.pageUrl": shopUrl }).lean();
    assert.ok(conv, "the conversation records the page it came from");
    assert.equal(conv.channel?.origin, shopUrl.slice(0, -1));
  } finally {
    await context.close();
    shop.close();
  }
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("condition not met in time");
}
