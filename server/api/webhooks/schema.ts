import { z } from "zod";
import { idParams } from "../schemas.js";
import { DELIVERY_STATUSES, WEBHOOK_EVENTS } from "../../models/webhook.js";

const events = z
  .array(z.enum(WEBHOOK_EVENTS))
  .min(1)
  .max(WEBHOOK_EVENTS.length)
  .transform((e) => [...new Set(e)]);
const url = z.string().trim().min(8).max(2000);

export const webhooksSchemas = {
  list: {},
  create: { body: z.object({ url, events, description: z.string().max(500).default("") }).strict() },
  update: {
    params: idParams,
    body: z
      .object({
        version: z.number().int().min(1),
        url: url.optional(),
        events: events.optional(),
        description: z.string().max(500).optional(),
        status: z.enum(["active", "disabled"]).optional(),
      })
      .strict(),
  },
  rotate: { params: idParams, body: z.object({}).strict() },
  deliveries: {
    params: idParams,
    query: z.object({ status: z.enum(DELIVERY_STATUSES).optional(), limit: z.coerce.number().int().min(1).max(200).default(50) }).strict(),
  },
  redeliver: { params: idParams, body: z.object({}).strict() },
};
