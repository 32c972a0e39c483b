// The console's action flows in real browsers: an admin defines and previews the action, attaches it and its
// slot to an answer in the answer editor; a customer on the demo page then gets the live status from the demo
// order service, is asked for the number when it is missing, and is handed to a person when the service is
// down; the agent sees the calls beside the conversation. The model's part is a stand-in here (it picks the
// order answer for order questions) so the console flows stay quick; tests/e2e/demoOrders.test.ts runs the
// same example on the demo workspace with a version trained for real.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import type { Browser, Page } from "playwright-core";
import type { Bot } from "../../server/bot/types.js";
import { Message } from "../../server/models/index.js";
import { buildClient, launchBrowser, widget, signInToConsole } from "../helpers/browser.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { createUser, loginAs } from "../helpers/agents.js";
import { startOrderService, type OrderService } from "../../scripts/order-service/orderService.js";
import { startWebhookReceiver, type WebhookReceiver } from "../helpers/webhookReceiver.js";

let t: TestServer;
let browser: Browser;
let orders: OrderService;
let receiver: WebhookReceiver;
let answerId = "";

// The model's stand-in: it picks the order answer for order questions (and nothing else). The rest is the real path.
const orderBot: Bot = {
  async decide(input) {
    if (!answerId || !/order/i.test(input.text))
      return { kind: "handoff", reason: "low_confidence", confidence: 0.1, modelVersion: "m-demo" };
    return { kind: "reply", answerId, text: "", confidence: 0.95, modelVersion: "m-demo", replyId: crypto.randomUUID(), alternatives: [] };
  },
  activeVersion: () => "m-demo",
};

before(async () => {
  buildClient();
  orders = await startOrderService();
  receiver = await startWebhookReceiver();
  t = await startTestServer({ OUTBOUND_ALLOWED_URLS: `${orders.url}, ${receiver.url}`, WEBHOOK_RETRY_BASE_MS: "60000" });
  t.server.ctx.bot = orderBot;
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await t?.stop();
  await orders?.close();
  await receiver?.close();
});

const signIn = (page: Page, who: { email: string; password: string }) => signInToConsole(page, t.url, who);

test("an admin defines and previews the order action; the demo page bot answers with the live order status", async () => {
  const errors: string[] = [];
  const admin = await createUser("admin", { name: "Ada Admin" });
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  page.on("pageerror", (e) => errors.push(`console: ${e.message}`));
  await signIn(page, admin);
  await page.getByTestId("nav-actions").click();
  const form = page.getByTestId("action-form");
  await form.getByLabel("Name").fill("order_status");
  await form.getByLabel("URL").fill(`${orders.url}/orders/{{order_number}}`);
  await form.getByLabel("Headers").fill("secret X-Api-Key: sk_demo_123");
  await form.getByRole("button", { name: "Create" }).click();
  const secret = (await page.getByTestId("signing-secret").locator("code").textContent())!;
  assert.match(secret, /^whsec_/);
  orders.setSecret(secret);
  const detail = page.getByTestId("action-detail");
  await detail.getByText("X-Api-Key: •••• (secret)").waitFor();
  assert.equal(await page.getByText("sk_demo_123").count(), 0, "the secret header value never reaches the browser");

  const preview = page.getByTestId("action-preview");
  await preview.getByRole("button", { name: "Call it" }).click();
  await preview.getByTestId("preview-result").getByText("Order 4321 is on its way.").waitFor();
  await detail.getByTestId("action-call").first().getByText("preview", { exact: false }).waitFor();

  // The answer that uses it: written in the reply bank, then the action and its slot attached in the console.
  const api = await loginAs(t.url, admin);
  const created = await api.post("/api/answers").send({ title: "Where is my order", text: "Your order is on its way." }).expect(201);
  answerId = created.body.answer.id;
  await page.getByTestId("nav-answers").click();
  await page.locator(".row", { hasText: "Where is my order" }).click();
  const detail2 = page.locator("section.detail");
  await detail2.getByLabel("Text", { exact: true }).fill("Order {{order_number}} is {{order.status}}, arriving {{order.eta}}.");
  const editor = page.getByTestId("answer-action");
  await editor.getByLabel("Action").selectOption("order_status");
  await editor.getByRole("button", { name: "Add slot" }).click();
  await editor.getByLabel("Slot name").fill("order_number");
  await editor.getByLabel("Slot pattern").fill("(\\d{4,8}");
  await editor.getByLabel("Slot prompt").fill("What is your order number?");
  await editor.getByRole("button", { name: "Save action" }).click();
  // The server's zod check names the slot and the field; nothing is saved.
  await editor.getByRole("alert").getByText("slot 1 pattern: is not a valid regular expression").waitFor();
  assert.equal((await api.get(`/api/answers/${answerId}`).expect(200)).body.answer.action, null);
  await editor.getByLabel("Slot pattern").fill("(\\d{4,8})");
  await editor.getByRole("button", { name: "Save action" }).click();
  await editor.getByTestId("action-saved").waitFor();
  const saved = (await api.get(`/api/answers/${answerId}`).expect(200)).body.answer;
  assert.deepEqual(saved.action, {
    name: "order_status",
    slots: [{ name: "order_number", pattern: "(\\d{4,8})", prompt: "What is your order number?" }],
  });
  assert.equal(saved.text, "Order {{order_number}} is {{order.status}}, arriving {{order.eta}}.");
  await page.locator(".row", { hasText: "Where is my order" }).getByText("order_status").waitFor();

  const shop = await (await browser.newContext()).newPage();
  shop.on("pageerror", (e) => errors.push(`widget: ${e.message}`));
  await shop.goto(t.url + "/");
  await widget(shop).getByRole("button", { name: "Open chat" }).click();
  await widget(shop).getByText("Online").waitFor();
  const input = widget(shop).getByRole("textbox", { name: "Message" });
  const log = widget(shop).getByRole("log");
  // No number yet: the bot asks with the answer's prompt, then answers from the reply.
  await input.fill("where is my order?");
  await input.press("Enter");
  await log.getByText("What is your order number?").waitFor();
  await input.fill("it's 4321");
  await input.press("Enter");
  await log.getByText("Order 4321 is on its way, arriving Thursday.").waitFor();
  // The status is live: the service's answer changes, so does the bot's.
  orders.orders.get("5555")!.status = "shipped";
  await input.fill("where is my order 5555?");
  await input.press("Enter");
  await log.getByText("Order 5555 is shipped, arriving next week.").waitFor();

  // Another customer asks with the number in the question: answered at once.
  const other = await (await browser.newContext()).newPage();
  await other.goto(t.url + "/");
  await widget(other).getByRole("button", { name: "Open chat" }).click();
  await widget(other).getByText("Online").waitFor();
  await widget(other).getByRole("textbox", { name: "Message" }).fill("where is my order 4321?");
  await widget(other).getByRole("textbox", { name: "Message" }).press("Enter");
  await widget(other).getByRole("log").getByText("Order 4321 is on its way, arriving Thursday.").waitFor();

  // The service goes down: a person takes over, saying why internally.
  await orders.close();
  await input.fill("and where is order 1234?");
  await input.press("Enter");
  await log.getByText("A member of our team will reply here", { exact: false }).waitFor();
  const notice = await Message.findOne({ role: "system" }).lean();
  assert.equal(notice?.handoffReason, "action_error");

  // The agent sees the calls behind the replies in the conversation.
  const agent = await createUser("agent");
  const desk = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await signIn(desk, agent);
  // Waiting first: the handed-off conversation.
  await desk.getByTestId("conversation-row").first().click();
  const calls = desk.getByTestId("conversation-view").getByTestId("action-call");
  await calls.nth(2).waitFor();
  assert.equal(await calls.count(), 3);
  assert.match((await calls.nth(2).textContent())!, /order_status.*error.*ECONNREFUSED/);
  assert.deepEqual(errors, []);
});

test("an admin subscribes a webhook in the console, sees failed deliveries in the log and redelivers one", async () => {
  const admin = await createUser("admin");
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await signIn(page, admin);
  await page.getByTestId("nav-webhooks").click();
  await page.getByLabel("Webhook URL").fill(`${receiver.url}/hooks`);
  await page.getByRole("button", { name: "Subscribe" }).click();
  receiver.setSecret((await page.getByTestId("webhook-secret").locator("code").last().textContent())!);
  receiver.status = 503;
  // A customer writes: the receiver refuses, the first retry is a minute away.
  const api = await loginAs(t.url, admin);
  const shop = await (await browser.newContext()).newPage();
  await shop.goto(t.url + "/");
  await widget(shop).getByRole("button", { name: "Open chat" }).click();
  await widget(shop).getByText("Online").waitFor();
  await widget(shop).getByRole("textbox", { name: "Message" }).fill("hello there");
  await widget(shop).getByRole("textbox", { name: "Message" }).press("Enter");
  const log = page.getByTestId("webhook-deliveries");
  const created = log.getByTestId("delivery-row").filter({ hasText: "message.created" }).last();
  await created.getByText("HTTP 503").waitFor({ timeout: 10_000 });
  receiver.status = 200;
  await created.getByRole("button", { name: "Redeliver" }).click();
  await log.locator('[data-testid="delivery-row"][data-status="delivered"]').first().waitFor({ timeout: 10_000 });
  assert.ok(receiver.received.some((e) => e.event === "message.created" && e.body.data.message.text === "hello there" && e.signatureOk));
  assert.equal((await api.get("/api/webhooks").expect(200)).body.webhooks.length, 1);
});
