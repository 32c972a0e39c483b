import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import mongoose from "mongoose";
import { startEmbeddedMongo, type EmbeddedMongo } from "../../server/db/embeddedMongo.js";
import { connectMongoose } from "../../server/db/connect.js";
import "../../server/models/index.js";

const root = path.resolve(import.meta.dirname, "../..");

export interface TestDatabase {
  uri: string;
  embedded: EmbeddedMongo | null;
  dataDir: string;
  stop(): Promise<void>;
}

/**
 * A real FerretDB on a free port with a throw-away SQLite directory, one per test file.
 * TEST_MONGODB_URI points the tests at another server instead (e.g. a real MongoDB).
 */
export async function startTestDatabase(): Promise<TestDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "understudy-test-"));
  let embedded: EmbeddedMongo | null = null;
  let uri = process.env.TEST_MONGODB_URI;
  if (uri) {
    uri = uri.replace(/\/[^/]*$/, `/t${process.pid}_${Date.now()}`);
  } else {
    embedded = await startEmbeddedMongo({
      bin: process.env.FERRETDB_BIN ?? path.join(root, ".local/bin/ferretdb"),
      dataDir: path.join(dataDir, "ferretdb"),
      database: "understudy_test",
    });
    uri = embedded.uri;
  }
  await connectMongoose(uri);
  return {
    uri,
    embedded,
    dataDir,
    async stop() {
      if (process.env.TEST_MONGODB_URI) await mongoose.connection.dropDatabase().catch(() => {});
      await mongoose.disconnect();
      await embedded?.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Empties every collection between tests without dropping indexes. */
export async function clearDatabase(): Promise<void> {
  const db = mongoose.connection.db;
  if (!db) return;
  const collections = await db.collections();
  await Promise.all(collections.map((c) => c.deleteMany({})));
}
