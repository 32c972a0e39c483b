import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { Message } from "../../server/models/index.js";
import { startTestDatabase, type TestDatabase } from "../helpers/database.js";
import { connectCustomer } from "../helpers/socketClient.js";
import { recordHardening } from "../helpers/faults.js";
import { startChatProcess, type ChatProcess } from "../helpers/processes.js";

// SIGTERM (what `docker stop` and Kubernetes send) must drain: writes already sent when the signal lands
// are stored and acknowledged, then the sockets close as a transport close (so the widget's reconnect
// loop moves to another instance; "io server disconnect" would stop it), and the process exits 0 well
// before its 15 s force-exit.
let db: TestDatabase;
let chat: ChatProcess;
let acked = 0;
let lost = 0;
before(async () => {
  db = await startTestDatabase();
  chat = await startChatProcess("sigterm", { MONGODB_URI: db.uri, SESSION_SECRET: "fault-test-secret-0123456789" });
});
after(async () => {
  await chat?.stop();
  await db?.stop();
  await recordHardening("faults.sigtermDrain", { faultsInjected: 1, acknowledgedMessages: acked, messagesLost: lost });
  console.log(`faults: SIGTERM drain, ${acked} acknowledged messages, ${lost} lost`);
});

test("SIGTERM closes sockets cleanly, keeps acknowledged writes, and exits 0", async () => {
  const customers = await Promise.all([connectCustomer(chat.url), connectCustomer(chat.url), connectCustomer(chat.url)]);
  const reasons = customers.map((c) => new Promise<string>((resolve) => c.socket.once("disconnect", (reason) => resolve(reason))));
  const acks: Promise<{ ok: boolean }>[] = [];
  for (const [i, c] of customers.entries()) {
    assert.equal((await c.request("message:send", { clientId: `before-${i}`, text: `before SIGTERM ${i}` })).ok, true);
    acked++;
  }
  // Writes still in flight when the signal lands: whichever are acknowledged must be stored.
  for (const [i, c] of customers.entries())
    acks.push(c.request("message:send", { clientId: `racing-${i}`, text: `racing SIGTERM ${i}` }, 8000).catch(() => ({ ok: false })));
  const started = Date.now();
  process.kill(chat.child.pid!, "SIGTERM");
  const code = await chat.exited;
  const took = Date.now() - started;

  assert.equal(code, 0, `exit code ${code}:\n${chat.output().slice(-2000)}`);
  assert.ok(took < 10_000, `drain took ${took} ms`);
  assert.match(chat.output(), /draining connections/);
  for (const reason of await Promise.all(reasons)) assert.equal(reason, "transport close", "the widget must be left to reconnect");
  const racing = await Promise.all(acks);
  for (const [i, ack] of racing.entries()) {
    assert.equal(ack.ok, true, `racing-${i}: a write in flight at SIGTERM was cut instead of drained`);
    acked++;
    const n = await Message.countDocuments({ clientId: `racing-${i}` });
    if (n !== 1) lost++;
    assert.equal(n, 1, `racing-${i} was acknowledged but stored ${n} times`);
  }
  for (let i = 0; i < customers.length; i++) assert.equal(await Message.countDocuments({ clientId: `before-${i}` }), 1);
  const refused = await fetch(`${chat.url}/api/health`).then(
    () => false,
    () => true,
  );
  assert.ok(refused, "the port is closed after exit");
});
