import type { Config } from "../config.js";
import { logger } from "../logger.js";
import { ModelVersion } from "../models/modelVersion.js";
import { readActivePointer, registryEvents } from "../registry/activeModel.js";
import { ArtifactIntegrityError, ensureLocalArtifact } from "../registry/artifactStore.js";
import type { ModelPredictor } from "./predictor.js";

export interface LoadedVersion {
  version: string;
  predictor: ModelPredictor;
  inFlight: number;
}

export type PredictorLoader = (artifactDir: string) => Promise<ModelPredictor>;

/**
 * Holds the loaded model versions of this process and follows the active-version pointer in MongoDB.
 *
 * A pointer change is applied as: fetch the artifact from GridFS if missing, verify every sha256, load and
 * warm the new version next to the old one, then replace `current` in one assignment. A reply that started
 * before the swap holds its own reference and finishes on the old version; the old version stays loaded,
 * so a rollback to it is only another assignment. Versions other than the current and the previous one are
 * disposed once nothing is using them.
 */
export class ModelHost {
  private current: LoadedVersion | null = null;
  private previous: LoadedVersion | null = null;
  private readonly loaded = new Map<string, LoadedVersion>();
  // A version whose artifact failed verification is not retried on every poll; a new pointer write retries it.
  private readonly refused = new Map<string, number>();
  private lastSeq = -1;
  private syncing: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly onChange = () => void this.sync();
  private closed = false;

  constructor(
    private readonly config: Pick<Config, "MODELS_DIR">,
    private readonly load: PredictorLoader,
    private readonly pollMs = 1000,
  ) {}

  start(): void {
    registryEvents.on("activeChanged", this.onChange);
    this.timer = setInterval(() => void this.sync(), this.pollMs);
    this.timer.unref();
    void this.sync();
  }

  activeVersion(): string | null {
    return this.current?.version ?? null;
  }

  loadedVersions(): string[] {
    return [...this.loaded.keys()];
  }

  /** Borrows the current version for one reply; `release` must be called when the reply is done. */
  acquire(): { entry: LoadedVersion; release: () => void } | null {
    const entry = this.current;
    if (!entry) return null;
    entry.inFlight++;
    let released = false;
    return {
      entry,
      release: () => {
        if (released) return;
        released = true;
        entry.inFlight--;
        this.evict();
      },
    };
  }

  /** Applies the pointer now. Concurrent calls coalesce into one follow-up pass. */
  sync(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.syncing) {
      this.again = true;
      return this.syncing;
    }
    this.syncing = (async () => {
      try {
        do {
          this.again = false;
          await this.syncOnce();
        } while (this.again && !this.closed);
      } catch (err) {
        if (!this.closed) logger.warn({ err }, "model pointer sync failed; keeping the current version");
      } finally {
        this.syncing = null;
      }
    })();
    return this.syncing;
  }

  private async syncOnce(): Promise<void> {
    const pointer = await readActivePointer();
    if (pointer.seq === this.lastSeq && pointer.version === this.activeVersion()) return;
    if (pointer.seq !== this.lastSeq) this.refused.clear();
    this.lastSeq = pointer.seq;
    if (pointer.version === this.activeVersion()) return;
    if (!pointer.version) {
      this.switchTo(null);
      return;
    }
    if (this.refused.has(pointer.version)) return;
    const entry = this.loaded.get(pointer.version) ?? (await this.loadVersion(pointer.version));
    if (entry) this.switchTo(entry);
  }

  private async loadVersion(version: string): Promise<LoadedVersion | null> {
    const mv = await ModelVersion.findOne({ version }).lean();
    if (!mv) {
      logger.error({ version }, "active pointer names an unknown model version; keeping the current one");
      this.refused.set(version, Date.now());
      return null;
    }
    const started = Date.now();
    let dir: string;
    try {
      dir = await ensureLocalArtifact(this.config.MODELS_DIR, version, mv.artifact as never);
    } catch (err) {
      this.refused.set(version, Date.now());
      if (err instanceof ArtifactIntegrityError) {
        logger.error({ version, err: err.message }, "refusing model version: artifact failed its sha256 check");
        await ModelVersion.updateOne({ version }, { $set: { status: "broken", integrityError: err.message } });
      } else {
        logger.error({ version, err }, "could not fetch model artifact; keeping the current version");
      }
      return null;
    }
    const predictor = await this.load(dir);
    // Warm up: the first prediction compiles kernels and fills caches; customers should not pay for it.
    await predictor.predict("hello");
    const entry: LoadedVersion = { version, predictor, inFlight: 0 };
    this.loaded.set(version, entry);
    logger.info({ version, ms: Date.now() - started }, "model version loaded and warmed");
    return entry;
  }

  private switchTo(entry: LoadedVersion | null): void {
    if (entry === this.current) return;
    const old = this.current;
    this.current = entry;
    if (old) this.previous = old;
    logger.info({ from: old?.version ?? null, to: entry?.version ?? null }, "active model switched");
    this.evict();
  }

  private evict(): void {
    for (const [version, e] of this.loaded) {
      if (e === this.current || e === this.previous || e.inFlight > 0) continue;
      this.loaded.delete(version);
      void Promise.resolve(e.predictor.dispose()).catch((err) => logger.warn({ err, version }, "dispose failed"));
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    registryEvents.off("activeChanged", this.onChange);
    if (this.timer) clearInterval(this.timer);
    await this.syncing?.catch(() => {});
    for (const e of this.loaded.values()) await Promise.resolve(e.predictor.dispose()).catch(() => {});
    this.loaded.clear();
    this.current = this.previous = null;
  }
}
