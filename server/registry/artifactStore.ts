import { createHash } from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import mongoose from "mongoose";
import { ArtifactIntegrityError, MANIFEST_FILE, sha256File, verifyArtifact, type Manifest } from "../../trainer/index.js";

export { ArtifactIntegrityError };

const BUCKET = "artifacts";

function bucket() {
  const db = mongoose.connection.db;
  if (!db) throw new Error("database not connected");
  return new mongoose.mongo.GridFSBucket(db, { bucketName: BUCKET });
}

export interface StoredArtifact {
  manifestSha256: string;
  files: { name: string; gridId: mongoose.Types.ObjectId; sha256: string; size: number }[];
  totalBytes: number;
}

/** Verifies a freshly trained artifact and copies each of its files into GridFS. */
export async function uploadArtifact(version: string, dir: string): Promise<StoredArtifact> {
  const manifest = await verifyArtifact(dir);
  const names = [MANIFEST_FILE, ...Object.keys(manifest.files)];
  const files: StoredArtifact["files"] = [];
  const b = bucket();
  try {
    for (const name of names) {
      const p = path.join(dir, name);
      const sha256 = await sha256File(p);
      const size = (await fsp.stat(p)).size;
      const upload = b.openUploadStream(`${version}/${name}`, { metadata: { version, name, sha256 } });
      await pipeline(fs.createReadStream(p), upload);
      files.push({ name, gridId: upload.id as mongoose.Types.ObjectId, sha256, size });
    }
  } catch (err) {
    // Nothing half-written: a failed upload leaves no orphan chunks behind.
    await Promise.all(files.map((f) => b.delete(f.gridId).catch(() => {})));
    throw err;
  }
  return { manifestSha256: files[0].sha256, files, totalBytes: files.reduce((s, f) => s + f.size, 0) };
}

export function localArtifactDir(modelsDir: string, version: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(version)) throw new Error(`invalid version name "${version}"`);
  return path.join(modelsDir, version);
}

async function checkAgainstRecord(dir: string, stored: Pick<StoredArtifact, "manifestSha256">): Promise<Manifest> {
  const actual = await sha256File(path.join(dir, MANIFEST_FILE)).catch(() => null);
  if (actual !== stored.manifestSha256) {
    throw new ArtifactIntegrityError(
      `${dir}: manifest sha256 ${actual ?? "(missing)"} does not match the registry's ${stored.manifestSha256}`,
    );
  }
  // The manifest lists every other file's sha256; verifyArtifact re-hashes them all.
  return verifyArtifact(dir);
}

/**
 * The local copy of a version's artifact, downloaded from GridFS when missing, and checked on every call:
 * the manifest against the registry's sha256, every file against the manifest. A local copy that fails
 * is fetched again once; if the stored copy fails too, ArtifactIntegrityError.
 */
export async function ensureLocalArtifact(
  modelsDir: string,
  version: string,
  stored: Pick<StoredArtifact, "manifestSha256" | "files">,
): Promise<string> {
  const dir = localArtifactDir(modelsDir, version);
  if (fs.existsSync(dir)) {
    try {
      await checkAgainstRecord(dir, stored);
      return dir;
    } catch (err) {
      if (!(err instanceof ArtifactIntegrityError)) throw err;
    }
  }
  await fsp.mkdir(modelsDir, { recursive: true });
  const tmp = path.join(modelsDir, `.${version}.download-${process.pid}-${Date.now()}`);
  await fsp.mkdir(tmp, { recursive: true });
  try {
    const b = bucket();
    for (const f of stored.files) {
      if (!f.name || f.name.includes("/") || f.name.startsWith("."))
        throw new ArtifactIntegrityError(`invalid artifact file name "${f.name}"`);
      const hash = createHash("sha256");
      const out = fs.createWriteStream(path.join(tmp, f.name));
      const download = b.openDownloadStream(f.gridId as mongoose.Types.ObjectId);
      download.on("data", (chunk: Buffer) => hash.update(chunk));
      try {
        await pipeline(download, out);
      } catch (err) {
        // Missing or resized chunks are corruption of the stored artifact, not a transient failure.
        if ((err as Error).name?.startsWith("MongoGridFS"))
          throw new ArtifactIntegrityError(`${version}/${f.name}: ${(err as Error).message}`);
        throw err;
      }
      if (hash.digest("hex") !== f.sha256)
        throw new ArtifactIntegrityError(`${version}/${f.name}: downloaded bytes do not match the registry's sha256`);
    }
    await checkAgainstRecord(tmp, stored);
    await fsp.rm(dir, { recursive: true, force: true });
    await fsp.rename(tmp, dir);
    return dir;
  } catch (err) {
    await fsp.rm(tmp, { recursive: true, force: true });
    throw err;
  }
}
