import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { WordPieceTokenizer } from "../../trainer/model/tokenizer.js";

const VOCAB = [
  "[PAD]",
  "[UNK]",
  "[CLS]",
  "[SEP]",
  "[MASK]",
  "my",
  "card",
  "is",
  "late",
  "un",
  "##aff",
  "##able",
  "aff",
  "##ord",
  "cafe",
  "!",
  "?",
  ",",
  ".",
  "$",
  "5",
  "银",
  "行",
  "hello",
  "world",
  "##s",
  "a",
  "##b",
  "ab",
  "##c",
  "naive",
  "'",
  "t",
  "don",
];
const tok = new WordPieceTokenizer({ vocab: VOCAB });
const id = (t: string) => VOCAB.indexOf(t);
const ids = (...tokens: string[]) => tokens.map(id);

test("lower-cases, strips accents and splits punctuation like BertTokenizer", () => {
  assert.deepEqual(tok.basicTokenize("My CARD is Late!"), ["my", "card", "is", "late", "!"]);
  assert.deepEqual(tok.basicTokenize("Café naïve"), ["cafe", "naive"]);
  assert.deepEqual(tok.basicTokenize("don't $5?"), ["don", "'", "t", "$", "5", "?"]);
  // non-alphanumeric ASCII counts as punctuation even when Unicode does not call it that
  assert.deepEqual(tok.basicTokenize("a^b`c~d"), ["a", "^", "b", "`", "c", "~", "d"]);
});

test("cleans control characters and maps every kind of whitespace to a separator", () => {
  assert.deepEqual(tok.basicTokenize("my\u0000card\u200b\tis\u00a0late\u3000\r\n"), ["mycard", "is", "late"]);
  assert.deepEqual(tok.basicTokenize("  \t\n "), []);
});

test("splits CJK ideographs into single characters", () => {
  assert.deepEqual(tok.basicTokenize("我的银行card"), ["我", "的", "银", "行", "card"]);
  assert.deepEqual(tok.tokenize("银行"), ids("银", "行"));
});

test("WordPiece is greedy longest-match-first with ## continuations", () => {
  assert.deepEqual(tok.tokenize("unaffable"), ids("un", "##aff", "##able"));
  assert.deepEqual(tok.tokenize("abc"), ids("ab", "##c"));
  assert.deepEqual(tok.tokenize("hellos"), ids("hello", "##s"));
});

test("a word that cannot be fully split, or is over 100 characters, becomes one [UNK]", () => {
  assert.deepEqual(tok.tokenize("unaffz card"), ids("[UNK]", "card"));
  assert.deepEqual(tok.tokenize("a" + "b".repeat(99)), [id("ab"), ...new Array(98).fill(id("##b"))]);
  assert.deepEqual(tok.tokenize("a" + "b".repeat(100)), ids("[UNK]"));
  assert.deepEqual(tok.tokenize("😀 card"), ids("[UNK]", "card"));
});

test("special tokens typed in the text stay whole", () => {
  assert.deepEqual(tok.tokenize("card [SEP] late"), ids("card", "[SEP]", "late"));
  // only the exact spelling is special; lower-case '[unk]' is plain text ('[', 'unk', ']', none in this vocab)
  assert.deepEqual(tok.tokenize("[unk]"), ids("[UNK]", "[UNK]", "[UNK]"));
});

test("encode adds [CLS]/[SEP] and truncates to maxLength", () => {
  assert.deepEqual(tok.encode("my card"), { ids: ids("[CLS]", "my", "card", "[SEP]"), typeIds: [0, 0, 0, 0] });
  assert.deepEqual(tok.encode("my card is late", { maxLength: 4 }).ids, ids("[CLS]", "my", "card", "[SEP]"));
  assert.deepEqual(tok.encode("").ids, ids("[CLS]", "[SEP]"));
  const long = tok.encode("card ".repeat(300));
  assert.equal(long.ids.length, 128);
  assert.equal(long.ids[127], id("[SEP]"));
});

test("pair encoding marks the second segment with type id 1 and truncates longest first", () => {
  const e = tok.encode("my card", { pair: "is late" });
  assert.deepEqual(e.ids, ids("[CLS]", "my", "card", "[SEP]", "is", "late", "[SEP]"));
  assert.deepEqual(e.typeIds, [0, 0, 0, 0, 1, 1, 1]);
  const t = tok.encode("my", { pair: "card is late card is late", maxLength: 6 });
  assert.deepEqual(t.ids, ids("[CLS]", "my", "[SEP]", "card", "is", "[SEP]"));
  const both = tok.encode("my card is late", { pair: "hello world a b", maxLength: 9 });
  assert.equal(both.ids.length, 9);
  assert.deepEqual(both.ids, ids("[CLS]", "my", "card", "is", "[SEP]", "hello", "world", "a", "[SEP]"));
  // odd budget (8 - 3 = 5): the longer segment keeps the extra token, whichever side it is on
  const firstShorter = tok.encode("my card is", { pair: "hello world a b", maxLength: 8 });
  assert.deepEqual(firstShorter.ids, ids("[CLS]", "my", "card", "[SEP]", "hello", "world", "a", "[SEP]"));
  const firstLonger = tok.encode("hello world a b", { pair: "my card is", maxLength: 8 });
  assert.deepEqual(firstLonger.ids, ids("[CLS]", "hello", "world", "a", "[SEP]", "my", "card", "[SEP]"));
  assert.deepEqual(tok.encode("card", { pair: null }), tok.encode("card"));
});

test("encodeBatch pads to the longest text of the batch, not to maxLength", () => {
  const b = tok.encodeBatch(["my card is late", "hello"], { pairs: [null, "world"] });
  assert.equal(b.batchSize, 2);
  assert.equal(b.seqLen, 6);
  assert.deepEqual(b.lengths, [6, 5]);
  assert.deepEqual(Array.from(b.ids), [
    ...ids("[CLS]", "my", "card", "is", "late", "[SEP]"),
    ...ids("[CLS]", "hello", "[SEP]", "world", "[SEP]", "[PAD]"),
  ]);
  assert.deepEqual(Array.from(b.typeIds), [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0]);
  assert.deepEqual(Array.from(b.mask), [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0]);
});

test("bad input gives clear errors", () => {
  assert.throws(() => tok.encodeBatch([]), /non-empty array of texts/);
  assert.throws(() => tok.encodeBatch(["a", "b"], { pairs: ["x"] }), /2 texts but 1 pairs/);
  assert.throws(() => tok.encode("a", { maxLength: 1 }), /maxLength must be an integer ≥ 2/);
  assert.throws(() => tok.encode("a", { pair: "b", maxLength: 2 }), /maxLength must be an integer ≥ 3/);
  assert.throws(() => tok.tokenize(42 as unknown as string), /expects a string, got number/);
  assert.throws(() => new WordPieceTokenizer({ vocab: ["[PAD]", "a"] }), /vocabulary has no \[UNK\] token/);
});

test("fromDir reads vocab.txt and honours do_lower_case from tokenizer_config.json", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "tok-"));
  writeFileSync(path.join(dir, "vocab.txt"), ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "Card", "card"].join("\n") + "\n");
  writeFileSync(path.join(dir, "tokenizer_config.json"), JSON.stringify({ do_lower_case: false }));
  const cased = WordPieceTokenizer.fromDir(dir);
  assert.equal(cased.vocabSize, 6);
  assert.deepEqual(cased.tokenize("Card card"), [4, 5]);
  assert.throws(() => WordPieceTokenizer.fromDir(path.join(dir, "nope")), /no vocab\.txt/);
});
