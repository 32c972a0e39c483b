import { z } from "zod";

export const runsSchemas = {
  list: { query: z.object({ limit: z.coerce.number().int().min(1).max(200).default(30) }).strict() },
  show: { params: z.object({ id: z.string().regex(/^[0-9a-f]{24}$/i, "must be a 24-character hex id") }) },
  create: { body: z.object({}).strict() },
};
