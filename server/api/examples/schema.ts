import { z } from "zod";
import { idParams, objectId } from "../schemas.js";

const bool = z.enum(["true", "false"]).transform((v) => v === "true");

export const listExamplesQuery = z.object({
  golden: bool.optional(),
  polarity: z.enum(["positive", "negative"]).optional(),
  status: z.enum(["active", "excluded", "deleted", "pending", "all"]).default("active"),
  answerId: objectId.optional(),
  conversationId: objectId.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const updateExampleBody = z
  .object({
    version: z.number().int().min(1),
    question: z.string().trim().min(1).max(4000).optional(),
    answerId: objectId.optional(),
    golden: z.boolean().optional(),
    mustPass: z.boolean().optional(),
    status: z.enum(["active", "excluded", "deleted"]).optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 1, "Nothing to update");

export const examplesSchemas = {
  list: { query: listExamplesQuery },
  get: { params: idParams },
  update: { params: idParams, body: updateExampleBody },
};
