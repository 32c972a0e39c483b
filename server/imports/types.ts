// What every import format is read into before planning: answers, each with the customer phrasings that
// should map to it, and the line each came from (lineage and error messages both name it).

export interface ImportPhrasing {
  text: string;
  previousTurn: string | null;
  line: number;
  golden: boolean;
  outOfScope: boolean;
  polarity: "positive" | "negative";
}

export interface ImportItem {
  line: number;
  title: string;
  answer: string;
  topic: string | null;
  phrasings: ImportPhrasing[];
  // Conversations: the agent replies that were collapsed into this answer, with their similarity to it.
  variants?: { text: string; count: number; similarity: number }[];
}

export type FaqFormat = "csv" | "tsv" | "jsonl";
export type ConversationFormat = "openai" | "transcript";
export type ImportFormat = FaqFormat | ConversationFormat;

/** Which CSV/TSV columns hold what; unset ones are found by their usual header names. */
export interface ColumnMapping {
  answer?: string;
  questions?: string[];
  title?: string;
  topic?: string;
}
