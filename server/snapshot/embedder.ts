import { embed, initBackend, loadAnyBaseModel } from "../../trainer/index.js";

/** Normalised sentence embeddings, one vector per text (cosine = dot product). */
export type Embedder = (texts: string[]) => Promise<number[][]>;

/**
 * The base encoder as an embedder for duplicate detection. Loaded in the trainer process only:
 * embedding a whole dataset is CPU work that must never run on the chat server's event loop.
 */
export async function encoderEmbedder(baseModelDir: string, cacheSize = 50_000): Promise<Embedder> {
  await initBackend();
  // either base family: near duplicates are judged in the space the version is trained in
  const model = await loadAnyBaseModel(baseModelDir);
  // The trainer process lives across nights and the base encoder never changes, so each night embeds only
  // the questions approved since the last one instead of the whole dataset again.
  const cache = new Map<string, Float32Array>();
  return async (texts) => {
    const missing = [...new Set(texts.filter((t) => !cache.has(t)))];
    const fresh = new Map<string, Float32Array>();
    if (missing.length > 0) {
      const vectors = await embed(model, missing);
      missing.forEach((t, i) => fresh.set(t, Float32Array.from(vectors[i])));
    }
    const out = texts.map((t) => Array.from((fresh.get(t) ?? cache.get(t))!));
    // Re-inserted, used texts move to the back of the Map's order, so eviction drops the least recently used.
    for (const t of texts) {
      const v = fresh.get(t) ?? cache.get(t)!;
      cache.delete(t);
      cache.set(t, v);
    }
    for (const oldest of cache.keys()) {
      if (cache.size <= cacheSize) break;
      cache.delete(oldest);
    }
    return out;
  };
}
