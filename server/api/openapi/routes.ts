import { Router } from "express";
import swaggerUi from "swagger-ui-express";
import type { AppContext } from "../../context.js";
import { openApiDocument } from "./document.js";

// Public on purpose: the document describes routes, it does not grant access to them.
export function openApiRouter(ctx: AppContext): Router {
  const router = Router();
  router.get("/openapi.json", (_req, res) => {
    res.json(openApiDocument());
  });
  // The interactive UI is for developers: off in production unless API_DOCS=true.
  if (!(ctx.config.API_DOCS ?? ctx.config.NODE_ENV !== "production")) return router;
  router.use(
    "/docs",
    swaggerUi.serveFiles(undefined, { swaggerUrl: "/api/openapi.json" }),
    swaggerUi.setup(undefined, { swaggerUrl: "/api/openapi.json" }),
  );
  return router;
}
