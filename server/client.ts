import path from "node:path";
import express from "express";
import type { AppContext } from "./context.js";
import { notFound } from "./errors.js";

const clientDist = path.resolve(import.meta.dirname, "../client/dist");

// Serves the built widget, console and demo page (built by `npm run build:client`).
export function mountClient(app: express.Express, ctx: AppContext): void {
  // Source maps publish the client's sources: off in production unless SOURCE_MAPS=true.
  const maps = ctx.config.SOURCE_MAPS ?? ctx.config.NODE_ENV !== "production";
  if (!maps) app.use((req, _res, next) => next(req.path.endsWith(".map") ? notFound("Page") : undefined));
  app.use(express.static(clientDist, { index: "index.html", maxAge: "5m" }));
}
