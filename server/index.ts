import { ConfigError, loadConfig } from "./config.js";
import { DataDirBusyError } from "./db/dataDirLock.js";
import { logger } from "./logger.js";
import { connectDatabase } from "./db/connect.js";
import "./models/index.js";
import { createServer } from "./app.js";
import { startNightlyProcess } from "./nightly/nightlyProcess.js";
import { startRetentionSchedule } from "./privacy/retentionPurger.js";
import { demoBanner, demoEnabled, demoWorkspaceExpected, demoWorkspaceLoader } from "./demo/demoWorkspace.js";
import { startDemoOrderService, withDemoOrdersAllowed, type DemoOrderService } from "./demo/demoOrderService.js";
import { importRecovery } from "./imports/importCommands.js";

async function main() {
  const settings = loadConfig();
  const db = await connectDatabase(settings);
  // The demo's order action calls the order service started below: its loopback origin is allowed, and only
  // on a database that has (or is about to get) the demo workspace.
  const demo = demoEnabled(settings);
  const config = demo && (await demoWorkspaceExpected()) ? withDemoOrdersAllowed(settings) : settings;
  const server = await createServer(config);
  const port = await server.listen();
  logger.info(`Understudy listening on http://${config.HOST}:${port} (demo page at /, console at /console/)`);
  // The nightly trainer runs beside the server in its own process; TRAINER_ENABLED=false when `npm run trainer` runs elsewhere.
  const trainer = config.TRAINER_ENABLED ? startNightlyProcess(db.uri) : null;
  // Old conversations are purged daily when RETENTION_DAYS is set.
  const stopRetention = startRetentionSchedule(config);
  // An import a killed process left half-written is taken out before anyone reads the reply bank.
  await importRecovery();
  // First start on an empty embedded database: the sample shop, with v1 queued for the trainer.
  let orders: DemoOrderService | null = null;
  if (demo) {
    const workspace = await demoWorkspaceLoader(config);
    orders = await startDemoOrderService(config);
    if (workspace.loaded || workspace.signIn.length) console.log(demoBanner(port, config.HOST, workspace.signIn, orders));
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "draining connections");
    const force = setTimeout(() => process.exit(1), 15000);
    force.unref();
    stopRetention();
    await server.close();
    await trainer?.stop();
    await orders?.stop();
    await db.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

main().catch((err) => {
  if (err instanceof ConfigError || err instanceof DataDirBusyError) {
    console.error(err.message);
  } else {
    logger.fatal({ err }, "failed to start");
  }
  process.exit(1);
});
