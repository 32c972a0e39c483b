import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DataImportError, importCsv, importDataFile, importJsonl } from "../../trainer/data/index.js";

test("importJsonl takes the last user turn before each assistant turn and the turn before it", () => {
  const line1 = JSON.stringify({
    messages: [
      { role: "system", content: "be nice" },
      { role: "user", content: "hi" },
      { role: "assistant", content: "Hello! How can I help?" },
      { role: "user", content: "where is my card?" },
      { role: "assistant", content: "Cards arrive in 5 days." },
    ],
  });
  const line2 = JSON.stringify({
    messages: [
      { role: "user", content: "card not here" },
      { role: "assistant", content: "Cards arrive in 5 days." },
    ],
  });
  const out = importJsonl(`${line1}\n\n${line2}\n`);
  assert.deepEqual(out, [
    { text: "hi", previousTurn: null, label: "Hello! How can I help?", polarity: "positive" },
    { text: "where is my card?", previousTurn: "Hello! How can I help?", label: "Cards arrive in 5 days.", polarity: "positive" },
    { text: "card not here", previousTurn: null, label: "Cards arrive in 5 days.", polarity: "positive" },
  ]);
});

test("importJsonl reads negative polarity and names the bad line", () => {
  const good = JSON.stringify({
    polarity: "negative",
    messages: [
      { role: "user", content: "q" },
      { role: "assistant", content: "a" },
    ],
  });
  assert.equal(importJsonl(good)[0].polarity, "negative");
  assert.throws(
    () => importJsonl(`${good}\n{not json`),
    (e: unknown) => e instanceof DataImportError && /line 2: invalid JSON/.test(e.message),
  );
  assert.throws(() => importJsonl(`${good}\n${good}\n{"messages":[{"role":"user","content":"q"}]}`), /line 3: no user message followed/);
  assert.throws(() => importJsonl('{"messages":[{"role":"user"}]}'), /line 1: messages\[0\]/);
});

test("importCsv handles RFC 4180 quoting, CRLF and embedded newlines", () => {
  const csv = 'text,label\r\n"card, where is it?",card_arrival\r\n"he said ""hi""\nthen left",greeting\r\nplain,x\r\n';
  assert.deepEqual(
    importCsv(csv).map((e) => [e.text, e.label]),
    [
      ["card, where is it?", "card_arrival"],
      ['he said "hi"\nthen left', "greeting"],
      ["plain", "x"],
    ],
  );
});

test("importCsv reports the line number of a bad row", () => {
  assert.throws(() => importCsv('text,label\nok,a\n"multi\nline",b\ntoo,many,fields\n'), /line 5: expected 2 fields, got 3/);
  assert.throws(() => importCsv('text,label\nok,a\nbad "quote",b\n'), /line 3: quote inside an unquoted field/);
  assert.throws(() => importCsv('text,label\n"open,a\n'), /line 2: unterminated quoted field/);
  assert.throws(() => importCsv("question,answer\nq,a\n"), /line 1: header must name/);
  assert.throws(() => importCsv("text,label\n,a\n"), /line 2: empty text/);
});

test("importDataFile dispatches on extension and rejects others", async () => {
  const dir = await mkdtemp(join(tmpdir(), "import-"));
  await writeFile(join(dir, "d.csv"), "text,category\nhello,greet\n");
  assert.deepEqual(await importDataFile(join(dir, "d.csv")), [{ text: "hello", previousTurn: null, label: "greet", polarity: "positive" }]);
  await assert.rejects(importDataFile(join(dir, "d.txt")), /unsupported extension/);
  await assert.rejects(importDataFile(join(dir, "missing.csv")), /cannot read \(ENOENT\)/);
});
