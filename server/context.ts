import type { Server as SocketServer } from "socket.io";
import type { Config } from "./config.js";
import type { Bot } from "./bot/types.js";
import type { TurnTimings } from "./conversationLog/turnTimings.js";
import type { EmbeddingThread } from "./embeddings/index.js";
import type { DomainEvents } from "./events.js";

// What request handlers, socket handlers and commands may reach. Built once in app.ts.
export interface AppContext {
  config: Config;
  io: SocketServer;
  bot: Bot;
  turnTimings: TurnTimings;
  // The base encoder off the event loop, for imports and question clustering (started on first use).
  embeddings: EmbeddingThread;
  // Where commands say what they changed; the gateway's broadcaster tells the sockets.
  events: DomainEvents;
}
