import { test } from "node:test";
import assert from "node:assert/strict";
import { fitOpenWorldThresholds, inScopeScore, openSetThreshold } from "../../trainer/train/openWorld.js";

const targets = { targetPrecision: 0.9, outOfScopeShare: 0.2, maxOutOfScopeAnswered: 0.05 };

test("novel questions the softmax is sure of are stopped by the in-scope threshold, not by refusing everything", () => {
  // in scope: confident, right, near their training questions; novel: just as confident, but far from all of them
  const inScope = Array.from({ length: 100 }, (_, i) => ({
    confidence: 0.6 + (i % 40) / 100,
    score: 0.7 + (i % 25) / 100,
    correct: i % 20 !== 0,
  }));
  const novel = Array.from({ length: 50 }, (_, i) => ({ confidence: 0.6 + (i % 40) / 100, score: 0.3 + (i % 30) / 100 }));
  const t = fitOpenWorldThresholds(inScope, novel, targets);
  assert.ok(t.inScopeThreshold > 0.59 && t.inScopeThreshold <= 0.7, `in-scope threshold ${t.inScopeThreshold} sits between the two groups`);
  assert.ok(t.estimates.outOfScopeAnswered <= 0.05);
  assert.ok(t.estimates.precision >= 0.9);
  assert.ok(t.estimates.inScopeCoverage > 0.9, `answers most in-scope questions (${t.estimates.inScopeCoverage})`);

  // the closed-set threshold alone would have answered most of the novel ones
  const closed = fitOpenWorldThresholds(inScope, [], targets);
  assert.equal(closed.inScopeThreshold, -Infinity);
  assert.ok(novel.filter((c) => c.confidence >= closed.threshold).length / novel.length > 0.5);
});

test("precision is counted over all traffic: answered novel questions are wrong answers", () => {
  // in-scope alone is 92 % right; novel questions look exactly like in-scope ones to both signals
  const inScope = Array.from({ length: 100 }, (_, i) => ({ confidence: 0.9, score: 0.8, correct: i >= 8 }));
  const novel = Array.from({ length: 100 }, () => ({ confidence: 0.9, score: 0.8 }));
  const t = fitOpenWorldThresholds(inScope, novel, targets);
  // nothing can separate them, so nothing may be answered
  assert.ok(t.threshold > 1, "answers nothing");
  assert.equal(t.estimates.inScopeCoverage, 0);
  // with no novel traffic assumed, the same in-scope cases pass at 90 %
  const t0 = fitOpenWorldThresholds(inScope, novel, { ...targets, outOfScopeShare: 0, maxOutOfScopeAnswered: 1 });
  assert.equal(t0.threshold, 0.9);
});

test("the cap on answered novel questions holds even when precision would allow more", () => {
  const inScope = Array.from({ length: 200 }, (_, i) => ({ confidence: 0.95, score: 0.5 + i / 400, correct: true }));
  const novel = Array.from({ length: 100 }, (_, i) => ({ confidence: 0.95, score: 0.4 + i / 250 }));
  const loose = fitOpenWorldThresholds(inScope, novel, { targetPrecision: 0.5, outOfScopeShare: 0.2, maxOutOfScopeAnswered: 0.3 });
  const strict = fitOpenWorldThresholds(inScope, novel, { targetPrecision: 0.5, outOfScopeShare: 0.2, maxOutOfScopeAnswered: 0.05 });
  assert.ok(strict.estimates.outOfScopeAnswered <= 0.05);
  assert.ok(loose.estimates.outOfScopeAnswered > 0.05 && loose.estimates.outOfScopeAnswered <= 0.3);
  assert.ok(strict.inScopeThreshold > loose.inScopeThreshold);
});

test('a "not for the bot" question nearer than every trained question lowers the in-scope score', () => {
  assert.equal(inScopeScore(0.8, 0.5), 0.8);
  assert.ok(Math.abs(inScopeScore(0.8, 0.95) - 0.65) < 1e-9);
});

test('the open-set threshold maximises macro-F1 over the answers plus "open"', () => {
  const inScope = Array.from({ length: 60 }, (_, i) => ({
    confidence: 0.9,
    score: 0.75 + (i % 10) / 100,
    correct: true,
    truth: i % 3,
    predicted: i % 3,
  }));
  const novel = Array.from({ length: 60 }, (_, i) => ({ confidence: 0.9, score: 0.4 + (i % 10) / 100, predicted: i % 3 }));
  const t = openSetThreshold(inScope, novel, 3);
  assert.ok(t > 0.49 && t <= 0.75, `threshold ${t} separates the groups`);
  assert.equal(openSetThreshold(inScope, [], 3), -Infinity);
});
