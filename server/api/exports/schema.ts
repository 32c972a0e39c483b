import { z } from "zod";

const format = z.enum(["jsonl", "openai", "csv"]).default("jsonl");
// OpenAI format: golden examples are the regression set; "only" gives a validation file.
const golden = z.enum(["include", "exclude", "only"]).default("exclude");

export const exportsSchemas = {
  replyBank: { query: z.object({ format, golden }).strict() },
  snapshots: { query: z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) }).strict() },
  snapshot: {
    params: z.object({ hash: z.string().regex(/^[0-9a-f]{64}$/, "must be a snapshot's sha256") }),
    query: z.object({ format, golden }).strict(),
  },
};
