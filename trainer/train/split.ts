import type { TrainExample } from "../types.js";
import { seededRandom, shuffleInPlace } from "./random.js";

/**
 * Stratified hold-out: about `fraction` of each label's positive examples go to validation, but a label keeps at
 * least one training example (labels with a single example are never held out). Negatives and questions marked out
 * of scope always train.
 */
export function splitValidation(
  examples: TrainExample[],
  fraction: number,
  seed: number,
): { train: TrainExample[]; validation: TrainExample[] } {
  const random = seededRandom(seed ^ 0x5eed);
  const byLabel = new Map<string, TrainExample[]>();
  const train: TrainExample[] = [];
  for (const ex of examples) {
    if (ex.polarity === "negative" || ex.outOfScope) {
      train.push(ex);
      continue;
    }
    const list = byLabel.get(ex.label) ?? [];
    list.push(ex);
    byLabel.set(ex.label, list);
  }
  const validation: TrainExample[] = [];
  for (const label of [...byLabel.keys()].sort()) {
    const list = shuffleInPlace([...byLabel.get(label)!], random);
    const held = list.length < 2 ? 0 : Math.min(list.length - 1, Math.max(1, Math.round(list.length * fraction)));
    validation.push(...list.slice(0, held));
    train.push(...list.slice(held));
  }
  return { train, validation };
}
