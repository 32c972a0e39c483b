import mongoose from "mongoose";
import type { Config } from "../config.js";
import { logger } from "../logger.js";
import { startEmbeddedMongo, type EmbeddedMongo } from "./embeddedMongo.js";
import { lockDataDir, type DataDirLock } from "./dataDirLock.js";
import { stopStaleFerretdb } from "./staleFerretdb.js";
import { logSlowCommands } from "./slowCommands.js";
import { CommandTally } from "./commandTally.js";

export interface Database {
  uri: string;
  embedded?: EmbeddedMongo;
  close(): Promise<void>;
}

export async function connectDatabase(
  config: Pick<Config, "MONGODB_URI" | "DATA_DIR" | "FERRETDB_BIN" | "DB_SLOW_MS" | "DB_TALLY" | "DB_SYNCHRONOUS">,
): Promise<Database> {
  let embedded: EmbeddedMongo | undefined;
  let lock: DataDirLock | undefined;
  let uri = config.MONGODB_URI;
  if (!uri) {
    // The embedded database's files have one owner: this process, for as long as it lives.
    lock = lockDataDir(config.DATA_DIR);
    const dataDir = `${config.DATA_DIR}/ferretdb`;
    try {
      await stopStaleFerretdb(config.FERRETDB_BIN, dataDir);
      embedded = await startEmbeddedMongo({ bin: config.FERRETDB_BIN, dataDir, synchronous: config.DB_SYNCHRONOUS });
    } catch (err) {
      lock.release();
      throw err;
    }
    uri = embedded.uri;
    logger.info({ uri }, "started embedded FerretDB");
  }
  try {
    await connectMongoose(uri, config.DB_SLOW_MS, config.DB_TALLY);
  } catch (err) {
    await embedded?.stop();
    lock?.release();
    throw err;
  }
  return {
    uri,
    embedded,
    async close() {
      await mongoose.disconnect();
      await embedded?.stop();
      lock?.release();
    },
  };
}

export async function connectMongoose(uri: string, slowMs?: number, tally = false): Promise<void> {
  mongoose.set("strictQuery", true);
  await mongoose.connect(uri, { serverSelectionTimeoutMS: 10000, autoIndex: true, monitorCommands: slowMs !== undefined || tally });
  if (slowMs !== undefined) logSlowCommands(mongoose.connection.getClient(), slowMs);
  if (tally) new CommandTally().attach(mongoose.connection.getClient());
  // Indexes are part of correctness here (unique client message ids), so wait for them.
  await Promise.all(Object.values(mongoose.models).map((m) => m.syncIndexes()));
}
