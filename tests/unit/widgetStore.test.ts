import { test } from "node:test";
import assert from "node:assert/strict";
import { afterRefusal, keepUnsent, lastSeq, mergeMessage, nextUnsent, type ChatMessage } from "../../client/widget/store.js";

// The widget's pure message-list logic, without a browser: tests/e2e/widget.test.ts covers the same paths end to end.
const at = "2026-01-01T00:00:00.000Z";
const stored = (seq: number, role: ChatMessage["role"] = "bot", clientId = `c${seq}`): ChatMessage => ({
  clientId,
  role,
  text: `m${seq}`,
  createdAt: at,
  id: `id${seq}`,
  seq,
});
const pending = (clientId: string, text = clientId): ChatMessage => ({ clientId, role: "customer", text, createdAt: at, state: "pending" });

test("mergeMessage keeps stored messages in seq order, whatever order they arrive in", () => {
  let list: ChatMessage[] = [];
  for (const seq of [3, 1, 2]) list = mergeMessage(list, stored(seq));
  assert.deepEqual(
    list.map((m) => m.seq),
    [1, 2, 3],
  );
});

test("mergeMessage replaces the pending copy of a message once it is stored (same clientId), in its seq place", () => {
  let list = [stored(1), pending("mine", "hello"), pending("later")];
  list = mergeMessage(list, { ...stored(2, "customer", "mine"), text: "hello" });
  assert.deepEqual(
    list.map((m) => [m.clientId, m.seq ?? null, m.state ?? null]),
    [
      ["c1", 1, null],
      ["mine", 2, null],
      ["later", null, "pending"],
    ],
  );
});

test("mergeMessage replaces a stored message updated by id (feedback) instead of adding it twice", () => {
  const list = mergeMessage([stored(1), stored(2)], { ...stored(2), feedback: "up" });
  assert.equal(list.length, 2);
  assert.equal(list[1].feedback, "up");
});

test("a message without seq (a local one) goes after the stored ones", () => {
  const list = mergeMessage([stored(1), stored(2)], pending("new"));
  assert.deepEqual(
    list.map((m) => m.clientId),
    ["c1", "c2", "new"],
  );
  assert.equal(lastSeq(list), 2);
  assert.equal(lastSeq([]), 0);
});

test("the unsent queue sends the oldest pending message first and skips failed ones", () => {
  const failed: ChatMessage = { ...pending("bad"), state: "failed", error: "too long" };
  const list = [stored(1), failed, pending("first"), pending("second")];
  assert.equal(nextUnsent(list)?.clientId, "first");
  assert.equal(nextUnsent([stored(1), failed]), undefined);
});

test("moving to another conversation keeps only what was not sent: pending and failed messages", () => {
  const failed: ChatMessage = { ...pending("bad"), state: "failed" };
  assert.deepEqual(
    keepUnsent([stored(1), pending("a"), failed, stored(2)]).map((m) => m.clientId),
    ["a", "bad"],
  );
});

test("a refused send: wait on rate limits, fail on the message's own errors, keep it for anything else", () => {
  assert.equal(afterRefusal("rate_limited"), "wait");
  assert.equal(afterRefusal("invalid_input"), "fail");
  assert.equal(afterRefusal("not_found"), "fail");
  for (const code of ["unavailable", "internal", "busy", "timeout"]) assert.equal(afterRefusal(code), "keep");
});
