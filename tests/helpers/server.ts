import path from "node:path";
import { loadConfig, type Config } from "../../server/config.js";
import { createServer, type CreateServerOptions, type RunningServer } from "../../server/app.js";
import { startTestDatabase, type TestDatabase } from "./database.js";

export interface TestServer {
  url: string;
  port: number;
  server: RunningServer;
  db: TestDatabase;
  config: Config;
  stop(): Promise<void>;
}

/** A real HTTP + socket.io server on a free port over a real FerretDB. */
export async function startTestServer(env: Record<string, string> = {}, opts: CreateServerOptions = {}): Promise<TestServer> {
  const db = await startTestDatabase();
  const server = await startServerOn(db, env, opts);
  return {
    ...server,
    db,
    async stop() {
      await server.stop();
      await db.stop();
    },
  };
}

/**
 * Another server over an existing test database (one process has one mongoose connection): for a second
 * configuration (production mode, other proxies) beside a file's main server. `stop` leaves the database.
 */
export async function startServerOn(
  db: TestDatabase,
  env: Record<string, string> = {},
  opts: CreateServerOptions = {},
): Promise<Omit<TestServer, "db">> {
  const config = loadConfig(
    {
      NODE_ENV: "test",
      MONGODB_URI: db.uri,
      DATA_DIR: path.join(db.dataDir, "data"),
      MODELS_DIR: path.join(db.dataDir, "models"),
      SESSION_SECRET: "test-session-secret-0123456789",
      TRAINER_ENABLED: "false",
      LOG_LEVEL: "silent",
      ...env,
    },
    path.resolve(import.meta.dirname, "../.."),
  );
  const server = await createServer(config, opts);
  const port = await server.listen(0, "127.0.0.1");
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    config,
    async stop() {
      await server.close();
    },
  };
}
