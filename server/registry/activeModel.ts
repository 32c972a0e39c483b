import { EventEmitter } from "node:events";
import { Setting } from "../models/setting.js";

export const ACTIVE_MODEL_KEY = "activeModel";

export interface ActivePointer {
  version: string | null;
  previousVersion: string | null;
  pinned: boolean;
  changedAt: Date | null;
  changedBy: string | null;
  reason: string | null;
}

export const EMPTY_POINTER: ActivePointer = {
  version: null,
  previousVersion: null,
  pinned: false,
  changedAt: null,
  changedBy: null,
  reason: null,
};

/**
 * Tells bots in this process that the pointer moved, so the process that made the change switches at
 * once; other processes notice within their poll interval.
 */
export const registryEvents = new EventEmitter();
registryEvents.setMaxListeners(100);

export async function readActivePointer(): Promise<ActivePointer & { seq: number }> {
  const doc = await Setting.findById(ACTIVE_MODEL_KEY).lean();
  return { ...EMPTY_POINTER, ...((doc?.value ?? {}) as Partial<ActivePointer>), seq: doc?.seq ?? 0 };
}

/** Creates the pointer document if missing, so every later change is a plain conditional update. */
export async function ensurePointer(): Promise<void> {
  try {
    await Setting.updateOne({ _id: ACTIVE_MODEL_KEY }, { $setOnInsert: { value: EMPTY_POINTER, seq: 0 } }, { upsert: true });
  } catch (err) {
    if ((err as { code?: number }).code !== 11000) throw err;
  }
}

/**
 * Moves the pointer with one atomic update. `expect` makes it conditional (compare-and-set on fields of the
 * current value); returns the pointer as it was before, or null when the condition did not hold.
 */
export async function swapPointer(
  next: Partial<ActivePointer>,
  expect: Partial<Record<keyof ActivePointer, unknown>> = {},
): Promise<ActivePointer | null> {
  await ensurePointer();
  const filter: Record<string, unknown> = { _id: ACTIVE_MODEL_KEY };
  for (const [k, v] of Object.entries(expect)) filter[`value.${k}`] = v;
  const set: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(next)) set[`value.${k}`] = v;
  const before = await Setting.findOneAndUpdate(filter, { $set: set, $inc: { seq: 1 } }, { new: false }).lean();
  if (!before) return null;
  registryEvents.emit("activeChanged");
  return { ...EMPTY_POINTER, ...((before.value ?? {}) as Partial<ActivePointer>) };
}
