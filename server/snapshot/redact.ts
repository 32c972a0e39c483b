// PII is replaced with a typed token before anything is trained, so a model never memorises a customer's
// address or card. The tokens stay readable ("[email]") so the example still teaches the right answer.

import { boundedReplace, RegexTimeoutError } from "./regexSafety.js";

// An admin pattern gets this long per text; a pattern that backtracks past it fails the snapshot (naming the
// pattern) rather than stall it or train on text it was meant to redact.
const PATTERN_TIMEOUT_MS = 250;

export interface RedactPattern {
  name: string;
  pattern: string;
  flags?: string;
}

export interface Redaction {
  text: string;
  count: number;
  kinds: string[];
}

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
// Digit runs with optional spaces/dashes; the digit count decides whether it is a card (13–19) or a phone (7–15).
const DIGIT_RUN = /\+?\(?\d[\d ()./-]{5,}\d/g;

function digits(s: string): number {
  return s.replace(/\D/g, "").length;
}

export function redactPii(input: string, extra: RedactPattern[] = []): Redaction {
  let count = 0;
  const kinds = new Set<string>();
  let text = input.replace(EMAIL, () => {
    count++;
    kinds.add("email");
    return "[email]";
  });
  text = text.replace(DIGIT_RUN, (m) => {
    const n = digits(m);
    if (n >= 13 && n <= 19 && !/[()+]/.test(m)) {
      count++;
      kinds.add("card");
      return "[card]";
    }
    if (n >= 7 && n <= 15) {
      count++;
      kinds.add("phone");
      return "[phone]";
    }
    return m;
  });
  for (const p of extra) {
    const flags = (p.flags ?? "g").includes("g") ? (p.flags ?? "g") : `${p.flags}g`;
    try {
      text = boundedReplace(
        text,
        new RegExp(p.pattern, flags),
        () => {
          count++;
          kinds.add(p.name);
          return `[${p.name}]`;
        },
        PATTERN_TIMEOUT_MS,
      );
    } catch (err) {
      if (err instanceof RegexTimeoutError)
        throw new RegexTimeoutError(`redaction pattern "${p.name}" ${err.message} on one example; rewrite it in the trainer settings`);
      throw err;
    }
  }
  return { text, count, kinds: [...kinds] };
}
