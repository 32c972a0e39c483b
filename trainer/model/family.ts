import { existsSync } from "node:fs";
import path from "node:path";
import type { BaseModel } from "./load.js";
import { loadBaseModel } from "./load.js";
import type { UseModel } from "./use/model.js";

/**
 * Base model families: a version is trained on exactly one, and its artifact records which. `minilm` is the BERT
 * family (all-MiniLM-L6-v2 or any sentence-transformers BERT folder: English); `use-multilingual` is Universal
 * Sentence Encoder multilingual v3 (16 languages, Chinese among them). Vectors of two families live in different
 * spaces, so nothing (prototypes, warm start, the open-world bank) crosses from one to the other.
 */
export type BaseFamily = "minilm" | "use-multilingual";
export const BASE_FAMILIES: BaseFamily[] = ["minilm", "use-multilingual"];
/** Where `npm run setup` puts each family's default model. */
export const FAMILY_DIRS: Record<BaseFamily, string> = {
  minilm: ".local/models/all-MiniLM-L6-v2",
  "use-multilingual": ".local/models/use-multilingual-v3",
};

export type AnyBaseModel = BaseModel | UseModel;

export function isUse(base: AnyBaseModel): base is UseModel {
  return (base as UseModel).family === "use-multilingual";
}

export function familyOf(base: AnyBaseModel): BaseFamily {
  return isUse(base) ? "use-multilingual" : "minilm";
}

export function isUseDir(dir: string): boolean {
  return existsSync(path.join(dir, "sp.model")) && existsSync(path.join(dir, "weights"));
}

/** The family a model folder holds, by its files (no weights are read). */
export function familyOfDir(dir: string): BaseFamily {
  return isUseDir(dir) ? "use-multilingual" : "minilm";
}

/** Loads either family. USE's tokenizer (a wasm build of SentencePiece) is imported only when a USE folder is loaded. */
export async function loadAnyBaseModel(dir: string): Promise<AnyBaseModel> {
  if (dir && isUseDir(dir)) return (await import("./use/model.js")).loadUseModel(dir);
  return loadBaseModel(dir);
}

/**
 * The folder of `family`'s base: `configured` when it holds that family (BASE_MODEL_DIR, --base), else the
 * family's folder from `npm run setup` under the project root.
 */
export function baseModelDirFor(family: BaseFamily, configured?: string | null): string {
  if (configured && familyOfDir(configured) === family) return configured;
  return path.resolve(import.meta.dirname, "../..", FAMILY_DIRS[family]);
}

export function parseFamily(value: unknown): BaseFamily | null {
  return BASE_FAMILIES.includes(value as BaseFamily) ? (value as BaseFamily) : null;
}
