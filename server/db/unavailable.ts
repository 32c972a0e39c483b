import mongoose from "mongoose";

const { MongoNetworkError, MongoServerSelectionError, MongoNotConnectedError, MongoTopologyClosedError, MongoOperationTimeoutError } =
  mongoose.mongo;

/**
 * True for failures that mean "the database cannot be reached or is too busy right now" rather than
 * "this request is wrong": callers answer 503 / `unavailable` so clients retry instead of giving up.
 * Mongoose wraps server selection in its own error class and times out buffered operations with a
 * plain MongooseError, so those are recognised by name and message.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (
    err instanceof MongoNetworkError ||
    err instanceof MongoServerSelectionError ||
    err instanceof MongoNotConnectedError ||
    err instanceof MongoTopologyClosedError ||
    err instanceof MongoOperationTimeoutError
  ) {
    return true;
  }
  const { name = "", message = "" } = (err ?? {}) as { name?: string; message?: string };
  return name === "MongooseServerSelectionError" || (name === "MongooseError" && /buffering timed out/.test(message));
}
