// Serving figures for bench:model: the chat server's inference thread (server/bot/inference), on whichever
// backend TFJS_BACKEND names (the thread picks its backend as the server's does).
import { loadavg } from "node:os";
import { startInferenceThread } from "../server/bot/inference/index.js";
import type { TrainExample } from "../trainer/index.js";

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

/**
 * One question at a time through the thread (p50/p99), then `burst` questions at once, as a busy chat process
 * hands them over: predictions per second from first call to last answer (the best of `rounds`; the bot's
 * decision adds only an answer lookup in the database to each).
 */
export async function runServing(
  artifactDir: string,
  baseModelDir: string,
  questions: TrainExample[],
  opts: { burst: number; rounds: number },
) {
  const thread = startInferenceThread({ baseModelDir });
  try {
    const predictor = await thread.load(artifactDir);
    const ask = (i: number) => {
      const q = questions[i % questions.length];
      return Promise.resolve(predictor.predict(q.text, i % 2 ? "Hello! How can I help?" : null));
    };
    for (let i = 0; i < 10; i++) await ask(i);
    const single: number[] = [];
    for (let i = 0; i < 100; i++) {
      const t0 = performance.now();
      await ask(i);
      single.push(performance.now() - t0);
    }
    single.sort((a, b) => a - b);
    const bursts: { seconds: number; perSecond: number; p50Ms: number; p99Ms: number }[] = [];
    for (let r = 0; r < opts.rounds; r++) {
      const t0 = performance.now();
      const each = await Promise.all(
        Array.from({ length: opts.burst }, (_, i) => ask(r * opts.burst + i).then(() => performance.now() - t0)),
      );
      const seconds = (performance.now() - t0) / 1000;
      each.sort((a, b) => a - b);
      bursts.push({ seconds, perSecond: opts.burst / seconds, p50Ms: percentile(each, 0.5), p99Ms: percentile(each, 0.99) });
    }
    const best = bursts.reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
    return {
      artifact: artifactDir,
      singleThroughThread: { runs: single.length, p50Ms: percentile(single, 0.5), p99Ms: percentile(single, 0.99) },
      burst: { questions: opts.burst, rounds: opts.rounds, best, all: bursts },
      loadAverage1m: +loadavg()[0].toFixed(2),
    };
  } finally {
    await thread.close();
  }
}
