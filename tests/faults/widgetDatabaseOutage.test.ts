import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import mongoose from "mongoose";
import type { Browser, Page } from "playwright-core";
import { freePort, startEmbeddedMongo, type EmbeddedMongo } from "../../server/db/embeddedMongo.js";
import { connectMongoose } from "../../server/db/connect.js";
import { loadConfig } from "../../server/config.js";
import { createServer, type RunningServer } from "../../server/app.js";
import { Message } from "../../server/models/index.js";
import { buildClient, launchBrowser } from "../helpers/browser.js";
import { recordHardening, waitUntil } from "../helpers/faults.js";

// The database restarts while the widget stays connected to a healthy chat server. A message typed during
// the outage is refused as "unavailable" and must not sit in the outbox until the customer types again:
// the widget retries on its own once the database is back, and the message is stored once.
const root = path.resolve(import.meta.dirname, "../..");
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "understudy-widget-outage-"));
let dbPort: number;
let db: EmbeddedMongo;
let server: RunningServer;
let url: string;
let browser: Browser;
let lost = 0;
const startDb = () =>
  startEmbeddedMongo({
    bin: path.join(root, ".local/bin/ferretdb"),
    dataDir: path.join(dataDir, "db"),
    port: dbPort,
    database: "understudy_outage",
  });

before(async () => {
  buildClient();
  dbPort = await freePort();
  db = await startDb();
  await connectMongoose(db.uri);
  const config = loadConfig(
    {
      NODE_ENV: "test",
      MONGODB_URI: db.uri,
      DATA_DIR: path.join(dataDir, "data"),
      MODELS_DIR: path.join(dataDir, "models"),
      SESSION_SECRET: "fault-test-secret-0123456789",
      TRAINER_ENABLED: "false",
      LOG_LEVEL: "silent",
    },
    root,
  );
  server = await createServer(config);
  url = `http://127.0.0.1:${await server.listen(0, "127.0.0.1")}`;
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.close();
  await mongoose.disconnect();
  await db?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
  await recordHardening("faults.widgetDatabaseOutage", { faultsInjected: 1, acknowledgedMessages: 2, messagesLost: lost });
  console.log(`faults: database outage under a connected widget, ${lost} messages lost`);
});

const widget = (page: Page) => page.locator("#understudy-widget");
async function type(page: Page, text: string) {
  await widget(page).getByRole("textbox", { name: "Message" }).fill(text);
  await widget(page).getByRole("textbox", { name: "Message" }).press("Enter");
}

test("a message refused during a database outage is retried by the widget without the customer's help", async () => {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${url}/`);
  await widget(page).getByRole("button", { name: "Open chat" }).click();
  await widget(page).getByRole("status").filter({ hasText: "Online" }).waitFor();
  await type(page, "before the outage");
  await waitUntil("the first message", async () => (await Message.countDocuments({ text: "before the outage" })) === 1, 15_000);

  await db.stop();
  await waitUntil("health 503", async () => (await fetch(`${url}/api/health`)).status === 503, 30_000, 250);
  await type(page, "typed during the outage");
  // The server answers "unavailable" once the driver gives up on the dead database.
  await new Promise((r) => setTimeout(r, 12_000));
  db = await startDb();
  await waitUntil("health 200", async () => (await fetch(`${url}/api/health`)).status === 200, 60_000, 250);
  try {
    await waitUntil(
      "the widget to resend on its own",
      async () => (await Message.countDocuments({ text: "typed during the outage" })) === 1,
      30_000,
      250,
    );
  } catch (err) {
    lost++;
    throw err;
  }
  assert.equal(await Message.countDocuments({ role: "customer" }), 2);
  await waitUntil(
    "no message left pending in the widget",
    async () => (await widget(page).locator(".msg.customer .meta").count()) === 0,
    10_000,
  );
});
