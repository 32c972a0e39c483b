import { z } from "zod";
import { idParams, objectId } from "../schemas.js";
import { ACTION_FIELD_TYPES } from "../../models/action.js";
import { FIELD_PATH } from "../../actions/responseShape.js";

// Headers the server sets itself (or that would let a definition rewrite the request's framing).
const RESERVED_HEADERS = new Set([
  "host",
  "content-length",
  "content-type",
  "transfer-encoding",
  "connection",
  "understudy-signature",
  "understudy-request-id",
]);

const header = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9-]{1,64}$/, "must be a header name")
      .refine((n) => !RESERVED_HEADERS.has(n.toLowerCase()), "is set by the server"),
    // Omitted on an update of a secret header: keep the stored value (the console never sees it).
    value: z
      .string()
      .max(2000)
      .regex(/^[^\r\n]*$/, "must be one line")
      .optional(),
    secret: z.boolean().default(false),
  })
  .strict();

const field = z
  .object({
    path: z.string().regex(FIELD_PATH, "must be a dotted path like order.status"),
    type: z.enum(ACTION_FIELD_TYPES),
    required: z.boolean().default(true),
  })
  .strict();

const definition = {
  name: z.string().regex(/^[a-z][a-z0-9_]{1,63}$/, "lower case letters, digits and _"),
  description: z.string().max(500).default(""),
  url: z.string().trim().min(8).max(2000),
  method: z.enum(["GET", "POST"]).default("POST"),
  headers: z.array(header).max(20).default([]),
  timeoutMs: z.number().int().min(100).max(5000).default(3000),
  fields: z.array(field).min(1).max(50),
  replyFields: z.array(z.string()).max(50).default([]),
  requiresVerifiedCustomer: z.boolean().default(false),
};

type Definition = { fields?: { path: string }[]; replyFields?: string[] };
const consistent = (d: Definition, ctx: z.RefinementCtx) => {
  if (!d.fields) return;
  const paths = d.fields.map((f) => f.path);
  if (new Set(paths).size !== paths.length) ctx.addIssue({ code: "custom", path: ["fields"], message: "each field path once" });
  // A leaf cannot also be a parent (order and order.status).
  for (const p of paths)
    if (paths.some((q) => q.startsWith(`${p}.`)))
      ctx.addIssue({ code: "custom", path: ["fields"], message: `${p} is both a value and an object` });
  for (const r of d.replyFields ?? [])
    if (!paths.includes(r)) ctx.addIssue({ code: "custom", path: ["replyFields"], message: `${r} is not one of the fields` });
};

export const createActionBody = z.object(definition).strict().superRefine(consistent);
export const updateActionBody = z
  .object({
    version: z.number().int().min(1),
    description: definition.description.optional(),
    url: definition.url.optional(),
    method: definition.method.optional(),
    headers: definition.headers.optional(),
    timeoutMs: definition.timeoutMs.optional(),
    fields: definition.fields.optional(),
    replyFields: definition.replyFields.optional(),
    requiresVerifiedCustomer: definition.requiresVerifiedCustomer.optional(),
    status: z.enum(["active", "disabled"]).optional(),
  })
  .strict()
  .superRefine(consistent);

export const previewActionBody = z
  .object({
    conversationId: objectId.optional(),
    slots: z.record(z.string().regex(/^[a-z][a-z0-9_]{0,40}$/), z.string().max(200)).default({}),
    // A draft answer text to render with the result.
    template: z.string().max(4000).optional(),
  })
  .strict();

export const listCallsQuery = z
  .object({
    conversationId: objectId.optional(),
    actionId: objectId.optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();

export const actionsSchemas = {
  list: {},
  get: { params: idParams },
  create: { body: createActionBody },
  update: { params: idParams, body: updateActionBody },
  rotate: { params: idParams, body: z.object({}).strict() },
  preview: { params: idParams, body: previewActionBody },
  calls: { query: listCallsQuery },
};
