import { ConfigError, loadConfig, type Config } from "./config.js";
import { connectDatabase } from "./db/connect.js";
import { DataDirBusyError } from "./db/dataDirLock.js";
import "./models/index.js";

/** Loads the config and connects to the database for `fn`; the connection is closed however `fn` ends. */
export async function withDatabase<T>(fn: (config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const db = await connectDatabase(config);
  try {
    return await fn(config);
  } finally {
    await db.close();
  }
}

/** Runs a script's `main` and exits with the code it returns; a bad config prints only its message, for the operator. */
export function runCli(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (err) => {
      console.error(err instanceof ConfigError || err instanceof DataDirBusyError ? err.message : err);
      process.exit(1);
    },
  );
}
