import { Example } from "../models/example.js";

// Scripts all-MiniLM-L6-v2 was not trained on (it is English): a workspace whose approved questions are mostly
// written in them is better served by the multilingual base. Latin-script languages other than English (German,
// French, …) are not told apart here: script detection cannot, and MiniLM reads them poorly but not blindly.
const NON_LATIN =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Cyrillic}\p{Script=Arabic}\p{Script=Thai}\p{Script=Devanagari}\p{Script=Hebrew}\p{Script=Greek}]/u;
const LETTER = /\p{L}/u;
const SAMPLE = 2000;

/** The script a text is mostly written in: 'latin', 'other' (CJK, Cyrillic, Arabic, …) or null without letters. */
export function scriptOf(text: string): "latin" | "other" | null {
  let latin = 0;
  let other = 0;
  for (const ch of text) {
    if (NON_LATIN.test(ch)) other++;
    else if (LETTER.test(ch)) latin++;
  }
  if (!latin && !other) return null;
  // a Chinese character carries a word; Latin letters come several to a word
  return other * 3 >= latin ? "other" : "latin";
}

export interface BaseModelSuggestion {
  family: "minilm" | "use-multilingual";
  /** Share of the sampled approved questions written mostly in a script other than Latin. */
  nonLatinShare: number;
  sampled: number;
  reason: string;
}

/** Suggests the multilingual base when most of the latest approved questions are in a non-Latin script. */
export async function suggestBaseModel(): Promise<BaseModelSuggestion> {
  const rows = await Example.find({ status: "active", golden: false, polarity: "positive" }, { question: 1 })
    .sort({ _id: -1 })
    .limit(SAMPLE)
    .lean();
  const scripts = rows.map((r) => scriptOf(r.question)).filter((s) => s !== null);
  const other = scripts.filter((s) => s === "other").length;
  const share = scripts.length ? other / scripts.length : 0;
  const family = share > 0.5 ? "use-multilingual" : "minilm";
  const pct = `${Math.round(share * 100)} %`;
  return {
    family,
    nonLatinShare: share,
    sampled: scripts.length,
    reason:
      scripts.length === 0
        ? "no approved questions yet"
        : family === "use-multilingual"
          ? `${pct} of the latest ${scripts.length} approved questions are in Chinese, Japanese, Korean or another non-Latin script: the multilingual base reads them, MiniLM (English) does not`
          : `${pct} of the latest ${scripts.length} approved questions are in a non-Latin script: MiniLM (English) fits`,
  };
}
