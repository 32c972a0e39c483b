import { decodeFile } from "./decodeFile.js";
import { readFaqFile } from "./faqReader.js";
import type { ColumnMapping, ImportFormat, ImportItem } from "./types.js";

export interface ImportSource {
  kind: "faq" | "conversations";
  format: ImportFormat;
  bytes: Buffer;
  fileName?: string | null;
  mapping?: ColumnMapping;
  /** Conversations: agent replies at least this similar (cosine of their embeddings) collapse into one answer. */
  similarity?: number;
}

/** Reads a decoded file; `notes` are said in the dry run (what was left out and why). */
export type ItemReader = (text: string, source: ImportSource) => Promise<{ items: ImportItem[]; notes: string[] }>;

const FAQ_FORMATS = new Set(["csv", "tsv", "jsonl"]);

/** Decodes and reads a file into import items; `conversations` is the reader of past conversations (it embeds). */
export async function readImportItems(
  source: ImportSource,
  conversations?: ItemReader,
): Promise<{ items: ImportItem[]; notes: string[]; sha256: string; bytes: number }> {
  const file = decodeFile(source.bytes);
  if (source.kind === "faq") {
    if (!FAQ_FORMATS.has(source.format)) throw new Error(`FAQ imports read csv, tsv or jsonl, not ${source.format}`);
    return {
      items: readFaqFile(file.text, source.format as "csv" | "tsv" | "jsonl", source.mapping),
      notes: [],
      sha256: file.sha256,
      bytes: file.bytes,
    };
  }
  if (!conversations) throw new Error("no conversation reader configured");
  return { ...(await conversations(file.text, source)), sha256: file.sha256, bytes: file.bytes };
}
