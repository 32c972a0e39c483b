import type express from "express";
import type { AppContext } from "../context.js";
import { healthRouter } from "./health/routes.js";
import { widgetRouter } from "./widget/routes.js";
import { authRouter } from "./auth/routes.js";
import { usersRouter } from "./users/routes.js";
import { conversationsRouter } from "./conversations/routes.js";
import { reviewsRouter } from "./reviews/routes.js";
import { answersRouter } from "./answers/routes.js";
import { examplesRouter } from "./examples/routes.js";
import { auditRouter } from "./audit/routes.js";
import { openApiRouter } from "./openapi/routes.js";
import { modelVersionsRouter } from "./modelVersions/routes.js";
import { runsRouter } from "./runs/routes.js";
import { nightlySettingsRouter } from "./nightlySettings/routes.js";
import { analyticsRouter } from "./analytics/routes.js";
import { privacyRouter } from "./privacy/routes.js";
import { importsRouter } from "./imports/routes.js";
import { conversationItemReader } from "../imports/conversationReader.js";
import { activeBaseFamily } from "../embeddings/activeFamily.js";
import { actionsRouter } from "./actions/routes.js";
import { exportsRouter } from "./exports/routes.js";
import { nextAnswersRouter } from "./nextAnswers/routes.js";
import { webhooksRouter } from "./webhooks/routes.js";

// Every REST resource is mounted here, one line each, so the API surface is readable in one place.
export function mountApi(app: express.Express, ctx: AppContext): void {
  app.use("/api/health", healthRouter(ctx));
  app.use("/api/widget", widgetRouter(ctx));
  app.use("/api/auth", authRouter(ctx));
  app.use("/api/users", usersRouter(ctx));
  app.use("/api/conversations", conversationsRouter(ctx));
  app.use("/api/reviews", reviewsRouter(ctx));
  app.use("/api/answers", answersRouter(ctx));
  app.use("/api/examples", examplesRouter(ctx));
  app.use("/api/audit", auditRouter(ctx));
  app.use("/api", openApiRouter(ctx));
  app.use("/api/models", modelVersionsRouter(ctx));
  app.use("/api/runs", runsRouter(ctx));
  app.use("/api/trainer", nightlySettingsRouter(ctx));
  app.use("/api/analytics", analyticsRouter(ctx));
  app.use("/api/privacy", privacyRouter(ctx));
  app.use(
    "/api/imports",
    importsRouter(
      ctx,
      conversationItemReader(async () => {
        const family = await activeBaseFamily();
        return { family, embed: ctx.embeddings.embedIn(family) };
      }),
    ),
  );
  app.use("/api/actions", actionsRouter(ctx));
  app.use("/api/exports", exportsRouter(ctx));
  app.use("/api/next-answers", nextAnswersRouter(ctx));
  app.use("/api/webhooks", webhooksRouter(ctx));
}
