import type { Embedder } from "../snapshot/embedder.js";
import type { HandedOffQuestion } from "./unansweredQuestions.js";

export interface QuestionCluster {
  // The question most like the others: what the cluster is about.
  label: string;
  count: number;
  last7Days: number;
  last30Days: number;
  // Questions per day, oldest first, over the window (for a sparkline).
  daily: number[];
  examples: { messageId: string; conversationId: string; text: string; at: string }[];
  questionIds: string[];
}

const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0);

/**
 * Greedy grouping by cosine (vectors are normalised): in order, each vector joins the most similar group whose
 * first member (its lead) it is at least `similarity` to, else leads a new one. Members by index, lead first.
 * `similarityOf(i, j)` may be given where the cosines are already known (the clustering benchmark).
 */
export function groupBySimilarity(count: number, similarity: number, similarityOf: (i: number, lead: number) => number): number[][] {
  const groups: number[][] = [];
  for (let i = 0; i < count; i++) {
    let best: number[] | null = null;
    let bestSim = -1;
    for (const g of groups) {
      const sim = similarityOf(i, g[0]);
      if (sim > bestSim) [best, bestSim] = [g, sim];
    }
    if (best && bestSim >= similarity) best.push(i);
    else groups.push([i]);
  }
  return groups;
}

/**
 * Groups questions by meaning (groupBySimilarity over their sentence embeddings), biggest groups first.
 * `similarity` depends on the base family the embedder is in (server/embeddings/similarity.ts).
 */
export async function questionClusterer(
  questions: HandedOffQuestion[],
  embed: Embedder,
  opts: { similarity: number; days: number; now?: Date },
): Promise<QuestionCluster[]> {
  if (!questions.length) return [];
  const now = opts.now ?? new Date();
  const vectors = await embed(questions.map((q) => q.text));
  const groups = groupBySimilarity(vectors.length, opts.similarity, (i, j) => dot(vectors[i], vectors[j])).map((members) => ({
    members,
    sum: vectors[members[0]].map((_, k) => members.reduce((s, i) => s + vectors[i][k], 0)),
  }));
  const day = 86_400_000;
  return groups
    .map((g) => {
      const members = g.members.map((i) => questions[i]).sort((a, b) => b.at.getTime() - a.at.getTime());
      // The label is the member closest to the group's mean, not whichever came first.
      const central = g.members.reduce((best, i) => (dot(vectors[i], g.sum) > dot(vectors[best], g.sum) ? i : best), g.members[0]);
      const daily = new Array(opts.days).fill(0);
      for (const m of members) {
        const ago = Math.floor((now.getTime() - m.at.getTime()) / day);
        if (ago >= 0 && ago < opts.days) daily[opts.days - 1 - ago]++;
      }
      return {
        label: questions[central].text,
        count: members.length,
        last7Days: members.filter((m) => now.getTime() - m.at.getTime() < 7 * day).length,
        last30Days: members.filter((m) => now.getTime() - m.at.getTime() < 30 * day).length,
        daily,
        examples: members
          .slice(0, 5)
          .map((m) => ({ messageId: m.messageId, conversationId: m.conversationId, text: m.text, at: m.at.toISOString() })),
        questionIds: members.map((m) => m.messageId),
      };
    })
    .sort((a, b) => b.count - a.count || b.last7Days - a.last7Days);
}
