import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitTemperature, nllAtTemperature, softmax } from '../../trainer/train/calibration.js';
import { splitValidation } from '../../trainer/train/split.js';

test('temperature scaling softens an overconfident model and sharpens an underconfident one', () => {
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

test('the validation split is stratified, keeps a training row per label and is seeded', () => {
  const ex = [
    ...Array.from({ length: 20 }, (_, i) => ({ text: `a${i}`, label: 'a' })),
    ...Array.from({ length: 3 }, (_, i) => ({ text: `b${i}`, label: 'b' })),
    { text: 'c0', label: 'c' },
    { text: 'n', label: 'a', polarity: 'negative' as const },
  ];
  const { train, validation } = splitValidation(ex, 0.1, 7);
  assert.equal(validation.filter((e) => e.label === 'a').length, 2);
  assert.equal(validation.filter((e) => e.label === 'b').length, 1);
  assert.equal(validation.filter((e) => e.label === 'c').length, 0);
  assert.ok(train.some((e) => e.polarity === 'negative'));
  assert.equal(train.length + validation.length, ex.length);
  assert.deepEqual(splitValidation(ex, 0.1, 7), { train, validation });
});
