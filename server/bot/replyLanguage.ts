// Which of an answer's texts the bot sends: the one in the language the customer wrote in. The script of the
// message decides where it can (Chinese characters, kana, hangul); a message in Latin letters is in the widget's
// language when that is a Latin-script one, else taken as English. Then the answer's translation in that language
// (exact tag, else the same primary language: zh-CN ≈ zh-TW only when nothing closer exists), else its main text.

const HAN = /\p{Script=Han}/u;
const KANA = /[\p{Script=Hiragana}\p{Script=Katakana}]/u;
const HANGUL = /\p{Script=Hangul}/u;
const LATIN = /\p{Script=Latin}/u;
const TRADITIONAL_HINT = /[們這個說會對時來為麼嗎請問運費錢還沒訂單發貨]/u;

/** The language a message is written in, from its script; null when its script says nothing (digits, emoji). */
export function messageLanguage(text: string, widgetLanguage: string | null | undefined): string | null {
  let han = 0,
    kana = 0,
    hangul = 0,
    latin = 0;
  for (const ch of text) {
    if (KANA.test(ch)) kana++;
    else if (HAN.test(ch)) han++;
    else if (HANGUL.test(ch)) hangul++;
    else if (LATIN.test(ch)) latin++;
  }
  const widget = widgetLanguage ?? null;
  if (kana > 0 && kana + han >= latin / 3) return "ja";
  if (hangul > 0 && hangul >= latin / 3) return "ko";
  if (han > 0 && han >= latin / 3) {
    if (widget?.toLowerCase().startsWith("zh")) return widget;
    return TRADITIONAL_HINT.test(text) ? "zh-TW" : "zh-CN";
  }
  if (latin > 0) return widget && !/^(zh|ja|ko)/i.test(widget) ? widget : "en";
  return widget;
}

export interface AnswerTexts {
  text: string;
  translations?: { language: string; text: string }[] | null;
}

/** The answer's text for `language`, and the language it is in (null: the main text, language unknown). */
export function answerTextFor(answer: AnswerTexts, language: string | null): { text: string; language: string | null } {
  const list = answer.translations ?? [];
  if (!language || !list.length) return { text: answer.text, language: null };
  const want = language.toLowerCase();
  const exact = list.find((t) => t.language.toLowerCase() === want);
  if (exact) return { text: exact.text, language: exact.language };
  const primary = want.split("-")[0];
  const near = list.find((t) => t.language.toLowerCase().split("-")[0] === primary);
  if (near) return { text: near.text, language: near.language };
  return { text: answer.text, language: null };
}
