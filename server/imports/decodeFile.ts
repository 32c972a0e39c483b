import { createHash } from "node:crypto";
import { IMPORT_LIMITS } from "./limits.js";
import { ImportFileError, tooLarge } from "./importErrors.js";

export interface DecodedFile {
  text: string;
  sha256: string;
  bytes: number;
}

/**
 * Bytes → text, strictly UTF-8. Spreadsheets often save UTF-16 or Windows-1252; decoding those as UTF-8
 * would silently store mojibake as answers, so they are refused with what to do instead.
 */
export function decodeFile(bytes: Buffer): DecodedFile {
  if (bytes.length === 0) throw new ImportFileError("The file is empty");
  if (bytes.length > IMPORT_LIMITS.maxBytes) {
    throw tooLarge(`The file is ${mb(bytes.length)}; the limit is ${mb(IMPORT_LIMITS.maxBytes)} per import (split it into several files)`);
  }
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new ImportFileError("The file is UTF-16; save it as UTF-8 (in a spreadsheet: CSV UTF-8)");
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    const at = firstInvalidUtf8Line(bytes);
    throw new ImportFileError(`The file is not valid UTF-8 (first bad byte on line ${at}); save it as UTF-8 (in a spreadsheet: CSV UTF-8)`);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.includes("\u0000")) throw new ImportFileError("The file holds NUL bytes: it is binary, not a text export");
  let line = 1;
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    if (i === text.length || text[i] === "\n") {
      if (i - start > IMPORT_LIMITS.maxLineChars) {
        throw new ImportFileError(
          `Line ${line} is ${(i - start).toLocaleString("en")} characters long; the limit is ${IMPORT_LIMITS.maxLineChars.toLocaleString("en")} per line`,
          [{ line, message: "line too long" }],
        );
      }
      line++;
      start = i + 1;
    }
  }
  return { text, sha256, bytes: bytes.length };
}

function firstInvalidUtf8Line(bytes: Buffer): number {
  // Decode line by line until one fails; only runs on the error path.
  let line = 1;
  let start = 0;
  const decoder = new TextDecoder("utf-8", { fatal: true });
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0x0a) {
      try {
        decoder.decode(bytes.subarray(start, i));
      } catch {
        return line;
      }
      line++;
      start = i + 1;
    }
  }
  return line;
}

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
