import { z } from "zod";

// Shared by the zod schemas at the edges and the commands, so both refuse the same input.
export const MAX_MESSAGE_LENGTH = 4000;
export const MAX_CLIENT_ID_LENGTH = 64;
export const PREVIEW_LENGTH = 140;

// NUL and the other C0 controls but tab and newlines: they end strings in other tools and mean nothing in chat.
const CONTROLS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;
// Half of a UTF-16 pair: not text, and a JSON or BSON encoder elsewhere may reject or mangle it.
const LONE_SURROGATES = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// Bidi embeddings, overrides and isolates: U+202E makes "txt.exe" read as "exe.txt" to the agent reviewing it.
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;
// Characters that show nothing. Kept inside text (U+200D joins emoji), but a message of only these is empty.
const INVISIBLE = /[\s\u200B-\u200F\u2060-\u2064\uFEFF\u00AD\u034F\u180E]/g;

/** Message text as stored: controls, lone surrogates and bidi controls removed, then trimmed. */
export function normalizeMessageText(text: string): string {
  return text.replace(CONTROLS, "").replace(LONE_SURROGATES, "").replace(BIDI_CONTROLS, "").trim();
}

export const EMPTY_TEXT_REASON = "must not be empty (nothing visible is left once invisible and control characters are removed)";

/** The zod schema of message text at every edge (widget socket, agent socket, REST replies). */
export const messageTextSchema = z
  .string({ invalid_type_error: "must be a string", required_error: "is required" })
  .transform(normalizeMessageText)
  .pipe(
    z
      .string()
      .refine((s) => s.replace(INVISIBLE, "").length > 0, EMPTY_TEXT_REASON)
      .refine((s) => s.length <= MAX_MESSAGE_LENGTH, `must be at most ${MAX_MESSAGE_LENGTH} characters`),
  );

/** Normalised text, or a reason it cannot be stored. */
export function checkMessageText(text: unknown): { ok: true; text: string } | { ok: false; reason: string } {
  if (typeof text !== "string") return { ok: false, reason: "Message text must be a string" };
  const trimmed = normalizeMessageText(text);
  if (trimmed.replace(INVISIBLE, "").length === 0) return { ok: false, reason: `Message text ${EMPTY_TEXT_REASON}` };
  if (trimmed.length > MAX_MESSAGE_LENGTH) return { ok: false, reason: `Message text is longer than ${MAX_MESSAGE_LENGTH} characters` };
  return { ok: true, text: trimmed };
}
