// All or nothing without transactions: `npm run data:import --apply` is killed -9 while it writes a 10,000-row
// FAQ; the import stays "applying" with some records written, and the next start's recovery removes every one
// of them. An import that fails inside the process is compensated at once.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startTestDatabase, type TestDatabase } from "../helpers/database.js";
import { killHard, waitUntil } from "../helpers/faults.js";
import { spawnTs } from "../helpers/processes.js";
import { faqCsv } from "../fixtures/imports/generate.js";
import { Answer } from "../../server/models/answer.js";
import { Example } from "../../server/models/example.js";
import { DataImport } from "../../server/models/dataImport.js";
import { importRecovery } from "../../server/imports/importCommands.js";
import { importWriter } from "../../server/imports/importWriter.js";

let db: TestDatabase;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "understudy-import-kill-"));
before(async () => {
  db = await startTestDatabase();
});
after(async () => {
  await db.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test(
  "killed mid-write: the half-written import is removed by recovery, and the file then imports whole",
  { timeout: 300_000 },
  async () => {
    const file = path.join(tmp, "faq-10k.csv");
    fs.writeFileSync(file, faqCsv(10_000));
    const p = spawnTs("import", "scripts/data-import.ts", [file, "--apply", "--mode", "approved"], {
      NODE_ENV: "test",
      MONGODB_URI: db.uri,
      LOG_LEVEL: "warn",
    });
    await waitUntil(
      "some examples written",
      async () => ((await DataImport.findOne({}).lean())?.counts?.examplesWritten ?? 0) > 0,
      120_000,
      20,
    );
    await killHard(p);
    const imp = await DataImport.findOne({}).lean();
    assert.equal(imp?.state, "applying");
    const written = await Example.countDocuments({ "source.importId": imp!._id });
    assert.ok(written > 0 && written < 10_000, `killed with ${written} examples written`);

    // The next start (server/index.ts) runs this before serving; staleness 0 here instead of five minutes.
    assert.equal(await importRecovery(0), 1);
    assert.equal(await Example.countDocuments({}), 0);
    assert.equal(await Answer.countDocuments({}), 0);
    assert.equal((await DataImport.findById(imp!._id).lean())?.state, "failed");

    const again = spawnTs("import-again", "scripts/data-import.ts", [file, "--apply", "--mode", "approved"], {
      NODE_ENV: "test",
      MONGODB_URI: db.uri,
      LOG_LEVEL: "warn",
    });
    assert.equal(await again.exited, 0, again.output());
    assert.equal(await Example.countDocuments({}), 10_000);
    assert.equal(await Answer.countDocuments({}), 32);
  },
);

test("a write that fails in the process is compensated before the import is marked failed", async () => {
  await Promise.all([Answer.deleteMany({}), Example.deleteMany({}), DataImport.deleteMany({})]);
  const imp = await DataImport.create({ kind: "faq", format: "csv", fileSha256: "f".repeat(64), mode: "approved", state: "applying" });
  const examples = Array.from({ length: 700 }, (_, i) => ({
    answerKey: "a",
    question: `question ${i}`,
    previousTurn: null,
    golden: false,
    outOfScope: false,
    polarity: "positive" as const,
    line: i + 2,
    redactions: 0,
  }));
  // The last example names an answer the plan does not have: the database refuses it (an answer is required)
  // after the answer and the first chunk of examples are already written.
  examples.push({ ...examples[0], answerKey: "missing", question: "orphan" });
  const plan = {
    answers: [{ key: "a", title: "A", text: "An answer.", topic: null, line: 2, existingId: null }],
    examples,
    report: {} as never,
  };
  await assert.rejects(importWriter(imp, plan, { approvedBy: null }), /answerId/);
  assert.equal(await Answer.countDocuments({}), 0);
  assert.equal(await Example.countDocuments({}), 0);
  const failed = await DataImport.findById(imp._id).lean();
  assert.equal(failed?.state, "failed");
  assert.match(failed?.error ?? "", /answerId/);
});
