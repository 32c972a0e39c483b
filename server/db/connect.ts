import mongoose from "mongoose";
import type { Config } from "../config.js";
import { logger } from "../logger.js";
import { startEmbeddedMongo, type EmbeddedMongo } from "./embeddedMongo.js";
import { logSlowCommands } from "./slowCommands.js";

export interface Database {
  uri: string;
  embedded?: EmbeddedMongo;
  close(): Promise<void>;
}

export async function connectDatabase(config: Pick<Config, "MONGODB_URI" | "DATA_DIR" | "FERRETDB_BIN" | "DB_SLOW_MS">): Promise<Database> {
  let embedded: EmbeddedMongo | undefined;
  let uri = config.MONGODB_URI;
  if (!uri) {
    embedded = await startEmbeddedMongo({ bin: config.FERRETDB_BIN, dataDir: `${config.DATA_DIR}/ferretdb` });
    uri = embedded.uri;
    logger.info({ uri }, "started embedded FerretDB");
  }
  await connectMongoose(uri, config.DB_SLOW_MS);
  return {
    uri,
    embedded,
    async close() {
      await mongoose.disconnect();
      await embedded?.stop();
    },
  };
}

export async function connectMongoose(uri: string, slowMs?: number): Promise<void> {
  mongoose.set("strictQuery", true);
  await mongoose.connect(uri, { serverSelectionTimeoutMS: 10000, autoIndex: true, monitorCommands: slowMs !== undefined });
  if (slowMs !== undefined) logSlowCommands(mongoose.connection.getClient(), slowMs);
  // Indexes are part of correctness here (unique client message ids), so wait for them.
  await Promise.all(Object.values(mongoose.models).map((m) => m.syncIndexes()));
}
