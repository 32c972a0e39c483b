import { z } from "zod";
import { objectId } from "../schemas.js";

export const nextAnswersSchemas = {
  list: {
    query: z
      .object({
        days: z.coerce.number().int().min(1).max(90).default(30),
        // Cosine between sentence embeddings for two questions to count as the same need; when absent, the
        // measured default of the workspace's base family (CLUSTER_SIMILARITY).
        similarity: z.coerce.number().min(0.3).max(0.99).optional(),
        limit: z.coerce.number().int().min(1).max(200).default(50),
      })
      .strict(),
  },
  create: {
    body: z
      .object({
        title: z.string().trim().min(1).max(200),
        text: z.string().trim().min(1).max(4000),
        questionIds: z.array(objectId).min(1).max(500),
      })
      .strict(),
  },
};
