export interface SlotDefinition {
  name: string;
  pattern: string;
  prompt: string;
}

export const SLOT_NAME = /^[a-z][a-z0-9_]{0,40}$/;

/** Compiles an admin's slot pattern (case-insensitive, unicode); null when it is not a valid expression. */
export function compileSlotPattern(pattern: string): RegExp | null {
  try {
    return new RegExp(pattern, "iu");
  } catch {
    return null;
  }
}

/**
 * The slot's value in the first text (newest first) that matches: the first capture group when the pattern
 * has one (`order #?(\d{4,})`), otherwise the whole match.
 */
export function extractSlot(slot: SlotDefinition, texts: readonly string[]): string | null {
  const re = compileSlotPattern(slot.pattern);
  if (!re) return null;
  for (const text of texts) {
    const m = re.exec(text);
    if (m) return (m[1] ?? m[0]).trim().slice(0, 200) || null;
  }
  return null;
}
