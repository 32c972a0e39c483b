import type { Socket } from "socket.io";
import type { ZodError, ZodType } from "zod";
import { DATABASE_UNAVAILABLE, describeError } from "../errors.js";
import { logger } from "../logger.js";

// Ack shape for every socket event: { ok: true, ...result } or { ok: false, error }.
// Errors also go out as a `chat:error` event, so a client that sent no ack callback still learns why.
export interface SocketErrorBody {
  code: string;
  message: string;
  details?: { path: string; message: string }[];
  retryAfter?: number;
}

export type Ack = (response: unknown) => void;

export function ackOf(args: unknown[]): Ack | null {
  const last = args[args.length - 1];
  return typeof last === "function" ? (last as Ack) : null;
}

export function sendError(socket: Socket, event: string, ack: Ack | null, error: SocketErrorBody): void {
  socket.emit("chat:error", { event, ...error });
  ack?.({ ok: false, error });
}

export function invalidInput(err: ZodError): SocketErrorBody {
  const details = err.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
  const first = details[0];
  return {
    code: "invalid_input",
    message: first ? `Invalid payload: ${first.path || "payload"} ${first.message}` : "Invalid payload",
    details,
  };
}

/** How a namespace words the two errors its client cannot act on (the widget speaks to customers, the console to agents). */
export interface ErrorWording {
  namespace: string;
  unavailable: string;
  internal: string;
}

/** The sockets' side of server/errors.ts: the codes, messages and details REST sends, without the status. */
export function socketError(err: unknown, event: string, wording: ErrorWording): SocketErrorBody {
  const known = describeError(err);
  if (known?.error.code === "unavailable" && known.error.message === DATABASE_UNAVAILABLE)
    return { code: "unavailable", message: wording.unavailable };
  if (known) {
    const { code, message, details } = known.error;
    return { code, message, ...(details !== undefined ? { details: details as SocketErrorBody["details"] } : {}) };
  }
  logger.error({ err, event, namespace: wording.namespace }, "socket event failed");
  return { code: "internal", message: wording.internal };
}

/**
 * Runs one socket event the same way in every namespace: parse the payload with its zod schema, run the
 * handler, ack `{ ok: true, ...result }`, or turn a thrown error into an error ack with `socketError`.
 */
export async function dispatchEvent(
  socket: Socket,
  event: string,
  args: unknown[],
  schema: ZodType,
  handler: (payload: unknown) => Promise<object>,
  wording: ErrorWording,
): Promise<void> {
  const ack = ackOf(args);
  const parsed = schema.safeParse(args.length > (ack ? 1 : 0) ? args[0] : undefined);
  if (!parsed.success) return sendError(socket, event, ack, invalidInput(parsed.error));
  try {
    const result = await handler(parsed.data);
    ack?.({ ok: true, ...result });
  } catch (err) {
    sendError(socket, event, ack, socketError(err, event, wording));
  }
}
