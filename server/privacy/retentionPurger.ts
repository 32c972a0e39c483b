import type { Config } from "../config.js";
import { logger } from "../logger.js";
import { Conversation } from "../models/conversation.js";
import { Message } from "../models/message.js";

const DAY_MS = 24 * 3600 * 1000;
// Bounded batches: one purge never loads every old conversation id at once.
const BATCH = 500;

/**
 * Deletes conversations (and their messages) with no activity for RETENTION_DAYS. Curated training
 * examples are the company's data and stay; erasing one customer's examples is customerEraser's job.
 */
export async function retentionPurger(retentionDays: number, now = new Date()): Promise<{ conversations: number; messages: number }> {
  const total = { conversations: 0, messages: 0 };
  if (retentionDays <= 0) return total;
  const cutoff = new Date(now.getTime() - retentionDays * DAY_MS);
  for (;;) {
    const batch = await Conversation.find({ updatedAt: { $lt: cutoff } }, { _id: 1 })
      .limit(BATCH)
      .lean();
    if (batch.length === 0) return total;
    for (const { _id } of batch) {
      // One conversation at a time, date re-checked: a customer who wrote again since the find keeps it,
      // and their messages are only deleted once the conversation itself is gone.
      const gone = await Conversation.deleteOne({ _id, updatedAt: { $lt: cutoff } });
      if (gone.deletedCount === 0) continue;
      total.conversations++;
      total.messages += (await Message.deleteMany({ conversationId: _id })).deletedCount;
    }
    if (batch.length < BATCH) return total;
  }
}

/** Runs the purge now and then once a day; returns a stop function. Does nothing when RETENTION_DAYS is 0. */
export function startRetentionSchedule(config: Pick<Config, "RETENTION_DAYS">, everyMs = DAY_MS): () => void {
  if (config.RETENTION_DAYS <= 0) return () => {};
  const run = () =>
    retentionPurger(config.RETENTION_DAYS).then(
      (n) => n.conversations && logger.info({ ...n, retentionDays: config.RETENTION_DAYS }, "retention purge"),
      (err) => logger.error({ err }, "retention purge failed"),
    );
  void run();
  const timer = setInterval(run, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
