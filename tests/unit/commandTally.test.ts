import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import mongoose from "mongoose";
import { startTestDatabase, type TestDatabase } from "../helpers/database.js";
import { CommandTally, inDbStage } from "../../server/db/commandTally.js";

let db: TestDatabase;
before(async () => (db = await startTestDatabase()));
after(() => db.stop());

test("the command tally counts each command under the turn stage that sent it, per turn, and never holds values", async () => {
  const client = new mongoose.mongo.MongoClient(db.uri, { monitorCommands: true });
  await client.connect();
  try {
    const tally = new CommandTally();
    tally.attach(client as never);
    const coll = client.db().collection("tally_probe");
    await coll.insertOne({ k: "warm" }); // outside any stage
    tally.reset();
    for (let turn = 0; turn < 2; turn++) {
      tally.turn();
      await inDbStage("record", async () => {
        await coll.findOne({ k: "secret customer text" });
        await coll.insertOne({ k: `t${turn}` });
      });
      // The stage follows the async chain, across awaits and timers, not the order in which commands run.
      await Promise.all([
        inDbStage("store", () => new Promise((r) => setTimeout(r, 5)).then(() => coll.updateOne({ k: `t${turn}` }, { $set: { v: 1 } }))),
        coll.countDocuments({}),
      ]);
    }
    const report = tally.report();
    const row = (stage: string, command: string) =>
      report.rows.find((r) => r.stage === stage && r.command === command && r.collection === "tally_probe");
    assert.equal(report.turns, 2);
    assert.equal(row("record", "find")?.count, 2);
    assert.equal(row("record", "insert")?.perTurn, 1);
    assert.equal(row("store", "update")?.count, 2);
    assert.equal(row("background", "aggregate")?.count, 2);
    assert.equal(row("record", "update"), undefined);
    assert.equal(report.writesPerTurn, 2);
    assert.equal(report.commandsPerTurn, 3);
    assert.ok(row("record", "insert")!.msP99 >= row("record", "insert")!.msP50);
    assert.ok(!JSON.stringify(report).includes("secret customer text"));
  } finally {
    await client.close();
  }
});
