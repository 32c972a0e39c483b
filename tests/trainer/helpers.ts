import { readFileSync } from "node:fs";
import { importCsv } from "../../trainer/data/index.js";
import type { TrainExample } from "../../trainer/index.js";

export const BASE_MODEL_DIR = process.env.BASE_MODEL_DIR ?? ".local/models/all-MiniLM-L6-v2";
const FIXTURE = new URL("../fixtures/banking77-mini/", import.meta.url);

/** 5 BANKING77 intents × 8 training rows; the held-out file has 6 other rows per intent. */
export function miniSplit(): { train: TrainExample[]; test: TrainExample[] } {
  return {
    train: importCsv(readFileSync(new URL("train.csv", FIXTURE), "utf8")),
    test: importCsv(readFileSync(new URL("test.csv", FIXTURE), "utf8")),
  };
}
