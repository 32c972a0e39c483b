import { Router } from "express";
import type { AppContext } from "../../context.js";
import { guard } from "../../auth/index.js";
import { valid, validate } from "../errors.js";
import { modelDailyStats } from "./modelDailyStats.js";
import { analyticsSchemas as s } from "./schema.js";

export function analyticsRouter(_ctx: AppContext): Router {
  const router = Router();
  router.get("/models", guard("models.read"), validate(s.models), async (req, res) => {
    const { query } = valid(req, s.models);
    res.json({ days: query.days, rows: await modelDailyStats(query.days) });
  });
  return router;
}
