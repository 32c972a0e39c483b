// Bounds on what one import may hold. A file over them is refused with a message naming the limit, before
// anything is parsed or written: the chat server must never hold an unbounded upload or plan in memory.
export const IMPORT_LIMITS = {
  maxBytes: 20 * 1024 * 1024,
  maxRows: 50_000,
  // One physical line: a real FAQ row or conversation is far below this; 10 MB on one line is a broken export.
  maxLineChars: 256 * 1024,
  maxAnswerChars: 4000,
  maxQuestionChars: 1000,
  maxTitleChars: 200,
  maxPhrasingsPerRow: 200,
};
