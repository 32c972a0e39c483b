import { z } from "zod";
import { objectId } from "../schemas.js";

export const listAuditQuery = z.object({
  action: z.string().trim().max(100).optional(),
  actorId: objectId.optional(),
  targetId: z.string().trim().max(100).optional(),
  // Paging: entries strictly older than this time.
  before: z.coerce.date().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const auditSchemas = { list: { query: listAuditQuery } };
