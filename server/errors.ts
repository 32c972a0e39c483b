import type { ErrorRequestHandler, RequestHandler } from "express";
import { ZodError, type ZodTypeAny, type z } from "zod";
import { isDatabaseUnavailable } from "./db/unavailable.js";
import { logger } from "./logger.js";

// The one error module. A command anywhere (a route, a socket handler, the conversation log, the registry, a
// script) throws an AppError when the caller can act on the refusal: its `code` is the stable name clients match
// on (docs/api.md, docs/events.md) and `status` the HTTP status REST answers with. REST maps errors in
// `errorHandler` below, the two socket namespaces in `socketError` (server/gateway/ack.ts), both through
// `describeError`; anything else thrown is a bug, logged and answered as "internal".
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const invalidInput = (message: string, details?: unknown) => new AppError(400, "invalid_input", message, details);
export const badRequest = (message: string, details?: unknown) => new AppError(400, "bad_request", message, details);
export const unauthorized = (message = "Sign in first") => new AppError(401, "unauthorized", message);
export const forbidden = (message = "You are not allowed to do that") => new AppError(403, "forbidden", message);
export const notFound = (what = "Resource") => new AppError(404, "not_found", `${what} not found`);
export const conflict = (message: string, details?: unknown) => new AppError(409, "conflict", message, details);
export const unavailable = (message: string) => new AppError(503, "unavailable", message);

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
      if (!result.success) return next(new AppError(400, "invalid_input", `Invalid request ${part}`, zodDetails(result.error)));
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
export function valid<S extends { body?: ZodTypeAny; query?: ZodTypeAny; params?: ZodTypeAny }>(req: unknown, _schemas?: S): Valid<S> {
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

export interface ErrorBody {
  code: string;
  message: string;
  details?: unknown;
}

export const DATABASE_UNAVAILABLE = "The database is unavailable; try again shortly";

/** What a client is told about a thrown error, with the HTTP status; null for an unexpected one (a bug). */
export function describeError(err: unknown): { status: number; error: ErrorBody } | null {
  if (err instanceof AppError)
    return {
      status: err.status,
      error: { code: err.code, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) },
    };
  if (err instanceof ZodError) return { status: 400, error: { code: "invalid_input", message: "Invalid input", details: zodDetails(err) } };
  if (isDatabaseUnavailable(err)) return { status: 503, error: { code: "unavailable", message: DATABASE_UNAVAILABLE } };
  if ((err as { name?: string }).name === "CastError") return { status: 400, error: { code: "invalid_id", message: "Malformed id" } };
  return null;
}

export const errorHandler: ErrorRequestHandler = (err, _req, res, _next) => {
  // body-parser failures: malformed JSON, too large, wrong charset, a body that does not inflate.
  const status = (err as { status?: number; statusCode?: number }).status ?? (err as { statusCode?: number }).statusCode;
  if (!(err instanceof AppError) && typeof status === "number" && status >= 400 && status < 500) {
    const known = BODY_ERRORS[(err as { type?: string }).type ?? ""];
    res.status(known?.status ?? 400).json({
      error: known ? { code: known.code, message: known.message } : { code: "bad_request", message: "The request body could not be read" },
    });
    return;
  }
  const known = describeError(err);
  if (known) {
    res.status(known.status).json({ error: known.error });
    return;
  }
  logger.error({ err }, "unhandled error");
  res.status(500).json({ error: { code: "internal", message: "Internal error" } });
};
