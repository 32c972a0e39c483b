import { test } from "node:test";
import assert from "node:assert/strict";
import {
  accuracy,
  confusionPairs,
  coverageAtPrecision,
  expectedCalibrationError,
  macroF1,
  perLabelF1,
  thresholdForPrecision,
} from "../../trainer/evals/metrics.js";

const truth = ["a", "a", "a", "b", "b", "c"];
const predicted = ["a", "a", "b", "b", "c", "c"];

test("accuracy counts exact label matches", () => {
  assert.equal(accuracy(truth, predicted), 4 / 6);
  assert.throws(() => accuracy(["a"], []), /differ in length/);
});

test("perLabelF1 and macroF1 match hand-computed values", () => {
  const s = perLabelF1(truth, predicted);
  // a: tp 2, fp 0, fn 1 → p 1, r 2/3, f1 0.8
  assert.deepEqual(s.a, { precision: 1, recall: 2 / 3, f1: 0.8, support: 3 });
  // b: tp 1, fp 1, fn 1 → 0.5 / 0.5 / 0.5; c: tp 1, fp 1, fn 0 → p 0.5, r 1, f1 2/3
  assert.equal(s.b.f1, 0.5);
  assert.ok(Math.abs(s.c.f1 - 2 / 3) < 1e-12);
  assert.ok(Math.abs(macroF1(truth, predicted) - (0.8 + 0.5 + 2 / 3) / 3) < 1e-12);
});

test("confusionPairs lists the most frequent mistakes first", () => {
  const pairs = confusionPairs(["a", "a", "a", "b"], ["b", "b", "c", "a"]);
  assert.deepEqual(pairs[0], { truth: "a", predicted: "b", count: 2 });
  assert.equal(pairs.length, 3);
});

test("thresholdForPrecision picks the lowest threshold that reaches the target", () => {
  const conf = [0.99, 0.95, 0.9, 0.8, 0.7, 0.6];
  const correct = [true, true, true, false, true, false];
  // top 3: 3/3; top 4: 3/4 = .75; top 5: 4/5 = .8; top 6: 4/6
  assert.equal(thresholdForPrecision(conf, correct, 1), 0.9);
  assert.equal(thresholdForPrecision(conf, correct, 0.8), 0.7);
  assert.equal(thresholdForPrecision(conf, correct, 0.6), 0.6);
  assert.equal(thresholdForPrecision([0.9, 0.8], [false, false], 0.5), null);
  assert.equal(coverageAtPrecision(conf, correct, 0.8), 5 / 6);
  assert.equal(coverageAtPrecision([0.9], [false], 0.9), 0);
});

test("thresholdForPrecision never splits tied confidences", () => {
  // the tie at 0.9 holds one right and one wrong answer: cutting inside it is impossible
  assert.equal(thresholdForPrecision([0.95, 0.9, 0.9], [true, true, false], 0.9), 0.95);
});

test("expectedCalibrationError is zero when confidence equals accuracy and large when overconfident", () => {
  assert.equal(expectedCalibrationError([0.5, 0.5], [true, false], 10), 0);
  assert.ok(Math.abs(expectedCalibrationError([1, 1, 1, 1], [true, false, false, false], 10) - 0.75) < 1e-12);
});
