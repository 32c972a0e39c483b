import { ChatError } from "../conversationLog/errors.js";
import { HttpError } from "../errors.js";

const STATUS: Record<string, number> = { invalid_input: 400, not_found: 404, forbidden: 403, conversation_closed: 409, not_a_bot_reply: 400 };

/** The conversation log speaks ChatError (shared with the sockets); REST answers with the matching HTTP status. */
export function toHttpError(err: unknown): unknown {
  if (err instanceof ChatError) return new HttpError(STATUS[err.code] ?? 400, err.code, err.message);
  return err;
}

export async function httpErrors<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    throw toHttpError(err);
  }
}
