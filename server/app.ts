import http from "node:http";
import express from "express";
import { Server as SocketServer } from "socket.io";
import type { Config } from "./config.js";
import type { AppContext } from "./context.js";
import type { Bot } from "./bot/types.js";
import { createBot } from "./bot/index.js";
import { mountApi } from "./api/index.js";
import { errorHandler, notFound } from "./errors.js";
import { attachGateway } from "./gateway/index.js";
import { DomainEvents } from "./events.js";
import { attachRedisAdapter } from "./gateway/redisAdapter.js";
import { mountClient } from "./client.js";
import { attachAuth } from "./auth/index.js";
import { TurnTimings } from "./conversationLog/turnTimings.js";
import { ensureFirstAdmin } from "./auth/firstAdmin.js";
import { securityHeaders } from "./security/headers.js";
import { jsonBody } from "./security/jsonBody.js";
import { corsOrigin, socketOriginCheck } from "./security/origins.js";
import { trackSocketWork } from "./security/connectionDrain.js";
import { AGENT_NS, CUSTOMER_NS } from "./gateway/broadcast.js";
import { startWebhookDispatcher, type WebhookDispatcher } from "./webhooks/dispatcher.js";
import { startEmbeddingThread } from "./embeddings/index.js";

export interface RunningServer {
  app: express.Express;
  httpServer: http.Server;
  io: SocketServer;
  ctx: AppContext;
  webhooks: WebhookDispatcher;
  listen(port?: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

export interface CreateServerOptions {
  bot?: Bot;
}

export async function createServer(config: Config, opts: CreateServerOptions = {}): Promise<RunningServer> {
  const app = express();
  app.disable("x-powered-by");
  const httpServer = http.createServer(app);
  const io = new SocketServer(httpServer, {
    // Widget payloads are small; anything larger is refused before it reaches a handler.
    maxHttpBufferSize: 64 * 1024,
    cors: { origin: corsOrigin(config) },
    // WebSockets are not covered by CORS: a page from an unlisted site is refused at the handshake.
    allowRequest: socketOriginCheck(config),
  });
  const bot = opts.bot ?? (await createBot(config));
  const ctx: AppContext = {
    config,
    io,
    bot,
    turnTimings: new TurnTimings(),
    embeddings: startEmbeddingThread({ baseModelDir: config.BASE_MODEL_DIR }),
    events: new DomainEvents(),
  };
  // With REDIS_URL, rooms (and model-change announcements) are shared with the other chat processes.
  const redis = await attachRedisAdapter(io, ctx);

  app.use(securityHeaders(config));
  app.use(jsonBody());
  const auth = attachAuth(app, ctx);
  await ensureFirstAdmin(config);
  mountApi(app, ctx);
  app.use("/api", (_req, _res, next) => next(notFound("Route")));
  mountClient(app, ctx);
  // Everything else: the API's JSON 404, not the framework's HTML page.
  app.use((_req, _res, next) => next(notFound("Page")));
  app.use(errorHandler);
  attachGateway(io, ctx);
  const socketWork = trackSocketWork(io, [CUSTOMER_NS, AGENT_NS]);
  // Sends the webhook outbox (what every process's commands queued, including the trainer's promotions).
  const webhooks = startWebhookDispatcher(config);

  return {
    app,
    httpServer,
    io,
    ctx,
    webhooks,
    listen(port = config.PORT, host = config.HOST) {
      return new Promise((resolve, reject) => {
        httpServer.once("error", reject);
        httpServer.listen(port, host, () => resolve((httpServer.address() as { port: number }).port));
      });
    },
    async close() {
      // Drain: stop accepting connections, let socket events already being handled write and ack, then
      // close the sockets (the widget reconnects elsewhere) and wait for open HTTP requests to finish.
      const httpClosed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
      await socketWork.drained(5000);
      await new Promise<void>((resolve) => io.close(() => resolve()));
      // Keep-alive connections that went idle after close() began, then a bound on slow requests.
      httpServer.closeIdleConnections();
      await Promise.race([httpClosed, new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
      httpServer.closeAllConnections();
      auth.sessionSweeper.stop();
      await webhooks.stop();
      await redis?.close();
      await ctx.embeddings.close();
      // The model-backed bot polls the active-version pointer and holds loaded models; stop and free them.
      await (bot as { close?: () => Promise<void> }).close?.();
    },
  };
}
