import fs from "node:fs";
import path from "node:path";

// BANKING77: Casanueva et al. 2020, "Efficient Intent Detection with Dual Sentence Encoders" (CC BY 4.0).
export const BANKING77_DIR = process.env.BANKING77_DIR ?? path.resolve(import.meta.dirname, "../data/banking77");
const root = path.resolve(import.meta.dirname, "../..");

export interface Row {
  text: string;
  intent: string;
}

/** RFC 4180 CSV (quoted fields may hold commas, quotes and newlines), header row dropped. */
export function parseCsv(src: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < src.length; i++) {
    const ch = src[i];
    if (quoted) {
      if (ch === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(field);
      field = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && src[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += ch;
  }
  if (field || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows.slice(1);
}

export function readSplit(split: "train" | "test", dir = BANKING77_DIR): Row[] {
  return parseCsv(fs.readFileSync(path.join(dir, `${split}.csv`), "utf8"))
    .filter((r) => r.length === 2)
    .map(([text, intent]) => ({ text: text.replace(/\s+/g, " ").trim(), intent: intent.trim() }))
    .filter((r) => r.text.length > 0);
}

export interface CannedAnswer {
  intent: string;
  title: string;
  text: string;
}

export function readAnswers(): CannedAnswer[] {
  const file = path.join(root, "bench/data/banking77-answers.json");
  return (JSON.parse(fs.readFileSync(file, "utf8")) as { answers: CannedAnswer[] }).answers;
}
