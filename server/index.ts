import { ConfigError, loadConfig } from "./config.js";
import { logger } from "./logger.js";
import { connectDatabase } from "./db/connect.js";
import "./models/index.js";
import { createServer } from "./app.js";

async function main() {
  const config = loadConfig();
  const db = await connectDatabase(config);
  const server = await createServer(config);
  const port = await server.listen();
  logger.info(`Understudy listening on http://${config.HOST}:${port} (demo page at /, console at /console/)`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "draining connections");
    const force = setTimeout(() => process.exit(1), 15000);
    force.unref();
    await server.close();
    await db.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

main().catch((err) => {
  if (err instanceof ConfigError) {
    console.error(err.message);
  } else {
    logger.fatal({ err }, "failed to start");
  }
  process.exit(1);
});
