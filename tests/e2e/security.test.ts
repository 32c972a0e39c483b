import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { freePort } from "../../server/db/embeddedMongo.js";
import { Conversation, Message } from "../../server/models/index.js";
import { recordAgentMessage } from "../../server/conversationLog/index.js";
import { buildClient, launchBrowser } from "../helpers/browser.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { createUser } from "../helpers/agents.js";
import { recordHardening } from "../helpers/faults.js";

// In a real browser: hostile HTML in messages and names never executes in the widget or the console; the
// pages work under the server's CSP with no violation; and the widget embeds on a listed site (another
// origin) but cannot connect from an unlisted one.
const XSS = [
  `<img src=x onerror="window.__xss='img'">`,
  `<script>window.__xss='script'</script>`,
  `<svg onload="window.__xss='svg'"></svg>`,
  `<a href="javascript:window.__xss='href'">click</a>`,
  `"><iframe srcdoc="<script>parent.__xss='iframe'</script>">`,
];
let t: TestServer;
let browser: Browser;
let listedSite: http.Server;
let unlistedSite: http.Server;
let listedUrl: string;
let unlistedUrl: string;
let attempts = 0;
let executed = 0;
let unlistedConnected = 0;

// A customer's website: a plain page that embeds the widget with the one documented tag.
function embeddingSite(port: number, serverUrl: string): Promise<http.Server> {
  const page = `<!doctype html><html lang="en"><head><title>Shop</title></head><body><h1>Shop</h1>
<script src="${serverUrl}/widget.js" data-title="Shop support" async></script></body></html>`;
  const site = http.createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end(page));
  return new Promise((resolve) => site.listen(port, "127.0.0.1", () => resolve(site)));
}

before(async () => {
  buildClient();
  const [listedPort, unlistedPort] = [await freePort(), await freePort()];
  listedUrl = `http://127.0.0.1:${listedPort}`;
  unlistedUrl = `http://127.0.0.1:${unlistedPort}`;
  t = await startTestServer({ CORS_ORIGINS: listedUrl });
  listedSite = await embeddingSite(listedPort, t.url);
  unlistedSite = await embeddingSite(unlistedPort, t.url);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await new Promise((r) => listedSite?.close(r));
  await new Promise((r) => unlistedSite?.close(r));
  await t?.stop();
  await recordHardening("e2e.security", {
    payloadsTried: attempts,
    scriptsExecuted: executed,
    unauthorizedAttempts: 1,
    unauthorizedSucceeded: unlistedConnected,
  });
  console.log(`xss: ${attempts} HTML payloads rendered in widget and console, ${executed} executed`);
});

/** A page that records CSP violations and page errors from the first script on. */
async function watchedPage(context: BrowserContext) {
  await context.addInitScript(() => {
    (window as unknown as { __csp: string[] }).__csp = [];
    document.addEventListener("securitypolicyviolation", (e) =>
      (window as unknown as { __csp: string[] }).__csp.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("dialog", (d) => {
    executed++;
    errors.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  return { page, errors, violations: () => page.evaluate(() => (window as unknown as { __csp: string[] }).__csp) };
}
const xssRan = (page: Page) => page.evaluate(() => (window as unknown as { __xss?: string }).__xss ?? null);
const widget = (page: Page) => page.locator("#understudy-widget");

test("hostile HTML from customer and agent is shown as text in the widget and the console, and never runs", async () => {
  const customer = await watchedPage(await browser.newContext());
  await customer.page.goto(`${t.url}/`);
  await widget(customer.page).getByRole("button", { name: "Open chat" }).click();
  await widget(customer.page).getByText("Online").waitFor();
  for (const payload of XSS) {
    await widget(customer.page).getByRole("textbox", { name: "Message" }).fill(payload);
    await widget(customer.page).getByRole("textbox", { name: "Message" }).press("Enter");
    attempts++;
  }
  await waitFor(async () => (await Message.countDocuments({ role: "customer" })) === XSS.length);
  const conversation = (await Conversation.findOne({}))!;
  // A hostile display name, and agent replies carrying HTML back to the widget.
  await Conversation.updateOne(
    { _id: conversation._id },
    { $set: { customerName: `<img src=x onerror="window.__xss='name'">`, status: "agent" } },
  );
  const agent = await createUser("agent");
  for (const [i, payload] of XSS.entries()) {
    await recordAgentMessage(t.server.ctx, {
      conversationId: String(conversation._id),
      agentId: agent.id,
      clientId: `agent-${i}`,
      text: `agent: ${payload}`,
    });
    attempts++;
  }
  const log = widget(customer.page).getByRole("log");
  await log.getByText(`agent: ${XSS[XSS.length - 1]}`).waitFor();
  for (const payload of XSS) await log.getByText(payload, { exact: false }).first().waitFor();
  assert.equal(
    await log.locator("img, script, svg, iframe, a[href^='javascript']").count(),
    0,
    "message HTML became elements in the widget",
  );

  const agentPage = await watchedPage(await browser.newContext());
  await agentPage.page.goto(`${t.url}/console/`);
  await agentPage.page.getByLabel("Email").fill(agent.email);
  await agentPage.page.getByLabel("Password").fill(agent.password);
  await agentPage.page.getByRole("button", { name: "Sign in" }).click();
  const row = agentPage.page.getByTestId("conversation-row").first();
  await row.waitFor();
  await row.click();
  const view = agentPage.page.getByTestId("conversation-view");
  for (const payload of XSS) await view.getByText(payload, { exact: false }).first().waitFor();
  attempts++; // the display name
  assert.equal(
    await agentPage.page
      .locator(
        "[data-testid=conversation-view] img, [data-testid=conversation-list] img, [data-testid=messages] script, [data-testid=messages] iframe",
      )
      .count(),
    0,
    "HTML became elements in the console",
  );

  await new Promise((r) => setTimeout(r, 500)); // an onerror/onload would have fired by now
  for (const p of [customer, agentPage]) {
    const ran = await xssRan(p.page);
    if (ran) executed++;
    assert.equal(ran, null, `a payload executed: ${ran}`);
    assert.deepEqual(await p.violations(), [], "the page itself needs nothing the CSP forbids");
    assert.deepEqual(p.errors, []);
  }
});

test("the API docs page works under the CSP", async () => {
  const docs = await watchedPage(await browser.newContext());
  await docs.page.goto(`${t.url}/api/docs/`);
  await docs.page.getByText("Understudy", { exact: false }).first().waitFor({ timeout: 15_000 });
  assert.deepEqual(await docs.violations(), []);
});

test("the widget embeds on a listed site from another origin, and cannot connect from an unlisted one", async () => {
  const listed = await watchedPage(await browser.newContext());
  await listed.page.goto(`${listedUrl}/`);
  await widget(listed.page).getByRole("button", { name: "Open chat" }).click();
  await widget(listed.page).getByRole("status").filter({ hasText: "Online" }).waitFor({ timeout: 15_000 });
  await widget(listed.page).getByRole("textbox", { name: "Message" }).fill("hello from the shop");
  await widget(listed.page).getByRole("textbox", { name: "Message" }).press("Enter");
  await waitFor(async () => (await Message.countDocuments({ text: "hello from the shop" })) === 1);
  const stored = await Conversation.findOne({ "channel.origin": listedUrl }).lean();
  assert.ok(stored, "the conversation records the embedding site");

  const unlisted = await watchedPage(await browser.newContext());
  await unlisted.page.goto(`${unlistedUrl}/`);
  await widget(unlisted.page).getByRole("button", { name: "Open chat" }).click();
  await widget(unlisted.page).getByRole("status").filter({ hasText: "Offline" }).waitFor({ timeout: 15_000 });
  await new Promise((r) => setTimeout(r, 1000));
  if (await widget(unlisted.page).getByRole("status").filter({ hasText: "Online" }).count()) unlistedConnected++;
  assert.equal(unlistedConnected, 0, "an unlisted site got a chat connection");
  assert.equal(await Conversation.countDocuments({ "channel.origin": unlistedUrl }), 0);
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 100));
  }
}
