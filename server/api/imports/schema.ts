import { z } from "zod";
import { objectId } from "../schemas.js";

const column = z.string().trim().min(1).max(200);
// Several question columns: repeated (?questions=a&questions=b) or comma-separated.
const columns = z
  .union([column, z.array(column).max(50)])
  .transform((v) =>
    Array.isArray(v)
      ? v
      : v
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean),
  )
  .optional();

// The file travels as the raw request body; what it is and how to read it, in the query string.
export const importFileQuery = z
  .object({
    kind: z.enum(["faq", "conversations"]).default("faq"),
    format: z.enum(["csv", "tsv", "jsonl", "openai", "transcript"]),
    fileName: z.string().trim().max(200).optional(),
    answer: column.optional(),
    questions: columns,
    title: column.optional(),
    topic: column.optional(),
    similarity: z.coerce.number().min(0.5).max(1).optional(),
  })
  .strict()
  .refine((q) => (q.kind === "faq" ? ["csv", "tsv", "jsonl"] : ["openai", "transcript"]).includes(q.format), {
    message: "FAQ files are csv, tsv or jsonl; conversations are openai (fine-tuning JSONL) or transcript (CSV)",
    path: ["format"],
  });

export const applyImportQuery = importFileQuery.innerType().extend({
  mode: z.enum(["approved", "review"]),
  expectSha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/, "must be a sha256 hex digest")
    .optional(),
});

export const columnsQuery = z.object({ format: z.enum(["csv", "tsv"]) }).strict();

export const importView = z.object({
  id: z.string(),
  kind: z.string(),
  format: z.string(),
  fileName: z.string().nullable(),
  fileSha256: z.string(),
  mode: z.string(),
  state: z.string(),
  counts: z.record(z.unknown()),
  error: z.string().nullable(),
  createdAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});

export const importsSchemas = {
  columns: { query: columnsQuery },
  dryRun: { query: importFileQuery },
  apply: { query: applyImportQuery },
  list: { query: z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) }).strict() },
  show: { params: z.object({ id: objectId }) },
  undo: { params: z.object({ id: objectId }), body: z.object({}).strict() },
};
