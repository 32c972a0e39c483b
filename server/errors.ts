import type { ErrorRequestHandler, RequestHandler } from "express";
import { ZodError, type ZodTypeAny, type z } from "zod";
import { isDatabaseUnavailable } from "./db/unavailable.js";
import { logger } from "./logger.js";

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const badRequest = (message: string, details?: unknown) => new HttpError(400, "bad_request", message, details);
export const unauthorized = (message = "Sign in first") => new HttpError(401, "unauthorized", message);
export const forbidden = (message = "You are not allowed to do that") => new HttpError(403, "forbidden", message);
export const notFound = (what = "Resource") => new HttpError(404, "not_found", `${what} not found`);
export const conflict = (message: string, details?: unknown) => new HttpError(409, "conflict", message, details);
export const unavailable = (message: string) => new HttpError(503, "unavailable", message);

export function zodDetails(err: ZodError) {
  return err.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
}

/** Parses req.body / req.query / req.params with zod; the parsed values replace the raw ones on `req.valid`. */
export function validate<B extends ZodTypeAny, Q extends ZodTypeAny, P extends ZodTypeAny>(schemas: {
  body?: B;
  query?: Q;
  params?: P;
}): RequestHandler {
  return (req, _res, next) => {
    const valid: Record<string, unknown> = {};
    for (const part of ["body", "query", "params"] as const) {
      const schema = schemas[part];
      if (!schema) continue;
      const result = schema.safeParse(req[part] ?? {});
      if (!result.success) return next(new HttpError(400, "invalid_input", `Invalid request ${part}`, zodDetails(result.error)));
      valid[part] = result.data;
    }
    (req as unknown as { valid: typeof valid }).valid = valid;
    next();
  };
}

export type Valid<S extends { body?: ZodTypeAny; query?: ZodTypeAny; params?: ZodTypeAny }> = {
  body: S["body"] extends ZodTypeAny ? z.infer<S["body"]> : undefined;
  query: S["query"] extends ZodTypeAny ? z.infer<S["query"]> : undefined;
  params: S["params"] extends ZodTypeAny ? z.infer<S["params"]> : undefined;
};

/** Reads what `validate` parsed. */
export function valid<S extends { body?: ZodTypeAny; query?: ZodTypeAny; params?: ZodTypeAny }>(
  req: unknown,
  _schemas?: S,
): Valid<S> {
  return (req as { valid: Valid<S> }).valid;
}

// body-parser's failures, by its `type`, as the documented codes (docs/api.md): its own names, and zlib's
// messages for a broken gzip body, are internals a client should not have to know.
const BODY_ERRORS: Record<string, { status: number; code: string; message: string }> = {
  "entity.parse.failed": { status: 400, code: "invalid_json", message: "The body is not valid JSON" },
  "entity.too.large": { status: 413, code: "payload_too_large", message: "The body is larger than 64 kB" },
  "charset.unsupported": { status: 415, code: "unsupported_media_type", message: "The body must be UTF-8 JSON" },
  "encoding.unsupported": { status: 415, code: "unsupported_media_type", message: "Unsupported Content-Encoding" },
};

export const errorHandler: ErrorRequestHandler = (err, _req, res, _next) => {
  if (err instanceof HttpError) {
    res.status(err.status).json({ error: { code: err.code, message: err.message, details: err.details } });
    return;
  }
  // body-parser failures: malformed JSON, too large, wrong charset, a body that does not inflate.
  const status = (err as { status?: number; statusCode?: number }).status ?? (err as { statusCode?: number }).statusCode;
  if (typeof status === "number" && status >= 400 && status < 500) {
    const known = BODY_ERRORS[(err as { type?: string }).type ?? ""];
    res.status(known?.status ?? 400).json({ error: known ? { code: known.code, message: known.message } : { code: "bad_request", message: "The request body could not be read" } });
    return;
  }
  if (err instanceof ZodError) {
    res.status(400).json({ error: { code: "invalid_input", message: "Invalid input", details: zodDetails(err) } });
    return;
  }
  if (isDatabaseUnavailable(err)) {
    res.status(503).json({ error: { code: "unavailable", message: "The database is unavailable; try again shortly" } });
    return;
  }
  if ((err as { name?: string }).name === "CastError") {
    res.status(400).json({ error: { code: "invalid_id", message: "Malformed id" } });
    return;
  }
  logger.error({ err }, "unhandled error");
  res.status(500).json({ error: { code: "internal", message: "Internal error" } });
};
