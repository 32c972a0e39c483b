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
 * Groups questions by meaning: each question joins the most similar group whose first question it is at least
 * `similarity` to (cosine of sentence embeddings), else starts one. Biggest groups first.
 */
export async function questionClusterer(
  questions: HandedOffQuestion[],
  embed: Embedder,
  opts: { similarity: number; days: number; now?: Date },
): Promise<QuestionCluster[]> {
  if (!questions.length) return [];
  const now = opts.now ?? new Date();
  const vectors = await embed(questions.map((q) => q.text));
  const groups: { lead: number; members: number[]; sum: number[] }[] = [];
  questions.forEach((_, i) => {
    let best: (typeof groups)[number] | null = null;
    let bestSim = -1;
    for (const g of groups) {
      const sim = dot(vectors[i], vectors[g.lead]);
      if (sim > bestSim) [best, bestSim] = [g, sim];
    }
    if (best && bestSim >= opts.similarity) {
      best.members.push(i);
      vectors[i].forEach((v, k) => (best!.sum[k] += v));
    } else groups.push({ lead: i, members: [i], sum: [...vectors[i]] });
  });
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
