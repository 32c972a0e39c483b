import { logger } from "../logger.js";
import { TrainingRun } from "../models/trainingRun.js";
import { acquireLease, keepAlive, LeaseLostError, processOwnerId, TRAINER_LEASE, type LeaseHandle } from "./lease.js";
import { nightlyRunner, type Outcome, type RunnerDeps } from "./nightlyRunner.js";
import { claimQueuedRun, enqueueRun, reapExpiredLease } from "./runQueue.js";
import { latestDueSlot } from "./scheduler.js";
import { loadTrainerSettings } from "./settings.js";

export interface WorkerOptions extends RunnerDeps {
  /** Injected clock: the schedule is evaluated against it (tests move it; production passes nothing). */
  now?: () => Date;
  tickMs?: number;
  leaseTtlMs?: number;
  owner?: string;
  /**
   * False once the server that started this trainer is gone (its IPC channel closed). Such a trainer takes
   * no run and stops renewing its lease, so the restarted server's own trainer is the one that works.
   */
  supervised?: () => boolean;
  onRunFinished?: (runId: string, outcome: Outcome) => void;
}

export interface NightlyWorker {
  owner: string;
  /** One pass: enqueue a due scheduled run, then execute queued runs while holding the lease. */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The long-running trainer: follows the cron schedule from the settings document, executes queued runs
 * ("train now" from the console queues one) and fails runs whose trainer died. Any number of these may
 * run; the lease makes one of them execute at a time.
 */
export function startNightlyWorker(opts: WorkerOptions): NightlyWorker {
  const now = opts.now ?? (() => new Date());
  const owner = opts.owner ?? processOwnerId();
  // Generous: snapshot embeddings and evals run on this event loop and may delay a renewal by seconds.
  const ttl = opts.leaseTtlMs ?? 120_000;
  let lastCheck = now();
  let current: Promise<void> | null = null;
  let stopped = false;
  const abort = new AbortController();
  const supervised = opts.supervised ?? (() => true);

  /** The fence a run passes before each state change and before promoting: still ours, server still there. */
  const fenceFor = (lease: LeaseHandle) => async () => {
    if (!supervised()) throw new LeaseLostError("the server that started this trainer is gone");
    if (!(await lease.held())) throw new LeaseLostError("lease lost; another trainer took over");
  };

  async function scheduleTick(): Promise<void> {
    const settings = await loadTrainerSettings(opts.config);
    const t = now();
    const from = lastCheck;
    lastCheck = t;
    if (!settings.schedule.enabled) return;
    const slot = latestDueSlot(settings.schedule.cron, settings.schedule.timezone, from, t);
    if (!slot) return;
    const { run, created } = await enqueueRun("schedule", `schedule:${slot.toISOString()}`);
    if (created) logger.info({ runId: String(run._id), slot }, "scheduled training run queued");
  }

  async function drainQueue(): Promise<void> {
    while (!stopped && supervised()) {
      // Look before taking the lease, so idle trainers do not write to it every tick.
      if (!(await TrainingRun.exists({ state: "queued" }))) return;
      const lease = await acquireLease(TRAINER_LEASE, owner, ttl);
      if (!lease) return;
      const lost = new AbortController();
      const stopRenewing = keepAlive(lease, ttl, () => lost.abort(), supervised);
      try {
        if (!supervised()) return;
        const run = await claimQueuedRun(owner);
        if (!run) return;
        const runId = String(run._id);
        await lease.setRun(runId);
        const outcome = await nightlyRunner(runId, {
          ...opts,
          fence: fenceFor(lease),
          signal: AbortSignal.any([lost.signal, abort.signal]),
        });
        opts.onRunFinished?.(runId, outcome);
      } finally {
        stopRenewing();
        await lease.release().catch(() => {});
      }
    }
  }

  async function tick(): Promise<void> {
    if (current) return current;
    current = (async () => {
      try {
        await reapExpiredLease();
        await scheduleTick();
        await drainQueue();
      } catch (err) {
        if (!stopped) logger.error({ err }, "trainer tick failed");
      } finally {
        current = null;
      }
    })();
    return current;
  }

  const timer = setInterval(() => void tick(), opts.tickMs ?? 1000);
  timer.unref();
  return {
    owner,
    tick,
    async stop() {
      stopped = true;
      clearInterval(timer);
      abort.abort();
      await current?.catch(() => {});
    },
  };
}
