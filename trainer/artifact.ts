import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

export const ARTIFACT_FORMAT_VERSION = 1;
export const MANIFEST_FILE = "manifest.json";

export type TrainMethod = "head" | "lora" | "full";

export interface EpochRecord {
  epoch: number;
  loss: number;
  valAccuracy: number;
  valLoss: number;
  seconds: number;
}

export interface Manifest {
  formatVersion: number;
  /** `family` is absent in versions trained before there were two: those are minilm. */
  baseModel: { name: string; weightsSha256: string; family?: "minilm" | "use-multilingual" };
  method: TrainMethod;
  /** Encoder layers whose trained copies (method 'full') or adapters (method 'lora') are in the weights file. */
  trainedLayers: number[];
  hyperParameters: Record<string, number | string | boolean | null>;
  seed: number;
  datasetHash: string;
  labels: string[];
  threshold: number;
  targetPrecision: number;
  calibrationTemperature: number;
  metrics: Record<string, number>;
  /** The out-of-scope signal (absent in versions trained before it: they treat every question as in scope). */
  openWorld?: OpenWorldManifest;
  history: EpochRecord[];
  files: Record<string, { sha256: string; size: number }>;
  parent: { dir: string; datasetHash: string; createdAt: string } | null;
  createdAt: string;
}

export interface OpenWorldManifest {
  signal: string;
  /** Answer only when the in-scope score reaches this (and the confidence reaches `threshold`). */
  inScopeThreshold: number;
  /** The in-scope threshold alone that maximised open-set macro-F1 out of fold (reported; benchmarks use it). */
  openSetThreshold: number;
  file: string;
  inScopeBank: number;
  outOfScopeBank: number;
  outOfScopeShare: number;
  maxOutOfScopeAnswered: number;
  /** Out-of-fold estimates at the chosen thresholds. */
  estimates: { inScopeCoverage: number; inScopePrecision: number; outOfScopeAnswered: number; precision: number };
  /** Out-of-scope cases that set the thresholds: questions of held-out answers, and questions marked "not for the bot". */
  novelExamples: number;
  markedExamples: number;
  /** Per answer, how many of its questions a fold that had never seen the answer answered: [answered, total]. */
  novelAnsweredByLabel: Record<string, [number, number]>;
}

export class ArtifactIntegrityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ArtifactIntegrityError";
  }
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/**
 * Lets `writeFiles` fill a temp dir next to `outDir`, hashes every file it wrote into the manifest, then renames
 * the dir into place, so a crash never leaves a half-written artifact. An existing `outDir` is replaced.
 */
export async function writeArtifact(
  outDir: string,
  manifest: Omit<Manifest, "files">,
  writeFiles: (dir: string) => Promise<void> | void,
): Promise<Manifest> {
  const tmp = join(dirname(outDir), `.${basename(outDir)}.tmp-${process.pid}-${Date.now()}`);
  await mkdir(tmp, { recursive: true });
  try {
    await writeFiles(tmp);
    const listed: Manifest["files"] = {};
    for (const name of (await readdir(tmp)).sort()) {
      if (name === MANIFEST_FILE) throw new Error(`writeFiles must not write ${MANIFEST_FILE}`);
      listed[name] = { sha256: await sha256File(join(tmp, name)), size: (await stat(join(tmp, name))).size };
    }
    const full: Manifest = { ...manifest, files: listed };
    await writeFile(join(tmp, MANIFEST_FILE), JSON.stringify(full, null, 2) + "\n");
    await rm(outDir, { recursive: true, force: true });
    await rename(tmp, outDir);
    return full;
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

export async function readManifest(dir: string): Promise<Manifest> {
  let raw: string;
  try {
    raw = await readFile(join(dir, MANIFEST_FILE), "utf8");
  } catch {
    throw new ArtifactIntegrityError(`${dir}: missing ${MANIFEST_FILE}`);
  }
  let manifest: Manifest;
  try {
    manifest = JSON.parse(raw) as Manifest;
  } catch (err) {
    throw new ArtifactIntegrityError(`${dir}: ${MANIFEST_FILE} is not valid JSON (${(err as Error).message})`);
  }
  if (manifest.formatVersion !== ARTIFACT_FORMAT_VERSION) {
    throw new ArtifactIntegrityError(`${dir}: unsupported artifact format version ${manifest.formatVersion}`);
  }
  if (!manifest.files || typeof manifest.files !== "object" || !Array.isArray(manifest.labels)) {
    throw new ArtifactIntegrityError(`${dir}: manifest lacks "files" or "labels"`);
  }
  return manifest;
}

/** Re-hashes every file the manifest lists; any missing, resized, altered or unlisted file is an error. */
export async function verifyArtifact(dir: string): Promise<Manifest> {
  const manifest = await readManifest(dir);
  for (const [name, expected] of Object.entries(manifest.files)) {
    const path = join(dir, name);
    let size: number;
    try {
      size = (await stat(path)).size;
    } catch {
      throw new ArtifactIntegrityError(`${dir}: missing file ${name}`);
    }
    if (size !== expected.size) throw new ArtifactIntegrityError(`${dir}: ${name} is ${size} bytes, manifest says ${expected.size}`);
    const actual = await sha256File(path);
    if (actual !== expected.sha256) throw new ArtifactIntegrityError(`${dir}: ${name} sha256 ${actual} does not match manifest`);
  }
  const extra = (await readdir(dir)).filter((f) => f !== MANIFEST_FILE && !(f in manifest.files));
  if (extra.length) throw new ArtifactIntegrityError(`${dir}: files not in the manifest: ${extra.join(", ")}`);
  return manifest;
}
