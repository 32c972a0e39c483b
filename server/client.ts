import path from "node:path";
import express from "express";
import type { AppContext } from "./context.js";

const clientDist = path.resolve(import.meta.dirname, "../client/dist");

// Serves the built widget, console and demo page (built by `npm run build:client`).
export function mountClient(app: express.Express, _ctx: AppContext): void {
  app.use(express.static(clientDist, { index: "index.html", maxAge: "5m" }));
}
