import { badRequest } from "../errors.js";
import type { ConversationAttrs } from "../models/conversation.js";

type ConversationData = Pick<ConversationAttrs, "customerName" | "customerEmail"> & { channel?: { language?: string | null } | null };

// Every placeholder an answer may use, with how it is filled from the conversation. An answer naming
// anything else is refused when saved, so a typo never reaches a customer as "Hello {{nmae}}".
export const PLACEHOLDERS: Record<string, { description: string; fill: (c: ConversationData) => string }> = {
  name: { description: "The customer's name, or “there” when unknown", fill: (c) => c.customerName?.trim() || "there" },
  first_name: { description: "The customer's first name, or “there”", fill: (c) => c.customerName?.trim().split(/\s+/)[0] || "there" },
  email: {
    description: "The customer's email address, or “your email address”",
    fill: (c) => c.customerEmail?.trim() || "your email address",
  },
};

const PATTERN = /\{\{\s*([^{}]*?)\s*\}\}/g;

export function placeholdersIn(text: string): string[] {
  return [...text.matchAll(PATTERN)].map((m) => m[1]);
}

/** Throws a 400 naming each unknown placeholder (and any unbalanced braces); `extra`: an action's fields and slots. */
export function assertValidAnswerText(text: string, extra: readonly string[] = []): void {
  const unknown = placeholdersIn(text).filter((p) => !Object.hasOwn(PLACEHOLDERS, p) && !extra.includes(p));
  if (unknown.length > 0) {
    throw badRequest(`Unknown placeholder${unknown.length > 1 ? "s" : ""}: ${unknown.map((u) => `{{${u}}}`).join(", ")}`, {
      unknown,
      known: [...Object.keys(PLACEHOLDERS), ...extra],
    });
  }
  const stripped = text.replace(PATTERN, "");
  if (stripped.includes("{{") || stripped.includes("}}")) {
    throw badRequest("Unbalanced placeholder braces: write placeholders as {{name}}", { known: Object.keys(PLACEHOLDERS) });
  }
}

/** Fills an answer's placeholders for one conversation (the bot calls this before sending). */
export function renderAnswer(text: string, conversation: ConversationData): string {
  return text.replace(PATTERN, (whole, name: string) =>
    Object.hasOwn(PLACEHOLDERS, name) ? PLACEHOLDERS[name].fill(conversation) : whole,
  );
}
