import { Router } from "express";
import mongoose from "mongoose";
import type { AppContext } from "../../context.js";

export function healthRouter(ctx: AppContext): Router {
  const router = Router();
  router.get("/", (_req, res) => {
    const database = mongoose.connection.readyState === 1 ? "up" : "down";
    res
      .status(database === "up" ? 200 : 503)
      .json({ status: database === "up" ? "ok" : "degraded", database, model: ctx.bot.activeVersion() });
  });
  return router;
}
