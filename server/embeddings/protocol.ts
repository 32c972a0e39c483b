import type { BaseFamily } from "../../trainer/index.js";

// Messages between the chat process and its embedding thread. Every request names the base family to embed in
// and carries an id; the thread answers each one exactly once.
export interface EmbedRequest {
  id: number;
  family: BaseFamily;
  texts: string[];
}

export type EmbedResponse = { id: number; ok: true; vectors: number[][] } | { id: number; ok: false; message: string };

export interface EmbeddingThreadData {
  entry: string;
  /** BASE_MODEL_DIR: used for the family it holds; the other family comes from setup's folder. */
  baseModelDir: string;
}
