import { z } from "zod";
import { idParams, objectId } from "../schemas.js";
import { compileSlotPattern, SLOT_NAME } from "../../actions/slots.js";

const title = z.string().trim().min(1).max(200);
const text = z.string().trim().min(1).max(4000);
const version = z.number().int().min(1);

// An answer that fetches live data: the action to call and the slots it fills from the customer's messages.
export const answerActionBody = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9_]{1,63}$/),
    slots: z
      .array(
        z
          .object({
            name: z.string().regex(SLOT_NAME, "lower case letters, digits and _"),
            pattern: z
              .string()
              .min(1)
              .max(200)
              .refine((p) => compileSlotPattern(p) !== null, "is not a valid regular expression"),
            prompt: z.string().trim().min(1).max(500),
          })
          .strict(),
      )
      .max(5)
      .default([])
      .refine((slots) => new Set(slots.map((s) => s.name)).size === slots.length, "each slot name once"),
  })
  .strict();

export const listAnswersQuery = z.object({
  status: z.enum(["active", "retired", "merged", "all"]).default("active"),
  q: z.string().trim().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(200),
});
// The same answer in other languages, one text per language tag (zh-CN, en, ja, zh-TW …).
export const answerTranslations = z
  .array(z.object({ language: z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/, "a language tag such as zh-CN or en"), text }).strict())
  .max(20)
  .refine((list) => new Set(list.map((t) => t.language.toLowerCase())).size === list.length, "one text per language");
export const createAnswerBody = z
  .object({ title, text, translations: answerTranslations.optional(), action: answerActionBody.nullable().optional() })
  .strict();
export const updateAnswerBody = z
  .object({
    version,
    title: title.optional(),
    text: text.optional(),
    translations: answerTranslations.optional(),
    action: answerActionBody.nullable().optional(),
  })
  .strict()
  .refine(
    (b) => b.title !== undefined || b.text !== undefined || b.translations !== undefined || b.action !== undefined,
    "Give a new title, text, translations or action",
  );
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
