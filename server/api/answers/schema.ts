import { z } from "zod";
import { idParams, objectId } from "../users/schema.js";

const title = z.string().trim().min(1).max(200);
const text = z.string().trim().min(1).max(4000);
const version = z.number().int().min(1);

export const listAnswersQuery = z.object({
  status: z.enum(["active", "retired", "merged", "all"]).default("active"),
  q: z.string().trim().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(200),
});
export const createAnswerBody = z.object({ title, text }).strict();
export const updateAnswerBody = z
  .object({ version, title: title.optional(), text: text.optional() })
  .strict()
  .refine((b) => b.title !== undefined || b.text !== undefined, "Give a new title or text");
export const retireAnswerBody = z.object({ version }).strict();
export const mergeAnswerBody = z.object({ intoId: objectId }).strict();
export const previewAnswerBody = z.object({ text, conversationId: objectId.optional() }).strict();

export const answersSchemas = {
  list: { query: listAnswersQuery },
  get: { params: idParams },
  create: { body: createAnswerBody },
  update: { params: idParams, body: updateAnswerBody },
  retire: { params: idParams, body: retireAnswerBody },
  merge: { params: idParams, body: mergeAnswerBody },
  preview: { body: previewAnswerBody },
};
