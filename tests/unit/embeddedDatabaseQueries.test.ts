import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import mongoose from "mongoose";
import { startTestDatabase, type TestDatabase } from "../helpers/database.js";
import { Message } from "../../server/models/message.js";
import { logSlowCommands, type SlowCommand } from "../../server/db/slowCommands.js";

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
    { f: "a", n: 1 }, { f: ["a", "b"], n: 2 }, { f: { a: 1 }, n: 3 }, { f: o1, n: 4 }, { f: [o1, o2], n: 5 },
    { f: String(o1), n: 6 }, { f: "a<b&c>", n: 7 }, { f: "é", n: 8 }, { g: "a", n: 9 }, { f: null, n: 10 },
    { f: 'q"uo\\te', n: 11 }, { f: ["x", "é"], n: 12 }, { f: "A", n: 13 }, { f: "", n: 14 },
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
  assert.equal(await docs().countDocuments({ f: "é" }), 2);
  assert.equal((await docs().updateMany({ f: o1 }, { $set: { hit: true } })).modifiedCount, 2);
  assert.equal((await docs().deleteMany({ f: "a" })).deletedCount, 2);
  assert.deepEqual(await ns({ hit: true }), [4, 5]);
});

test("on the embedded FerretDB, lookups by _id and by an indexed field search an index instead of scanning", async (t) => {
  const conversationId = new mongoose.Types.ObjectId();
  const m = await Message.create({ conversationId, seq: 1, role: "customer", text: "hello", clientId: "c-1" });
  const plan = async (filter: object) => (await Message.collection.find(filter).explain()) as { serverInfo?: { ferretdbVersion?: string }; queryPlanner?: { Plan?: string[] } };
  const byId = await plan({ _id: m._id });
  if (!byId.serverInfo?.ferretdbVersion) return t.skip("not FerretDB: MongoDB plans its own queries");
  for (const filter of [{ _id: m._id }, { _id: m._id, "review.status": null }, { conversationId }, { conversationId, clientId: "c-1" }]) {
    const steps = (await plan(filter)).queryPlanner?.Plan ?? [];
    assert.ok(steps.some((s) => /SEARCH .* USING (UNIQUE )?INDEX/.test(s)), `${JSON.stringify(filter)} → ${steps.join(" | ")}`);
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
    assert.deepEqual({ ...find, ms: 0 }, { command: "find", collection: "messages", keys: ["conversationId", "clientId"], ms: 0, ok: true });
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
    await coll.insertMany([{ _id: "a", v: 1 }, { _id: "b", v: 2 }]);
    await coll.deleteMany({ v: 99 }, { writeConcern: { w: 0 } });
    assert.deepEqual(await coll.findOne({ _id: "b" }), { _id: "b", v: 2 });
    assert.equal(await coll.countDocuments(), 2);
    await coll.deleteOne({ _id: "a" }, { writeConcern: { w: 0 } });
    assert.deepEqual(await coll.find().toArray(), [{ _id: "b", v: 2 }]);
  } finally {
    await client.close();
  }
});
