import vm from "node:vm";

// Admins add their own redaction patterns, and a pattern like (a+)+$ takes exponential time on a long run of
// "a"s: one customer message could stall every nightly snapshot. Two walls: patterns with nested unbounded
// quantifiers are refused when saved, and every admin pattern runs with a time bound anyway (other shapes,
// such as overlapping alternatives under a quantifier, are not caught by the first wall).

/** Why `pattern` risks catastrophic backtracking (a quantified group that contains an unbounded quantifier), or null. */
export function backtrackingRisk(pattern: string): string | null {
  // One frame per open group: whether anything inside it repeats without bound.
  const groups: { unbounded: boolean }[] = [{ unbounded: false }];
  let lastAtomUnbounded = false; // the atom just before a quantifier: a closed group that contains one
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") {
      i++;
      lastAtomUnbounded = false;
    } else if (c === "[") {
      // A character class is one atom; skip to its unescaped closing bracket.
      for (i++; i < pattern.length && pattern[i] !== "]"; i++) if (pattern[i] === "\\") i++;
      lastAtomUnbounded = false;
    } else if (c === "(") {
      groups.push({ unbounded: false });
      lastAtomUnbounded = false;
    } else if (c === ")") {
      const inner = groups.length > 1 ? groups.pop()! : { unbounded: false };
      lastAtomUnbounded = inner.unbounded;
      if (inner.unbounded) groups[groups.length - 1]!.unbounded = true;
    } else if (c === "*" || c === "+" || (c === "{" && /^\{\d+,(\d{2,})?\}/.test(pattern.slice(i)))) {
      if (lastAtomUnbounded)
        return "pattern nests unbounded quantifiers (like (a+)+), which can take exponential time; rewrite it without the outer repetition";
      groups[groups.length - 1]!.unbounded = true;
      lastAtomUnbounded = false;
      if (c === "{") i = pattern.indexOf("}", i);
    } else {
      lastAtomUnbounded = false;
    }
  }
  return null;
}

export class RegexTimeoutError extends Error {}

const context = vm.createContext(Object.create(null));
const replaceScript = new vm.Script("input.replace(re, replacer)");

/** `text.replace(re, replacer)`, stopped with RegexTimeoutError if it runs longer than `timeoutMs`. */
export function boundedReplace(text: string, re: RegExp, replacer: (match: string) => string, timeoutMs: number): string {
  Object.assign(context, { input: text, re, replacer });
  try {
    return replaceScript.runInContext(context, { timeout: timeoutMs }) as string;
  } catch (err) {
    if ((err as { code?: string }).code === "ERR_SCRIPT_EXECUTION_TIMEOUT")
      throw new RegexTimeoutError(`/${re.source}/ ran longer than ${timeoutMs} ms`);
    throw err;
  } finally {
    Object.assign(context, { input: null, re: null, replacer: null });
  }
}
