// Shared by the zod schemas at the edges and the commands, so both refuse the same input.
export const MAX_MESSAGE_LENGTH = 4000;
export const MAX_CLIENT_ID_LENGTH = 64;
export const PREVIEW_LENGTH = 140;

/** Trimmed text, or a reason it cannot be stored. */
export function checkMessageText(text: unknown): { ok: true; text: string } | { ok: false; reason: string } {
  if (typeof text !== "string") return { ok: false, reason: "Message text must be a string" };
  const trimmed = text.trim();
  if (trimmed.length === 0) return { ok: false, reason: "Message text is empty" };
  if (trimmed.length > MAX_MESSAGE_LENGTH) return { ok: false, reason: `Message text is longer than ${MAX_MESSAGE_LENGTH} characters` };
  return { ok: true, text: trimmed };
}
