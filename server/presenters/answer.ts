import type { Types } from "mongoose";
import type { AnswerAttrs } from "../models/answer.js";
import { placeholdersIn } from "../curation/placeholders.js";

type AnswerLike = AnswerAttrs & { _id: Types.ObjectId; createdAt?: Date | null; updatedAt?: Date | null };

export function presentAnswer(a: AnswerLike, extra: { exampleCount?: number } = {}) {
  return {
    id: String(a._id),
    title: a.title,
    text: a.text,
    translations: (a.translations ?? []).map((t) => ({ language: t.language, text: t.text })),
    placeholders: placeholdersIn(a.text),
    status: a.status,
    mergedInto: a.mergedInto ? String(a.mergedInto) : null,
    createdBy: a.createdBy ? String(a.createdBy) : null,
    version: a.version,
    action: a.action
      ? { name: a.action.name, slots: a.action.slots.map((s) => ({ name: s.name, pattern: s.pattern, prompt: s.prompt })) }
      : null,
    createdAt: a.createdAt ? new Date(a.createdAt).toISOString() : null,
    updatedAt: a.updatedAt ? new Date(a.updatedAt).toISOString() : null,
    ...(extra.exampleCount !== undefined ? { exampleCount: extra.exampleCount } : {}),
  };
}
