export type TextProblem = "not_text" | "too_short" | "too_long";

/**
 * Why a question is unfit for training, or null. "Not text" means nothing a customer would type as a
 * question: no letters at all (only digits, symbols, emoji) or control characters from a broken client.
 */
export function textProblem(text: unknown, limits: { minChars: number; maxChars: number }): TextProblem | null {
  if (typeof text !== "string") return "not_text";
  const t = text.trim();
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.test(t) || !/\p{L}/u.test(t)) return "not_text";
  if (t.length < limits.minChars) return "too_short";
  if (t.length > limits.maxChars) return "too_long";
  return null;
}

/** Case- and whitespace-insensitive form used for exact-duplicate detection. */
export function normalizeText(text: string): string {
  return text
    .normalize("NFKC")
    .toLowerCase()
    .replace(/\s+/g, " ")
    .replace(/[\s?!.]+$/, "")
    .trim();
}
