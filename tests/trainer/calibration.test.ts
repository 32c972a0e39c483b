import { test } from "node:test";
import assert from "node:assert/strict";
import { fitTemperature, nllAtTemperature, softmax, temperatureFloor } from "../../trainer/train/calibration.js";
import { splitValidation } from "../../trainer/train/split.js";

test("temperature scaling softens an overconfident model and sharpens an underconfident one", () => {
  // logits always say 5:0, but only 70 % are right → the best temperature must be > 1
  const over = Array.from({ length: 100 }, () => Float32Array.from([5, 0]));
  const truthOver = Array.from({ length: 100 }, (_, i) => (i < 70 ? 0 : 1));
  const tOver = fitTemperature(over, truthOver);
  assert.ok(tOver > 1, `overconfident → T ${tOver} > 1`);
  // the calibrated confidence is close to the true 70 % hit rate
  assert.ok(Math.abs(softmax(over[0], tOver)[0] - 0.7) < 0.01);
  assert.ok(nllAtTemperature(over, truthOver, tOver) < nllAtTemperature(over, truthOver, 1));
  // logits 0.5:0 but always right → T < 1
  const under = Array.from({ length: 50 }, () => Float32Array.from([0.5, 0]));
  assert.ok(fitTemperature(under, new Array(50).fill(0)) < 1);
});

test("a validation set the model gets entirely right cannot sharpen confidences towards 1", () => {
  // Always right with a 0.5 margin: unbounded, NLL would drive T → 0 and every confidence → 1.
  const logits = Array.from({ length: 40 }, () => Float32Array.from([0.5, 0]));
  const truth = new Array(40).fill(0);
  assert.equal(temperatureFloor(1), 1);
  assert.equal(temperatureFloor(0.9), 0.5);
  const t = fitTemperature(logits, truth, temperatureFloor(1));
  assert.ok(t >= 1, `T ${t} ≥ 1`);
  assert.ok(softmax(logits[0], t)[0] < 0.7, "confidence stays where the margin puts it");
  assert.ok(fitTemperature(logits, truth, 0.05) < 0.1, "without the floor it would collapse");
});

test("the validation split is stratified, keeps a training row per label and is seeded", () => {
  const ex = [
    ...Array.from({ length: 20 }, (_, i) => ({ text: `a${i}`, label: "a" })),
    ...Array.from({ length: 3 }, (_, i) => ({ text: `b${i}`, label: "b" })),
    { text: "c0", label: "c" },
    { text: "n", label: "a", polarity: "negative" as const },
  ];
  const { train, validation } = splitValidation(ex, 0.1, 7);
  assert.equal(validation.filter((e) => e.label === "a").length, 2);
  assert.equal(validation.filter((e) => e.label === "b").length, 1);
  assert.equal(validation.filter((e) => e.label === "c").length, 0);
  assert.ok(train.some((e) => e.polarity === "negative"));
  assert.equal(train.length + validation.length, ex.length);
  assert.deepEqual(splitValidation(ex, 0.1, 7), { train, validation });
});
