import { z } from "zod";

export const analyticsSchemas = {
  models: { query: z.object({ days: z.coerce.number().int().min(1).max(90).default(14) }).strict() },
  latency: { query: z.object({}).strict() },
  database: { query: z.object({}).strict() },
};
