// The product's model versions as an admin sees them over HTTP: the version the chat server serves, and
// "train now" runs of the trainer with its gate.
import type { Api } from "./api.js";
import { log, sleep } from "./args.js";

const FINISHED = ["promoted", "rejected", "failed"];

/** The model version the chat server is serving now (GET /api/health), or null before it has one. */
export async function activeModel(url: string): Promise<string | null> {
  const h = (await (await fetch(`${url}/api/health`)).json()) as { model: string | null };
  return h.model;
}

/**
 * Starts a "train now" run (POST /api/runs) and polls it until it is promoted, rejected or failed; returns the run
 * as GET /api/runs/:id last answered. With `name`, logs each new state (and epoch) as `  name: state`.
 */
export async function trainNow(admin: Api, opts: { pollMs: number; timeoutS?: number; name?: string }): Promise<any> {
  const { run } = await admin.post<{ run: { id: string } }>("/api/runs", {});
  const deadline = Date.now() + (opts.timeoutS ?? Infinity) * 1000;
  let lastPhase = "";
  for (;;) {
    const r = (await admin.get<{ run: any }>(`/api/runs/${run.id}`)).run;
    const phase = `${r.state}${r.progress?.epoch ? ` epoch ${r.progress.epoch}/${r.progress.epochs ?? "?"}` : ""}`;
    if (opts.name && phase !== lastPhase) {
      log(`  ${opts.name}: ${phase}`);
      lastPhase = phase;
    }
    if (FINISHED.includes(r.state)) return r;
    if (Date.now() > deadline) throw new Error(`${opts.name ?? "train now"} run ${run.id} still ${r.state} after ${opts.timeoutS} s`);
    await sleep(opts.pollMs);
  }
}

/** Waits until the chat server serves `version`: it hot-swaps on its own when it sees the new active pointer. */
export async function untilServing(url: string, version: string, opts: { pollMs: number; timeoutMs?: number }): Promise<void> {
  const until = Date.now() + (opts.timeoutMs ?? Infinity);
  while ((await activeModel(url)) !== version) {
    if (Date.now() > until) throw new Error(`server did not switch to ${version}`);
    await sleep(opts.pollMs);
  }
}
