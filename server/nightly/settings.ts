import { z } from "zod";
import { createRequire } from "node:module";
import { Setting } from "../models/setting.js";
import type { Config } from "../config.js";
import { backtrackingRisk } from "../snapshot/regexSafety.js";

const require = createRequire(import.meta.url);
const nodeCron = require("node-cron") as { validate(expr: string): boolean };

export const TRAINER_SETTINGS_KEY = "trainer";

const cronExpression = z
  .string()
  .trim()
  .min(1)
  .refine((s) => nodeCron.validate(s), "is not a valid cron expression");
const timeZone = z
  .string()
  .trim()
  .min(1)
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, "is not a known IANA time zone");

const redactPattern = z
  .object({
    name: z.string().trim().min(1).max(40),
    pattern: z.string().min(1).max(500),
    flags: z
      .string()
      .regex(/^[gimsu]*$/)
      .default("g"),
  })
  .strict()
  .superRefine((p, ctx) => {
    try {
      new RegExp(p.pattern, p.flags);
    } catch {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["pattern"], message: "pattern is not a valid regular expression" });
      return;
    }
    const risk = backtrackingRisk(p.pattern);
    if (risk) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["pattern"], message: risk });
  });

// Every knob of the nightly loop, with the defaults a fresh install runs with. Stored as one Setting
// document so the admin API changes them atomically and every trainer process reads the same values.
export const trainerSettingsSchema = z.object({
  schedule: z
    .object({ cron: cronExpression.default("0 2 * * *"), timezone: timeZone.default("UTC"), enabled: z.boolean().default(true) })
    .default({}),
  snapshot: z
    .object({
      nearDuplicateThreshold: z.number().min(0.5).max(1).default(0.93),
      minChars: z.number().int().min(1).max(100).default(3),
      maxChars: z.number().int().min(10).max(4000).default(1000),
      minPerAnswer: z.number().int().min(1).max(1000).default(5),
      minExamples: z.number().int().min(2).max(100000).default(10),
      heldoutPercent: z.number().int().min(0).max(50).default(15),
      validationPercent: z.number().int().min(0).max(50).default(10),
      redactPatterns: z.array(redactPattern).max(50).default([]),
    })
    .default({}),
  training: z
    .object({
      method: z.enum(["head", "lora", "full"]).default("head"),
      // The base encoder: all-MiniLM-L6-v2 (English) or USE multilingual v3 (Chinese and 15 more languages). A
      // change starts a new lineage (no warm start across families) and passes the same gate. lora/full need minilm.
      baseModel: z.enum(["minilm", "use-multilingual"]).default("minilm"),
      epochs: z.number().int().min(1).max(100).optional(),
      seed: z.number().int().min(0).default(1),
      maxMinutes: z.number().min(0.1).max(600).optional(),
    })
    .default({}),
  evals: z
    .object({
      replayDays: z.number().int().min(0).max(365).default(14),
      // The most recent approvals replayed at most: every candidate and the live version answer each one.
      replayMax: z.number().int().min(0).max(100_000).default(1000),
      // Of what the bot answers, at least this share is right, over all traffic: an answer to a question the
      // bank has no answer for counts as wrong.
      targetPrecision: z.number().min(0.5).max(1).default(0.9),
      // The share of traffic assumed to have no answer in the bank, for that precision.
      outOfScopeShare: z.number().min(0).max(0.9).default(0.2),
      // The largest share of such questions the bot may answer.
      maxOutOfScopeAnswered: z.number().min(0).max(1).default(0.05),
    })
    .default({}),
  gate: z
    .object({
      minAccuracy: z.number().min(0).max(1).default(0.6),
      minMacroF1: z.number().min(0).max(1).default(0.5),
      minGoldenAccuracy: z.number().min(0).max(1).default(0.6),
      epsilon: z.number().min(0).max(1).default(0.02),
      // Calibration error is measured over a few hundred cases in 15 bins, so it moves by several points
      // between equally good versions: its own, wider tolerance keeps it from blocking better models.
      eceEpsilon: z.number().min(0).max(1).default(0.05),
      // Coverage is the share answered at each version's own threshold, and that threshold is itself an estimate:
      // near 98 % precision one point of precision is 5-10 points of coverage, so equally good versions answer
      // a few points more or less. Accuracy, macro-F1 and BLEU judge the model; this guards against a collapse.
      coverageEpsilon: z.number().min(0).max(1).default(0.1),
      // A drop smaller than the suite's sampling noise (noiseZ standard errors of the difference of two
      // proportions over its n cases) is not a regression: on 150 held-out cases that noise is several points,
      // and a fixed ε alone rejected better versions night after night. 0 = ε only.
      noiseZ: z.number().min(0).max(5).default(1.64),
      // A candidate may answer at most this much more of the out-of-scope questions than the active version
      // (or the sampling noise, when larger).
      outOfScopeEpsilon: z.number().min(0).max(1).default(0.02),
    })
    .default({}),
});

// What PATCH /api/trainer/settings accepts: any subset of the fields, and nothing else. Each section is
// strict, so a misspelt or unknown key is a 400 naming it rather than silently dropped (the values themselves
// are checked again, with the defaults, when the merged result is parsed by trainerSettingsSchema).
const patchSection = (section: z.ZodTypeAny) => (section as z.ZodDefault<z.AnyZodObject>).removeDefault().partial().strict().optional();
const sections = trainerSettingsSchema.shape;
export const trainerSettingsPatch = z
  .object({
    schedule: patchSection(sections.schedule),
    snapshot: patchSection(sections.snapshot),
    training: patchSection(sections.training),
    evals: patchSection(sections.evals),
    gate: patchSection(sections.gate),
  })
  .strict();
export type TrainerSettingsPatch = z.infer<typeof trainerSettingsPatch>;

export type TrainerSettings = z.infer<typeof trainerSettingsSchema>;
export type TrainerSettingsInput = z.input<typeof trainerSettingsSchema>;

/** The stored settings merged over the defaults; the environment supplies the schedule's defaults. */
export async function loadTrainerSettings(config?: Pick<Config, "TRAINER_SCHEDULE" | "TRAINER_TIMEZONE">): Promise<TrainerSettings> {
  const doc = await Setting.findById(TRAINER_SETTINGS_KEY).lean();
  const stored = (doc?.value ?? {}) as Record<string, unknown>;
  const envDefaults = config ? { schedule: { cron: config.TRAINER_SCHEDULE, timezone: config.TRAINER_TIMEZONE } } : {};
  return trainerSettingsSchema.parse(deepMerge(envDefaults, stored));
}

export interface SettingChange {
  path: string;
  from: unknown;
  to: unknown;
}

export interface TrainerSettingsPlan {
  next: TrainerSettings;
  /** Each field whose value changes, with its old and new value: what the audit entry records. */
  changes: SettingChange[];
}

/** Validates a partial update against the whole schema, writing nothing: a bad field throws a ZodError. */
export async function planTrainerSettings(
  patch: TrainerSettingsPatch | Record<string, unknown>,
  config?: Pick<Config, "TRAINER_SCHEDULE" | "TRAINER_TIMEZONE">,
): Promise<TrainerSettingsPlan> {
  const current = await loadTrainerSettings(config);
  const next = trainerSettingsSchema.parse(deepMerge(current, trainerSettingsPatch.parse(patch)));
  return { next, changes: diff(current, next) };
}

export async function writeTrainerSettings(next: TrainerSettings, updatedBy: string | null): Promise<void> {
  await Setting.updateOne({ _id: TRAINER_SETTINGS_KEY }, { $set: { value: next, updatedBy }, $inc: { seq: 1 } }, { upsert: true });
}

/** Validates a partial update against the whole schema before writing, so a bad field changes nothing. */
export async function updateTrainerSettings(
  patch: TrainerSettingsPatch | Record<string, unknown>,
  updatedBy: string | null,
  config?: Pick<Config, "TRAINER_SCHEDULE" | "TRAINER_TIMEZONE">,
): Promise<TrainerSettings> {
  const { next } = await planTrainerSettings(patch, config);
  await writeTrainerSettings(next, updatedBy);
  return next;
}

// Leaf paths of plain objects; arrays (redaction patterns) compare and record whole.
function diff(before: Record<string, unknown>, after: Record<string, unknown>, prefix = ""): SettingChange[] {
  const out: SettingChange[] = [];
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const a = before[key];
    const b = after[key];
    const path = prefix ? `${prefix}.${key}` : key;
    const isObj = (v: unknown) => v !== null && typeof v === "object" && !Array.isArray(v);
    if (isObj(a) && isObj(b)) out.push(...diff(a as Record<string, unknown>, b as Record<string, unknown>, path));
    else if (JSON.stringify(a) !== JSON.stringify(b)) out.push({ path, from: a ?? null, to: b ?? null });
  }
  return out;
}

function deepMerge(base: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    const b = out[k];
    out[k] =
      v && typeof v === "object" && !Array.isArray(v) && b && typeof b === "object" && !Array.isArray(b)
        ? deepMerge(b as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}
