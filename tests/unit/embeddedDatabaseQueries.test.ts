import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import mongoose from "mongoose";
import { startTestDatabase, type TestDatabase } from "../helpers/database.js";
import { Message } from "../../server/models/message.js";
import { logSlowCommands, type SlowCommand } from "../../server/db/slowCommands.js";
import { sqliteUrl, startEmbeddedMongo } from "../../server/db/embeddedMongo.js";
import { loadConfig } from "../../server/config.js";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

// The embedded FerretDB is built with scripts/ferretdb-sqlite-pushdown.patch, which pushes top-level
// string/ObjectId equalities down to SQLite's indexes. These check that it still answers exactly what
// MongoDB would (arrays included) and that the chat's hot lookups no longer scan. And with
// scripts/ferretdb-no-reply-to-moretocome.patch, so that a w: 0 write leaves its connection in step.
let db: TestDatabase;
before(async () => (db = await startTestDatabase()));
after(() => db.stop());

const docs = () => mongoose.connection.db!.collection("equality_semantics");

test("equality filters match what MongoDB matches: scalars, arrays holding the value, ObjectIds, any text", async () => {
  await docs().createIndex({ f: 1, n: 1 });
  const o1 = new mongoose.Types.ObjectId();
  const o2 = new mongoose.Types.ObjectId();
  await docs().insertMany([
    { f: "a", n: 1 },
    { f: ["a", "b"], n: 2 },
    { f: { a: 1 }, n: 3 },
    { f: o1, n: 4 },
    { f: [o1, o2], n: 5 },
    { f: String(o1), n: 6 },
    { f: "a<b&c>", n: 7 },
    { f: "é", n: 8 },
    { g: "a", n: 9 },
    { f: null, n: 10 },
    { f: 'q"uo\\te', n: 11 },
    { f: ["x", "é"], n: 12 },
    { f: "A", n: 13 },
    { f: "", n: 14 },
  ]);
  const ns = async (filter: object) => (await docs().find(filter).toArray()).map((d) => d.n).sort((a, b) => a - b);
  assert.deepEqual(await ns({ f: "a" }), [1, 2]);
  assert.deepEqual(await ns({ f: o1 }), [4, 5]);
  assert.deepEqual(await ns({ f: String(o1) }), [6]);
  assert.deepEqual(await ns({ f: "a<b&c>" }), [7]);
  assert.deepEqual(await ns({ f: "é" }), [8, 12]);
  assert.deepEqual(await ns({ f: 'q"uo\\te' }), [11]);
  assert.deepEqual(await ns({ f: "A" }), [13]);
  assert.deepEqual(await ns({ f: "" }), [14]);
  assert.deepEqual(await ns({ f: "zzz" }), []);
  assert.deepEqual(await ns({ f: null }), [9, 10]);
  assert.deepEqual(await ns({ f: "a", n: 2 }), [2]);
  assert.deepEqual(await ns({ f: "a", $or: [{ n: 1 }, { n: 7 }] }), [1]);
  assert.deepEqual(await ns({ _id: "missing", f: "a" }), []);
  assert.deepEqual(await ns({ f: { $in: ["a", "zzz"] } }), [1, 2]);
  assert.deepEqual(await ns({ f: { $in: [o2, "é"] } }), [5, 8, 12]);
  assert.deepEqual(await ns({ f: { $in: ["A", String(o1)] }, n: { $gt: 6 } }), [13]);
  assert.deepEqual(await ns({ f: { $in: ["a", null] } }), [1, 2, 9, 10]);
  assert.deepEqual(await ns({ f: { $in: [["a", "b"]] } }), [2]);
  assert.deepEqual(await ns({ f: { $in: [] } }), []);
  assert.deepEqual(await ns({ f: { $in: ["a"], $ne: "b" } }), [1]);
  assert.equal(await docs().countDocuments({ f: "é" }), 2);
  assert.equal((await docs().updateMany({ f: o1 }, { $set: { hit: true } })).modifiedCount, 2);
  assert.equal((await docs().deleteMany({ f: "a" })).deletedCount, 2);
  assert.deepEqual(await ns({ hit: true }), [4, 5]);
});

test("on the embedded FerretDB, lookups by _id and by an indexed field search an index instead of scanning", async (t) => {
  const conversationId = new mongoose.Types.ObjectId();
  const m = await Message.create({ conversationId, seq: 1, role: "customer", text: "hello", clientId: "c-1" });
  const plan = async (filter: object) =>
    (await Message.collection.find(filter).explain()) as { serverInfo?: { ferretdbVersion?: string }; queryPlanner?: { Plan?: string[] } };
  const byId = await plan({ _id: m._id });
  if (!byId.serverInfo?.ferretdbVersion) return t.skip("not FerretDB: MongoDB plans its own queries");
  const other = new mongoose.Types.ObjectId();
  const filters = [
    { _id: m._id },
    { _id: m._id, "review.status": null },
    { conversationId },
    { conversationId, clientId: "c-1" },
    // A resend is looked up across the customer's conversations (recordCustomerMessage).
    { conversationId: { $in: [other, conversationId] }, clientId: "c-1" },
    { _id: { $in: [m._id, other] } },
  ];
  assert.equal((await Message.findOne(filters[4]!))?.id, m.id);
  for (const filter of filters) {
    const steps = (await plan(filter)).queryPlanner?.Plan ?? [];
    assert.ok(
      steps.some((s) => /SEARCH .* USING (UNIQUE )?INDEX/.test(s)),
      `${JSON.stringify(filter)} → ${steps.join(" | ")}`,
    );
    assert.ok(!steps.some((s) => /detail=SCAN /.test(s)), `${JSON.stringify(filter)} scans: ${steps.join(" | ")}`);
  }
});

test("the slow-command log names the command, collection and filter keys, never the values", async () => {
  const seen: SlowCommand[] = [];
  const client = new mongoose.mongo.MongoClient(db.uri, { monitorCommands: true });
  await client.connect();
  try {
    logSlowCommands(client as never, 0, (c) => seen.push(c));
    await client.db().collection("messages").findOne({ conversationId: new mongoose.Types.ObjectId(), clientId: "secret customer text" });
    const find = seen.find((c) => c.command === "find");
    assert.deepEqual(
      { ...find, ms: 0 },
      { command: "find", collection: "messages", keys: ["conversationId", "clientId"], ms: 0, ok: true },
    );
    assert.ok(!JSON.stringify(seen).includes("secret customer text"));
  } finally {
    await client.close();
  }
});

test("a write with w: 0 gets no reply, so the next command on that connection reads its own reply", async () => {
  // One connection, so the unacknowledged delete and the reads after it share a socket.
  const client = await mongoose.mongo.MongoClient.connect(db.uri, { maxPoolSize: 1 });
  try {
    const coll = client.db().collection<{ _id: string; v: number }>("unacknowledged_writes");
    await coll.insertMany([
      { _id: "a", v: 1 },
      { _id: "b", v: 2 },
    ]);
    await coll.deleteMany({ v: 99 }, { writeConcern: { w: 0 } });
    assert.deepEqual(await coll.findOne({ _id: "b" }), { _id: "b", v: 2 });
    assert.equal(await coll.countDocuments(), 2);
    await coll.deleteOne({ _id: "a" }, { writeConcern: { w: 0 } });
    assert.deepEqual(await coll.find().toArray(), [{ _id: "b", v: 2 }]);
  } finally {
    await client.close();
  }
});

test("the embedded database's SQLite runs in WAL mode with synchronous NORMAL unless DB_SYNCHRONOUS=FULL", async (t) => {
  assert.equal(loadConfig({}).DB_SYNCHRONOUS, "NORMAL");
  assert.equal(loadConfig({ DB_SYNCHRONOUS: "FULL" }).DB_SYNCHRONOUS, "FULL");
  assert.throws(() => loadConfig({ DB_SYNCHRONOUS: "OFF" }), /DB_SYNCHRONOUS/);
  // busy_timeout before the WAL switch (which may have to wait); the path is URL-encoded.
  assert.equal(
    sqliteUrl("/srv/data dir/ferretdb", "FULL"),
    "file:/srv/data%20dir/ferretdb/?_pragma=busy_timeout(10000)&_pragma=journal_mode(wal)&_pragma=synchronous(FULL)&_pragma=cache_size(-32768)",
  );
  if (process.env.TEST_MONGODB_URI) return t.skip("not the embedded database");
  // FerretDB opens its SQLite files with those pragmas (a bad one would fail the start) and writes through the log.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "understudy-sync full-"));
  const full = await startEmbeddedMongo({
    bin: process.env.FERRETDB_BIN ?? path.resolve(import.meta.dirname, "../../.local/bin/ferretdb"),
    dataDir: dir,
    synchronous: "FULL",
  });
  const client = await mongoose.mongo.MongoClient.connect(full.uri);
  try {
    await client.db().collection("probe").insertOne({ ok: 1 });
    assert.equal((await client.db().collection("probe").findOne({}))?.ok, 1);
    assert.ok(
      fs.readdirSync(dir).some((f) => f.endsWith(".sqlite-wal")),
      fs.readdirSync(dir).join(", "),
    );
  } finally {
    await client.close();
    await full.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
