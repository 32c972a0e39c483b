import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

/**
 * WordPiece tokenizer matching Hugging Face's BertTokenizer (and its fast twin) for uncased BERT models:
 * clean text → split CJK ideographs → lower-case + strip accents → split whitespace and punctuation → WordPiece.
 */

export interface Encoding {
  ids: number[];
  typeIds: number[];
}

export interface EncodeOptions {
  /** Second segment (e.g. the previous turn), encoded as [CLS] text [SEP] pair [SEP] with type id 1. */
  pair?: string | null;
  /** Including special tokens. Default 128. */
  maxLength?: number;
}

/** Row-major [batchSize × seqLen], padded with [PAD] to the longest sequence of the batch. */
export interface BatchEncoding {
  ids: Int32Array;
  typeIds: Int32Array;
  mask: Int32Array;
  batchSize: number;
  seqLen: number;
  lengths: number[];
}

const SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];
const MAX_CHARS_PER_WORD = 100;
const DEFAULT_MAX_LENGTH = 128;

const isControlCategory = /\p{C}/u;
const isSpaceSeparator = /\p{Zs}/u;
const isUnicodePunctuation = /\p{P}/u;
const isNonSpacingMark = /\p{Mn}/u;

// Per-character classes for ASCII, computed once: most support text is ASCII and regex tests per char are slow.
const enum Ascii {
  Other,
  Space,
  Control,
  Punct,
}
const ASCII_CLASS = new Uint8Array(128).map((_, cp) => {
  const ch = String.fromCharCode(cp);
  if (ch === " " || ch === "\t" || ch === "\n" || ch === "\r") return Ascii.Space;
  if (cp === 0 || isControlCategory.test(ch)) return Ascii.Control;
  if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)) return Ascii.Punct;
  return Ascii.Other;
});
const NON_ASCII = /[^\x00-\x7f]/;
const SPECIAL_PATTERN = /\[(?:PAD|UNK|CLS|SEP|MASK)\]/g;

function isWhitespace(ch: string): boolean {
  return ch === " " || ch === "\t" || ch === "\n" || ch === "\r" || isSpaceSeparator.test(ch);
}

function isControl(ch: string): boolean {
  if (ch === "\t" || ch === "\n" || ch === "\r") return false;
  return isControlCategory.test(ch);
}

function isPunctuation(ch: string): boolean {
  const cp = ch.codePointAt(0)!;
  // BERT treats every non-alphanumeric ASCII character as punctuation ($, ^, `, …), not only Unicode's P*.
  if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)) {
    return true;
  }
  return isUnicodePunctuation.test(ch);
}

function isCjk(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b820 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

export interface WordPieceConfig {
  vocab: string[];
  doLowerCase?: boolean;
  /** null/undefined: follow doLowerCase, like BertTokenizer. */
  stripAccents?: boolean | null;
  tokenizeChineseChars?: boolean;
}

export class WordPieceTokenizer {
  readonly vocab: readonly string[];
  readonly doLowerCase: boolean;
  readonly stripAccents: boolean;
  readonly tokenizeChineseChars: boolean;
  readonly padId: number;
  readonly unkId: number;
  readonly clsId: number;
  readonly sepId: number;
  private readonly index = new Map<string, number>();

  constructor(config: WordPieceConfig) {
    this.vocab = config.vocab;
    config.vocab.forEach((tok, i) => {
      if (!this.index.has(tok)) this.index.set(tok, i);
    });
    this.doLowerCase = config.doLowerCase ?? true;
    this.stripAccents = config.stripAccents ?? this.doLowerCase;
    this.tokenizeChineseChars = config.tokenizeChineseChars ?? true;
    const need = (tok: string): number => {
      const id = this.index.get(tok);
      if (id === undefined) throw new Error(`vocabulary has no ${tok} token`);
      return id;
    };
    this.padId = need("[PAD]");
    this.unkId = need("[UNK]");
    this.clsId = need("[CLS]");
    this.sepId = need("[SEP]");
  }

  /** Reads vocab.txt and (if present) tokenizer_config.json from a model folder. */
  static fromDir(dir: string): WordPieceTokenizer {
    const vocabFile = path.join(dir, "vocab.txt");
    if (!existsSync(vocabFile)) throw new Error(`no vocab.txt in ${dir}`);
    const lines = readFileSync(vocabFile, "utf8").split("\n");
    if (lines[lines.length - 1] === "") lines.pop();
    const vocab = lines.map((l) => l.replace(/\r$/, ""));
    const cfgFile = path.join(dir, "tokenizer_config.json");
    const cfg = existsSync(cfgFile) ? JSON.parse(readFileSync(cfgFile, "utf8")) : {};
    return new WordPieceTokenizer({
      vocab,
      doLowerCase: cfg.do_lower_case ?? true,
      stripAccents: cfg.strip_accents ?? null,
      tokenizeChineseChars: cfg.tokenize_chinese_chars ?? true,
    });
  }

  get vocabSize(): number {
    return this.vocab.length;
  }

  tokenId(token: string): number | undefined {
    return this.index.get(token);
  }

  /** Word-level split (BERT's BasicTokenizer); special tokens typed in the text are kept whole. */
  basicTokenize(text: string): string[] {
    const out: string[] = [];
    for (const piece of splitOnSpecialTokens(text)) {
      if (piece.special) out.push(piece.text);
      else out.push(...this.basicTokenizePlain(piece.text));
    }
    return out;
  }

  private basicTokenizePlain(text: string): string[] {
    let cleaned = "";
    for (const ch of text) {
      const cp = ch.codePointAt(0)!;
      if (cp < 128) {
        const cls = ASCII_CLASS[cp];
        if (cls !== Ascii.Control) cleaned += cls === Ascii.Space ? " " : ch;
        continue;
      }
      if (cp === 0xfffd || isControl(ch)) continue;
      if (isWhitespace(ch)) cleaned += " ";
      else if (this.tokenizeChineseChars && isCjk(cp)) cleaned += ` ${ch} `;
      else cleaned += ch;
    }
    const words: string[] = [];
    for (let word of cleaned.split(" ")) {
      if (!word) continue;
      if (this.doLowerCase) word = word.toLowerCase();
      const ascii = !NON_ASCII.test(word);
      if (this.stripAccents && !ascii) word = [...word.normalize("NFD")].filter((c) => !isNonSpacingMark.test(c)).join("");
      let current = "";
      for (const ch of word) {
        const cp = ch.charCodeAt(0);
        if (ascii ? ASCII_CLASS[cp] === Ascii.Punct : isPunctuation(ch)) {
          if (current) words.push(current);
          words.push(ch);
          current = "";
        } else {
          current += ch;
        }
      }
      if (current) words.push(current);
    }
    return words;
  }

  /** Greedy longest-match-first WordPiece over one word; an unsplittable or over-long word is [UNK]. */
  wordPiece(word: string): number[] {
    if (this.index.has(word) && SPECIAL_TOKENS.includes(word)) return [this.index.get(word)!];
    // Work on code points (an emoji is one character, as in Python), via UTF-16 offsets of each code point.
    const offsets: number[] = [];
    for (let i = 0; i < word.length; i += word.codePointAt(i)! > 0xffff ? 2 : 1) offsets.push(i);
    if (offsets.length > MAX_CHARS_PER_WORD) return [this.unkId];
    offsets.push(word.length);
    const n = offsets.length - 1;
    const ids: number[] = [];
    let start = 0;
    while (start < n) {
      let end = n;
      let found: number | undefined;
      while (start < end) {
        const piece = word.slice(offsets[start], offsets[end]);
        const sub = start > 0 ? "##" + piece : piece;
        found = this.index.get(sub);
        if (found !== undefined) break;
        end--;
      }
      if (found === undefined) return [this.unkId];
      ids.push(found);
      start = end;
    }
    return ids;
  }

  /** Token ids without special tokens. */
  tokenize(text: string): number[] {
    if (typeof text !== "string") throw new TypeError(`tokenize expects a string, got ${typeof text}`);
    return this.basicTokenize(text).flatMap((w) => this.wordPiece(w));
  }

  encode(text: string, opts: EncodeOptions = {}): Encoding {
    const maxLength = opts.maxLength ?? DEFAULT_MAX_LENGTH;
    const hasPair = opts.pair !== undefined && opts.pair !== null;
    const minLength = hasPair ? 3 : 2;
    if (!Number.isInteger(maxLength) || maxLength < minLength) {
      throw new Error(`maxLength must be an integer ≥ ${minLength}, got ${maxLength}`);
    }
    let a = this.tokenize(text);
    if (!hasPair) {
      a = a.slice(0, maxLength - 2);
      return { ids: [this.clsId, ...a, this.sepId], typeIds: new Array(a.length + 2).fill(0) };
    }
    let b = this.tokenize(opts.pair as string);
    // Longest-first truncation as HF tokenizers does it: the shorter segment keeps up to half the budget, the
    // longer one gets the rest (so on an odd budget the longer keeps one more; on equal lengths, the second).
    const budget = maxLength - 3;
    let la = a.length;
    let lb = b.length;
    if (la + lb > budget) {
      const shorter = Math.min(la, lb, Math.floor(budget / 2));
      if (la > lb) [la, lb] = [budget - shorter, shorter];
      else [la, lb] = [shorter, budget - shorter];
    }
    a = a.slice(0, la);
    b = b.slice(0, lb);
    return {
      ids: [this.clsId, ...a, this.sepId, ...b, this.sepId],
      typeIds: [...new Array(la + 2).fill(0), ...new Array(lb + 1).fill(1)],
    };
  }

  /** Encodes and pads to the longest sequence in this batch (not to maxLength). */
  encodeBatch(texts: string[], opts: { pairs?: (string | null)[]; maxLength?: number } = {}): BatchEncoding {
    if (!Array.isArray(texts) || texts.length === 0) throw new Error("encodeBatch needs a non-empty array of texts");
    if (opts.pairs && opts.pairs.length !== texts.length) {
      throw new Error(`encodeBatch: ${texts.length} texts but ${opts.pairs.length} pairs`);
    }
    const encs = texts.map((t, i) => this.encode(t, { pair: opts.pairs?.[i] ?? null, maxLength: opts.maxLength }));
    const seqLen = Math.max(...encs.map((e) => e.ids.length));
    const n = texts.length;
    const ids = new Int32Array(n * seqLen).fill(this.padId);
    const typeIds = new Int32Array(n * seqLen);
    const mask = new Int32Array(n * seqLen);
    encs.forEach((e, r) => {
      ids.set(e.ids, r * seqLen);
      typeIds.set(e.typeIds, r * seqLen);
      mask.fill(1, r * seqLen, r * seqLen + e.ids.length);
    });
    return { ids, typeIds, mask, batchSize: n, seqLen, lengths: encs.map((e) => e.ids.length) };
  }
}

/** Splits raw text around exact occurrences of special tokens (HF matches them before normalisation). */
function splitOnSpecialTokens(text: string): { text: string; special: boolean }[] {
  const out: { text: string; special: boolean }[] = [];
  if (!text.includes("[")) return [{ text, special: false }];
  let last = 0;
  for (const m of text.matchAll(SPECIAL_PATTERN)) {
    if (m.index! > last) out.push({ text: text.slice(last, m.index), special: false });
    out.push({ text: m[0], special: true });
    last = m.index! + m[0].length;
  }
  if (last < text.length) out.push({ text: text.slice(last), special: false });
  return out;
}
