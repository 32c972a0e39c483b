import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import mongoose from "mongoose";
import { freePort, startEmbeddedMongo, type EmbeddedMongo } from "../../server/db/embeddedMongo.js";
import { connectMongoose } from "../../server/db/connect.js";
import { Message } from "../../server/models/index.js";
import { connectCustomer } from "../helpers/socketClient.js";
import { recordHardening, waitUntil } from "../helpers/faults.js";
import { startChatProcess, type ChatProcess } from "../helpers/processes.js";

// The database goes away under a running chat server and comes back on the same port with the same
// files. While it is gone the server says "unavailable" (health 503, socket code "unavailable", REST 503),
// never "internal"; afterwards it serves again and every acknowledged message is stored exactly once.
const root = path.resolve(import.meta.dirname, "../..");
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "understudy-dbrestart-"));
let dbPort: number;
let db: EmbeddedMongo;
let chat: ChatProcess;
let faults = 0;
const acked = new Map<string, string>(); // clientId → text
let lost = 0;
let duplicated = 0;

const startDb = () =>
  startEmbeddedMongo({ bin: path.join(root, ".local/bin/ferretdb"), dataDir, port: dbPort, database: "understudy_dbrestart" });

before(async () => {
  dbPort = await freePort();
  db = await startDb();
  await connectMongoose(db.uri);
  chat = await startChatProcess("db-restart", { MONGODB_URI: db.uri, SESSION_SECRET: "fault-test-secret-0123456789", ...ADMIN_ENV });
});
after(async () => {
  await chat?.stop();
  await mongoose.disconnect();
  await db?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
  await recordHardening("faults.databaseRestart", {
    faultsInjected: faults,
    acknowledgedMessages: acked.size,
    messagesLost: lost,
    messagesDuplicated: duplicated,
  });
  console.log(`faults: database restarted ${faults} time(s); ${acked.size} acknowledged messages, ${lost} lost, ${duplicated} duplicated`);
});

const ADMIN_ENV = { ADMIN_EMAIL: "admin@dbrestart.test", ADMIN_PASSWORD: "dbrestart-admin-password" };
const health = () => fetch(`${chat.url}/api/health`, { signal: AbortSignal.timeout(3000) }).then((r) => r.status);

test("a database restart is reported as unavailable, then the server recovers without losing acknowledged messages", async () => {
  const customer = await connectCustomer(chat.url);
  let conversationId: string | null = null;
  const send = async (clientId: string, text: string, timeoutMs = 5000) => {
    const ack = await customer.request("message:send", { conversationId, clientId, text }, timeoutMs);
    if (ack.ok) {
      conversationId = ack.conversation.id;
      acked.set(clientId, text);
    }
    return ack;
  };
  for (let i = 1; i <= 4; i++) assert.equal((await send(`before-${i}`, `before the outage ${i}`)).ok, true);
  const login = await fetch(`${chat.url}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: ADMIN_ENV.ADMIN_EMAIL, password: ADMIN_ENV.ADMIN_PASSWORD }),
  });
  assert.equal(login.status, 200);
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");

  await db.stop();
  faults++;
  await waitUntil("health to report the database down", async () => (await health()) === 503, 30_000, 250);
  // Both wait for the driver to give up on the dead database (~10 s), so they run side by side.
  const [during, rest, signedIn] = await Promise.all([
    send("during-1", "sent while the database is down", 30_000),
    fetch(`${chat.url}/api/widget/conversations`, {
      headers: { Authorization: `Bearer ${customer.session.token}` },
      signal: AbortSignal.timeout(30_000),
    }),
    // A signed-in agent is told to retry, not to sign in again: the session store is unreachable, not empty.
    fetch(`${chat.url}/api/auth/session`, { headers: { cookie }, signal: AbortSignal.timeout(30_000) }),
  ]);
  assert.equal(signedIn.status, 503, await signedIn.clone().text());
  assert.equal(during.ok, false, "nothing can be acknowledged without a database");
  assert.equal(during.error.code, "unavailable", JSON.stringify(during));
  assert.equal(rest.status, 503, await rest.text());
  assert.equal(((await rest.json().catch(() => ({}))) as { error?: { code?: string } }).error?.code ?? "unavailable", "unavailable");

  db = await startDb();
  await waitUntil("health to recover", async () => (await health()) === 200, 60_000, 250);
  // The widget resends what was refused, with the same clientId.
  await waitUntil(
    "the resend to be accepted",
    async () => (await send("during-1", "sent while the database is down", 15_000)).ok === true,
    60_000,
    500,
  );
  for (let i = 1; i <= 3; i++) assert.equal((await send(`after-${i}`, `after the outage ${i}`)).ok, true);

  const sync = await customer.request("conversation:sync", { conversationId, afterSeq: 0 });
  assert.equal(sync.ok, true);
  await waitUntil("mongoose in the test to reconnect", async () => (await Message.estimatedDocumentCount()) >= 0, 30_000);
  for (const [clientId, text] of acked) {
    const stored = await Message.find({ clientId }).lean();
    if (stored.length === 0) lost++;
    if (stored.length > 1) duplicated++;
    assert.equal(stored.length, 1, `${clientId} stored ${stored.length} times`);
    assert.equal(stored[0].text, text);
    assert.equal(sync.messages.filter((m: { clientId: string }) => m.clientId === clientId).length, 1);
  }
  assert.equal(lost, 0);
  customer.close();
});
