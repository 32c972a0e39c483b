import { test } from "node:test";
import assert from "node:assert/strict";
import { backtrackingRisk, RegexTimeoutError } from "../../server/snapshot/regexSafety.js";
import { redactPii } from "../../server/snapshot/redact.js";

test("nested unbounded quantifiers are flagged; ordinary redaction patterns are not", () => {
  for (const p of ["(a+)+$", "(a*)*", "(\\w+\\s?)+$", "((a+))+", "(x{2,})*"]) assert.ok(backtrackingRisk(p), p);
  for (const p of ["ORD-\\d{6,}", "\\d{3}-\\d{4}", "(\\d{3}-)+", "[(a+)]+", "(ab|cd)+", "(a{2,5})+", "\\(a+\\)+"])
    assert.equal(backtrackingRisk(p), null, p);
});

test("an admin pattern that backtracks past its time bound fails the redaction, naming the pattern, within a second", () => {
  // Overlapping alternatives under a star: exponential, and not a shape the static check looks for.
  const pattern = "(a|a)*b";
  assert.equal(backtrackingRisk(pattern), null);
  const started = Date.now();
  assert.throws(
    () => redactPii(`${"a".repeat(40)}c`, [{ name: "slow", pattern, flags: "g" }]),
    (err: Error) => err instanceof RegexTimeoutError && /"slow"/.test(err.message),
  );
  assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
  assert.equal(
    redactPii("order ORD-123456 shipped", [{ name: "order", pattern: "ORD-\\d{6,}", flags: "g" }]).text,
    "order [order] shipped",
  );
});
