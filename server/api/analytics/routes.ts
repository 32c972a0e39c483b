import { Router } from "express";
import type { AppContext } from "../../context.js";
import { guard } from "../../auth/index.js";
import { valid, validate } from "../../errors.js";
import { modelDailyStats } from "./modelDailyStats.js";
import { analyticsSchemas as s } from "./schema.js";
import { commandTally } from "../../db/commandTally.js";

export function analyticsRouter(ctx: AppContext): Router {
  const router = Router();
  router.get("/models", guard("models.read"), validate(s.models), async (req, res) => {
    const { query } = valid(req, s.models);
    res.json({ days: query.days, rows: await modelDailyStats(query.days) });
  });
  // This process's recent chat turns, stage by stage (milliseconds); each chat process keeps its own.
  router.get("/latency", guard("models.read"), validate(s.latency), (_req, res) => {
    res.json(ctx.turnTimings.summary());
  });
  // Starts the window over (a benchmark measuring one load level at a time).
  router.delete("/latency", guard("models.manage"), validate(s.latency), (_req, res) => {
    ctx.turnTimings.reset();
    res.status(204).end();
  });
  // DB_TALLY: this process's database commands by turn stage, command and collection since start (or the last reset).
  router.get("/database", guard("models.read"), validate(s.database), (_req, res) => {
    res.json(commandTally()?.report() ?? { enabled: false, turns: 0, commandsPerTurn: 0, writesPerTurn: 0, rows: [] });
  });
  router.delete("/database", guard("models.manage"), validate(s.database), (_req, res) => {
    commandTally()?.reset();
    res.status(204).end();
  });
  return router;
}
