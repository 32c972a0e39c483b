import { embed, initBackend, loadBaseModel } from "../../trainer/model/index.js";

/** Normalised sentence embeddings, one vector per text (cosine = dot product). */
export type Embedder = (texts: string[]) => Promise<number[][]>;

/**
 * The base encoder as an embedder for duplicate detection. Loaded in the trainer process only:
 * embedding a whole dataset is CPU work that must never run on the chat server's event loop.
 */
export async function encoderEmbedder(baseModelDir: string): Promise<Embedder> {
  await initBackend();
  const model = await loadBaseModel(baseModelDir);
  return async (texts) => {
    if (texts.length === 0) return [];
    const vectors = await embed(model, texts);
    return vectors.map((v) => Array.from(v));
  };
}
