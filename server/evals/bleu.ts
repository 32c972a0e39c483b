// Sentence-level BLEU-4 with add-one smoothing of the n-gram precisions (Lin & Och 2004), so a short
// reply that shares some words with the approved one scores above zero instead of collapsing to 0.

function tokens(s: string): string[] {
  return s.toLowerCase().match(/[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu) ?? [];
}

function ngrams(t: string[], n: number): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i + n <= t.length; i++) {
    const k = t.slice(i, i + n).join("\u0000");
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
}

export function sentenceBleu(candidate: string, reference: string, maxN = 4): number {
  const c = tokens(candidate);
  const r = tokens(reference);
  if (c.length === 0 || r.length === 0) return c.length === r.length ? 1 : 0;
  let logSum = 0;
  for (let n = 1; n <= maxN; n++) {
    const cg = ngrams(c, n);
    const rg = ngrams(r, n);
    let match = 0;
    let total = 0;
    for (const [k, v] of cg) {
      total += v;
      match += Math.min(v, rg.get(k) ?? 0);
    }
    // n = 1 unsmoothed: a reply sharing no word with the reference scores 0.
    const p = n === 1 ? (total === 0 ? 0 : match / total) : (match + 1) / (total + 1);
    if (p === 0) return 0;
    logSum += Math.log(p) / maxN;
  }
  const bp = c.length > r.length ? 1 : Math.exp(1 - r.length / c.length);
  return bp * Math.exp(logSum);
}

export function meanBleu(candidates: string[], references: string[]): number {
  if (candidates.length !== references.length) throw new Error("meanBleu: arrays differ in length");
  if (candidates.length === 0) return 0;
  return candidates.reduce((s, c, i) => s + sentenceBleu(c, references[i]), 0) / candidates.length;
}
