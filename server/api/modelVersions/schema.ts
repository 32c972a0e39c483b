import { z } from "zod";

const versionName = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, "must be a version name like v3");

export const modelVersionsSchemas = {
  show: { params: z.object({ version: versionName }) },
  promote: { params: z.object({ version: versionName }), body: z.object({ reason: z.string().trim().max(500).optional() }).strict() },
  rollback: { body: z.object({ version: versionName.optional(), reason: z.string().trim().max(500).optional() }).strict() },
  pin: { body: z.object({ pinned: z.boolean() }).strict() },
};
