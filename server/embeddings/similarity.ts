import type { BaseFamily } from "../../trainer/index.js";

// Cosine thresholds differ between the base families' vector spaces; measured by `npm run bench:clusters` on
// training splits only (bench/results/clusters.json, docs/import-export.md).

/**
 * Next answers: two handed-off questions are one need at this cosine. MiniLM: the best pairwise F1 against
 * BANKING77's intents (40.4 % at 0.60 against 34.8 % at the former 0.70). USE: its BANKING77 best (0.64) carried to
 * Chinese through xSID's parallel sentences (Chinese clusters as finely at 0.69 as English at 0.64).
 */
export const CLUSTER_SIMILARITY: Record<BaseFamily, number> = { minilm: 0.6, "use-multilingual": 0.69 };

/**
 * Imports: agent replies this similar are one answer. MiniLM keeps 0.90; USE collapses as much at 0.86 on the same
 * English questions, 0.89 carried to Chinese.
 */
export const COLLAPSE_SIMILARITY: Record<BaseFamily, number> = { minilm: 0.9, "use-multilingual": 0.89 };
