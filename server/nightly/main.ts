// The trainer from the command line.
//   npm run trainer:run          one run now (snapshot → train → eval → promote), with a progress bar
//   npm run trainer              long-running trainer: follows the schedule and executes "train now" requests
// Exit codes of a single run: 0 promoted, 2 rejected, 1 failed, 3 another run holds the lease.
import cliProgress from "cli-progress";
import type { Config } from "../config.js";
import { runCli, withDatabase } from "../cli.js";
import { Lease } from "../models/lease.js";
import { TrainingRun } from "../models/trainingRun.js";
import { acquireLease, keepAlive, LeaseLostError, processOwnerId, TRAINER_LEASE } from "./lease.js";
import { enqueueRun, claimQueuedRun } from "./runQueue.js";
import { nightlyRunner, type Outcome } from "./nightlyRunner.js";
import { startNightlyWorker } from "./nightlyWorker.js";
import { loadTrainerSettings } from "./settings.js";
import { nextSlot } from "./scheduler.js";

const LEASE_TTL_MS = Number(process.env.TRAINER_LEASE_TTL_MS ?? 120_000);

async function runOnce(config: Config): Promise<number> {
  const owner = processOwnerId();
  const lease = await acquireLease(TRAINER_LEASE, owner, LEASE_TTL_MS);
  if (!lease) {
    const held = await Lease.findById(TRAINER_LEASE).lean();
    console.log(
      `Another trainer holds the lease (${held?.owner ?? "unknown"}, run ${held?.runId ?? "none yet"}); not starting a second run.`,
    );
    return 3;
  }
  const lost = new AbortController();
  const stop = keepAlive(lease, LEASE_TTL_MS, () => lost.abort());
  const bar = new cliProgress.SingleBar(
    {
      format: "{phase} |{bar}| epoch {epoch}/{epochs} step {value}/{total} loss {loss} val {val}",
      hideCursor: true,
      noTTYOutput: true,
      notTTYSchedule: 5000,
    },
    cliProgress.Presets.shades_classic,
  );
  let barStarted = false;
  try {
    const { run } = await enqueueRun("cli", null, process.env.USER ?? null);
    const runId = String(run._id);
    await claimQueuedRun(owner, runId);
    await lease.setRun(runId);
    console.log(`Run ${runId} started (lease owner ${owner})`);
    const outcome: Outcome = await nightlyRunner(runId, {
      config,
      signal: lost.signal,
      fence: async () => {
        if (!(await lease.held())) throw new LeaseLostError("lease lost; another trainer took over");
      },
      onProgress: (p) => {
        const payload = {
          phase: p.phase.padEnd(11),
          epoch: p.epoch ?? "-",
          epochs: p.epochs ?? "-",
          loss: p.loss?.toFixed(4) ?? "-",
          val: p.valAccuracy?.toFixed(3) ?? "-",
        };
        if (!barStarted) {
          bar.start(p.steps ?? 1, p.step ?? 0, payload);
          barStarted = true;
        }
        bar.setTotal(p.steps ?? 1);
        bar.update(p.step ?? 0, payload);
      },
    });
    if (barStarted) bar.stop();
    const done = await TrainingRun.findById(runId).lean();
    console.log(`Run ${runId}: ${outcome}${done?.candidateVersion ? ` (candidate ${done.candidateVersion})` : ""}`);
    for (const r of done?.reasons ?? []) console.log(`  - ${r}`);
    if (done?.error) console.log(`  error: ${done.error}`);
    return outcome === "promoted" ? 0 : outcome === "rejected" ? 2 : 1;
  } finally {
    if (barStarted) bar.stop();
    stop();
    await lease.release().catch(() => {});
  }
}

async function main(): Promise<number> {
  return withDatabase(async (config) => {
    if (process.argv.includes("--watch")) {
      // Forked by a chat server, the IPC channel is this trainer's lifeline: the kernel closes it whatever ends
      // the server (kill -9 included), and a trainer whose server is gone must not take, or keep, a run.
      const forked = typeof process.send === "function";
      const worker = startNightlyWorker({ config, ...(forked ? { supervised: () => process.connected } : {}) });
      const s = await loadTrainerSettings(config);
      const next = s.schedule.enabled ? nextSlot(s.schedule.cron, s.schedule.timezone, new Date()) : null;
      console.log(
        `Trainer ${worker.owner} waiting: schedule "${s.schedule.cron}" (${s.schedule.timezone})${next ? `, next at ${next.toISOString()}` : ", disabled"}`,
      );
      await new Promise<void>((resolve) => {
        const bye = () => void worker.stop().then(resolve);
        process.once("SIGINT", bye);
        process.once("SIGTERM", bye);
        process.once("disconnect", () => {
          console.log(`Trainer ${worker.owner}: the server that started it is gone; stopping`);
          setTimeout(() => process.exit(1), 10_000).unref();
          bye();
        });
      });
      return 0;
    }
    return await runOnce(config);
  });
}

runCli(main);
