import type express from "express";
import type { AppContext } from "../context.js";
import { healthRouter } from "./health/routes.js";

// Every REST resource is mounted here, one line each, so the API surface is readable in one place.
export function mountApi(app: express.Express, ctx: AppContext): void {
  app.use("/api/health", healthRouter(ctx));
}
