import { Router } from "express";
import type { AppContext } from "../../context.js";
import { AuditEntry } from "../../models/auditEntry.js";
import { guard } from "../../auth/index.js";
import { valid, validate } from "../../errors.js";
import { auditSchemas as s } from "./schema.js";

export function auditRouter(_ctx: AppContext): Router {
  const router = Router();
  router.get("/", guard("audit.read"), validate(s.list), async (req, res) => {
    const { query } = valid(req, s.list);
    const filter: Record<string, unknown> = {};
    if (query.action) filter.action = query.action;
    if (query.actorId) filter.actorId = query.actorId;
    if (query.targetId) filter.targetId = query.targetId;
    if (query.before) filter.at = { $lt: query.before };
    const entries = await AuditEntry.find(filter).sort({ at: -1, _id: -1 }).limit(query.limit).lean();
    res.json({
      entries: entries.map((e) => ({
        id: String(e._id),
        at: e.at.toISOString(),
        actorId: e.actorId ? String(e.actorId) : null,
        actorEmail: e.actorEmail ?? null,
        action: e.action,
        targetType: e.targetType ?? null,
        targetId: e.targetId ?? null,
        details: e.details ?? {},
        outcome: e.outcome ?? "applied",
        error: e.error ?? null,
      })),
    });
  });
  return router;
}
