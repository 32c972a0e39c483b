import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser } from "playwright-core";
import { useBrowserAndServer, widget } from "../helpers/browser.js";
import type { TestServer } from "../helpers/server.js";
import { createUser, loginAs, seedBotExchange } from "../helpers/agents.js";
import { Conversation } from "../../server/models/index.js";

// The agent's whole path in a real browser: sign in, take over a waiting customer (who chats in the widget on
// the demo page), reply, then review bot replies; the examples and their lineage are checked through the API.
let t: TestServer;
let browser: Browser;
useBrowserAndServer((s) => ({ t, browser } = s));

test("an agent takes over a waiting conversation, replies to the widget, and approves bot replies with lineage", async () => {
  const agent = await createUser("agent", { name: "Ann Agent" });
  const errors: string[] = [];

  // The customer asks on the demo page; with no model active the bot hands off and the conversation waits.
  const customer = await (await browser.newContext()).newPage();
  customer.on("pageerror", (e) => errors.push(`widget: ${e.message}`));
  await customer.goto(t.url + "/");
  await widget(customer).getByRole("button", { name: "Open chat" }).click();
  await widget(customer).getByText("Online").waitFor();
  await widget(customer).getByRole("textbox", { name: "Message" }).fill("Can a person help me with <b>order</b> 42?");
  await widget(customer).getByRole("textbox", { name: "Message" }).press("Enter");
  await widget(customer).getByRole("log").getByText("A member of our team will reply here", { exact: false }).waitFor();

  // Two bot replies to review, made by the real recorder as if model v-2026-11-28 had answered.
  const low = await seedBotExchange(t.server.ctx, {
    question: "How do I reset my password?",
    confidence: 0.31,
    modelVersion: "v-2026-11-28",
  });
  const high = await seedBotExchange(t.server.ctx, { question: "Do you ship to Norway?", confidence: 0.62, modelVersion: "v-2026-11-28" });
  const joke = await seedBotExchange(t.server.ctx, {
    question: "Tell me a joke about parcels",
    confidence: 0.9,
    modelVersion: "v-2026-11-28",
  });

  const console_ = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  console_.on("pageerror", (e) => errors.push(`console: ${e.message}`));
  await console_.goto(t.url + "/console/");
  await console_.getByLabel("Email").fill(agent.email);
  await console_.getByLabel("Password").fill(agent.password);
  await console_.getByRole("button", { name: "Sign in" }).click();

  // Waiting first in the live list, with its unread count.
  const first = console_.getByTestId("conversation-row").first();
  await first.waitFor();
  assert.equal(await first.getAttribute("data-status"), "waiting");
  assert.equal(await first.getByTestId("unread").textContent(), "1");
  await first.click();
  const view = console_.getByTestId("conversation-view");
  await view.getByText("Can a person help me with <b>order</b> 42?").waitFor();
  // why the bot handed it over, in the agent's words
  assert.equal(await view.getByTestId("handoff-reason").getAttribute("data-reason"), "no_model");
  assert.equal(await view.locator(".text b").count(), 0, "message HTML is shown as text");

  await view.getByTestId("takeover").click();
  await view.getByText("Ann Agent joined the conversation.").waitFor();
  await widget(customer).getByRole("log").getByText("Ann Agent joined the conversation.").waitFor();

  await view.getByTestId("reply-input").fill("Hi! I'm Ann. <i>Looking</i> at order 42 now.");
  await view.getByTestId("send").click();
  // The customer sees it at once, as text.
  await widget(customer).getByRole("log").getByText("Hi! I'm Ann. <i>Looking</i> at order 42 now.").waitFor({ timeout: 5000 });
  assert.equal(await widget(customer).getByRole("log").locator("i").count(), 0);

  // The customer answers; it shows live in the open conversation.
  await widget(customer).getByRole("textbox", { name: "Message" }).fill("Thank you!");
  await widget(customer).getByRole("textbox", { name: "Message" }).press("Enter");
  await view.getByText("Thank you!").waitFor();
  const conversation = await Conversation.findOne({ status: "agent" }).lean();
  assert.equal(String(conversation?.assignedAgentId), agent.id);

  // Screenshots for a human to look at; outside the working tree unless SCREENSHOT_DIR says otherwise.
  const shots = process.env.SCREENSHOT_DIR ?? path.join(os.tmpdir(), "understudy-e2e");
  fs.mkdirSync(shots, { recursive: true });
  await console_.screenshot({ path: path.join(shots, "console-conversation.png") });

  // Review queue: lowest confidence first. Approve it as golden; correct the other with edited text.
  await console_.getByTestId("nav-reviews").click();
  const items = console_.getByTestId("review-item");
  await items.first().waitFor();
  assert.equal(await items.first().getByTestId("review-question").textContent(), "How do I reset my password?");
  await console_.screenshot({ path: path.join(shots, "console-reviews.png") });
  await items.first().getByTestId("golden").check();
  await items.first().getByTestId("approve").click();
  await console_.getByTestId("review-question").filter({ hasText: "How do I reset my password?" }).waitFor({ state: "detached" });
  const second = items.first();
  assert.equal(await second.getByTestId("review-question").textContent(), "Do you ship to Norway?");
  await second.getByTestId("edit").click();
  await second.getByTestId("edit-text").fill("Yes {{first_name}}, we ship to Norway in 3-5 days.");
  await second.getByTestId("save-edit").click();
  // a question the team wants a person for: no answer should answer it
  await console_.getByTestId("review-question").filter({ hasText: "Do you ship to Norway?" }).waitFor({ state: "detached" });
  assert.equal(await items.first().getByTestId("review-question").textContent(), "Tell me a joke about parcels");
  await items.first().getByTestId("not-for-bot").click();
  await console_.getByText("Nothing to review.").waitFor();

  // The examples and their lineage, through the API.
  const api = await loginAs(t.url, agent);
  const { body } = await api.get("/api/examples").expect(200);
  assert.equal(body.examples.length, 3);
  const notForBot = body.examples.find((e: { question: string }) => e.question === "Tell me a joke about parcels");
  assert.deepEqual([notForBot.outOfScope, notForBot.answerId, notForBot.lineage.replyMessageId], [true, null, String(joke.reply._id)]);
  const golden = body.examples.find((e: { question: string }) => e.question === "How do I reset my password?");
  const edited = body.examples.find((e: { question: string }) => e.question === "Do you ship to Norway?");
  assert.equal(golden.golden, true);
  assert.equal(golden.answerId, low.answerId);
  assert.deepEqual(
    [
      golden.lineage.kind,
      golden.lineage.conversationId,
      golden.lineage.questionMessageId,
      golden.lineage.replyMessageId,
      golden.lineage.modelVersion,
      golden.lineage.approvedBy,
    ],
    ["bot_reply", String(low.conversation._id), String(low.question._id), String(low.reply._id), "v-2026-11-28", agent.id],
  );
  assert.equal(edited.golden, false);
  assert.notEqual(edited.answerId, high.answerId, "the edited text became its own answer");
  assert.equal(edited.lineage.replyMessageId, String(high.reply._id));
  assert.equal(edited.lineage.modelVersion, "v-2026-11-28");
  const answer = await api.get(`/api/answers/${edited.answerId}`).expect(200);
  assert.equal(answer.body.answer.text, "Yes {{first_name}}, we ship to Norway in 3-5 days.");

  // The examples page shows them too.
  await console_.getByTestId("nav-examples").click();
  await console_.getByTestId("example-row").nth(1).waitFor();
  await console_.screenshot({ path: path.join(shots, "console-examples.png") });
  assert.deepEqual(errors, []);
});
