import { z } from "zod";
import { idParams } from "../schemas.js";
import { MAX_SYNC_MESSAGES } from "../../conversationLog/index.js";

export const sessionSchema = {
  // A widget that already has a token sends it back; a valid one is kept, so history survives reloads.
  body: z
    .object({
      token: z.string().max(200).optional(),
      // A signed identity from the embedding site (server/identity): verified customers keep one history on every device.
      identity: z
        .object({ id: z.string().min(1).max(200), expires: z.number().int().positive(), signature: z.string().max(128) })
        .strict()
        .optional(),
    })
    .strict(),
};

export const conversationsSchema = {
  query: z.object({ limit: z.coerce.number().int().min(1).max(50).default(20) }).strict(),
};

export const messagesSchema = {
  params: idParams,
  query: z
    .object({
      afterSeq: z.coerce.number().int().min(0).default(0),
      limit: z.coerce.number().int().min(1).max(MAX_SYNC_MESSAGES).default(200),
    })
    .strict(),
};
