import { z } from "zod";
import { idParams, objectId } from "../schemas.js";

export const reviewQueueQuery = z.object({
  kind: z.enum(["bot", "agent"]).default("bot"),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

const title = z.string().trim().min(1).max(200);

export const approveBody = z.object({ answerId: objectId.optional(), title: title.optional(), golden: z.boolean().optional() }).strict();
export const editBody = z
  .object({
    text: z.string().trim().min(1).max(4000).optional(),
    answerId: objectId.optional(),
    title: title.optional(),
    golden: z.boolean().optional(),
  })
  .strict()
  .refine((b) => b.text !== undefined || b.answerId !== undefined, "Give the corrected text or an answerId");
export const rejectBody = z.object({}).strict();
export const notForBotBody = z.object({}).strict();

export const reviewsSchemas = {
  queue: { query: reviewQueueQuery },
  approve: { params: idParams, body: approveBody },
  edit: { params: idParams, body: editBody },
  reject: { params: idParams, body: rejectBody },
  "not-for-bot": { params: idParams, body: notForBotBody },
};
