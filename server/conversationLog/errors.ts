// A refusal the sender can act on (bad id, closed conversation…). Gateways turn it into an error ack,
// REST into a JSON error; anything else is a bug and is logged.
export type ChatErrorCode =
  | "invalid_input"
  | "not_found"
  | "forbidden"
  | "conversation_closed"
  | "not_a_bot_reply";

export class ChatError extends Error {
  constructor(
    readonly code: ChatErrorCode,
    message: string,
  ) {
    super(message);
  }
}
