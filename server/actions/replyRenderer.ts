import { renderAnswer } from "../curation/placeholders.js";
import type { FieldValue } from "./responseShape.js";

const PATTERN = /\{\{\s*([^{}]*?)\s*\}\}/g;

type ConversationData = Parameters<typeof renderAnswer>[1];

/**
 * Fills an action answer: {{order.status}} from the action's reply fields, {{order_number}} from the slots,
 * then the conversation placeholders ({{name}}) as for any answer. Values are plain text (the widget never
 * parses a reply as HTML) and capped, so a verbose service cannot flood the chat.
 */
export function renderActionReply(
  template: string,
  fields: Record<string, FieldValue>,
  slots: Record<string, string>,
  conversation: ConversationData,
): string {
  const filled = template.replace(PATTERN, (whole, name: string) => {
    if (Object.hasOwn(fields, name)) return String(fields[name]).slice(0, 300);
    if (Object.hasOwn(slots, name)) return slots[name];
    return whole;
  });
  return renderAnswer(filled, conversation);
}
