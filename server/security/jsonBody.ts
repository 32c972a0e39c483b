import express, { type RequestHandler } from "express";
import { AppError } from "../errors.js";

// Every REST body is JSON of at most this size and nesting depth. The deepest body a route accepts is a trainer
// settings patch (four levels); a body nested thousands deep used to reach handlers and overflow the stack
// in mongoose's clone, after the change had been applied but before its audit entry was written.
export const MAX_BODY_BYTES = 64 * 1024;
export const MAX_JSON_DEPTH = 16;

/** The deepest nesting of objects and arrays in raw JSON text, counted without parsing (strings skipped). */
export function jsonDepth(buf: Buffer): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped byte
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) max = Math.max(max, ++depth);
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

/** express.json with the size bound, and the depth bound checked on the raw bytes before JSON.parse runs. */
export function jsonBody(): RequestHandler {
  return express.json({
    limit: MAX_BODY_BYTES,
    verify: (_req, _res, buf) => {
      const depth = jsonDepth(buf);
      if (depth > MAX_JSON_DEPTH)
        throw new AppError(400, "invalid_input", `JSON nested ${depth} levels deep; at most ${MAX_JSON_DEPTH} are accepted`);
    },
  });
}
