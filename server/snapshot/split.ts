import { createHash } from "node:crypto";

export type Split = "train" | "validation" | "heldout";

/** Position 0..9999 of an example, derived from its id only, so it lands in the same split in every snapshot. */
export function bucketOf(exampleId: string): number {
  return createHash("sha256").update(exampleId).digest().readUInt32BE(0) % 10000;
}

/**
 * Held-out and validation examples are chosen by a hash of the example id, so an example held out tonight
 * was held out last night too and the active version never trained on it: comparing the two on it is fair.
 * Only positives and questions marked "not for the bot" are held out (a rejection teaches what one answer is not;
 * it cannot be scored as right or wrong, while a question no answer fits can: the bot must not answer it).
 * A label keeps at least one training example even if its hash says otherwise.
 */
export function assignSplits<T extends { exampleId: string; label: string; polarity: string; outOfScope?: boolean }>(
  rows: T[],
  heldoutPercent: number,
  validationPercent: number,
): (T & { split: Split })[] {
  const out = rows.map((r) => {
    if (r.polarity !== "positive" && !r.outOfScope) return { ...r, split: "train" as Split };
    const b = bucketOf(r.exampleId);
    const split: Split = b < heldoutPercent * 100 ? "heldout" : b < (heldoutPercent + validationPercent) * 100 ? "validation" : "train";
    return { ...r, split };
  });
  const byLabel = new Map<string, (T & { split: Split })[]>();
  for (const r of out) if (r.polarity === "positive") byLabel.set(r.label, [...(byLabel.get(r.label) ?? []), r]);
  for (const rows of byLabel.values()) {
    if (!rows.some((r) => r.split === "train")) rows.sort((a, b) => bucketOf(b.exampleId) - bucketOf(a.exampleId))[0].split = "train";
  }
  return out;
}
