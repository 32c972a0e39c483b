import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import mongoose from "mongoose";
import { freePort, startEmbeddedMongo, type EmbeddedMongo } from "../../server/db/embeddedMongo.js";
import { ferretdbProcessesOn } from "../../server/db/staleFerretdb.js";
import { connectMongoose } from "../../server/db/connect.js";
import { Message } from "../../server/models/index.js";
import { connectCustomer } from "../helpers/socketClient.js";
import { recordHardening, waitUntil } from "../helpers/faults.js";
import { startChatProcess, type ChatProcess } from "../helpers/processes.js";

// FerretDB itself is killed with -9 while widgets are sending, on the default DB_SYNCHRONOUS=NORMAL (a commit
// is written to SQLite's log but not fsynced). A process crash must not lose what was acknowledged: after
// FerretDB restarts on the same files, every message whose ack said "stored" is there, exactly once, and
// what was refused meanwhile is stored once the widget resends it with the same clientId.
const root = path.resolve(import.meta.dirname, "../..");
const bin = process.env.FERRETDB_BIN ?? path.join(root, ".local/bin/ferretdb");
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "understudy-ferretdbkill-"));
let dbPort: number;
let db: EmbeddedMongo;
let chat: ChatProcess;
let faults = 0;
const acked = new Map<string, string>(); // clientId → text
let lost = 0;
let duplicated = 0;

const startDb = () => startEmbeddedMongo({ bin, dataDir, port: dbPort, database: "understudy_ferretdbkill" });

before(async () => {
  dbPort = await freePort();
  db = await startDb();
  chat = await startChatProcess("ferretdb-kill", { MONGODB_URI: db.uri, SESSION_SECRET: "fault-test-secret-0123456789" });
});
after(async () => {
  await chat?.stop();
  await mongoose.disconnect();
  await db?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
  await recordHardening("faults.ferretdbKill", {
    faultsInjected: faults,
    acknowledgedMessages: acked.size,
    messagesLost: lost,
    messagesDuplicated: duplicated,
  });
  console.log(`faults: FerretDB killed -9 ${faults} time(s); ${acked.size} acknowledged messages, ${lost} lost, ${duplicated} duplicated`);
});

test("kill -9 of FerretDB mid-burst loses no acknowledged message", async () => {
  const CUSTOMERS = 6;
  const PER_CUSTOMER = 14;
  const customers = await Promise.all(Array.from({ length: CUSTOMERS }, () => connectCustomer(chat.url)));
  let killed = false;
  let refused = 0;
  const sender = async (c: Awaited<ReturnType<typeof connectCustomer>>, n: number) => {
    let conversationId: string | null = null;
    for (let i = 1; i <= PER_CUSTOMER; i++) {
      const clientId = `c${n}-m${i}`;
      const text = `customer ${n} message ${i}`;
      // The widget's outbox: the same clientId again until the ack says stored.
      for (;;) {
        const ack: { ok: boolean; conversation?: any; error?: { code?: string } } = await c
          .request("message:send", { conversationId, clientId, text }, 30_000)
          .catch(() => ({ ok: false, error: { code: "timeout" } }));
        if (ack.ok) {
          conversationId = ack.conversation.id as string;
          acked.set(clientId, text);
          break;
        }
        if (killed) refused++;
        await new Promise((r) => setTimeout(r, ack.error?.code === "rate_limited" ? 1000 : 300));
      }
    }
  };
  const burst = Promise.all(customers.map((c, n) => sender(c, n)));

  await waitUntil("a third of the burst to be acknowledged", async () => acked.size >= (CUSTOMERS * PER_CUSTOMER) / 3, 60_000, 20);
  const pids = ferretdbProcessesOn(bin, dataDir);
  assert.equal(pids.length, 1, `one FerretDB on ${dataDir}: ${pids.join(", ")}`);
  const ackedBeforeKill = new Map(acked);
  process.kill(pids[0]!, "SIGKILL");
  killed = true;
  faults++;
  await db.stop(); // its watchdog exits with it; stop() only waits for that
  await new Promise((r) => setTimeout(r, 1500));
  db = await startDb();
  await burst;
  console.log(`faults: ${ackedBeforeKill.size} acknowledged before the kill, ${refused} sends refused while FerretDB was down`);

  await connectMongoose(db.uri);
  for (const [clientId, text] of acked) {
    const stored = await Message.find({ clientId }).lean();
    if (stored.length === 0) lost++;
    if (stored.length > 1) duplicated++;
    assert.equal(
      stored.length,
      1,
      `${clientId} stored ${stored.length} times (acknowledged ${ackedBeforeKill.has(clientId) ? "before" : "after"} the kill)`,
    );
    assert.equal(stored[0]!.text, text);
  }
  assert.equal(acked.size, CUSTOMERS * PER_CUSTOMER);
  assert.ok(ackedBeforeKill.size < CUSTOMERS * PER_CUSTOMER, "killed mid-burst");
  assert.equal(lost, 0);
  for (const c of customers) c.close();
});
