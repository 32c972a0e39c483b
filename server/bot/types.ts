// The seam between the chat path and the model. The gateway never talks to a model directly:
// it asks the bot, which either replies (with the version that said it) or hands off to a human.

export interface BotInput {
  conversationId: string;
  text: string;
  // The previous customer/agent turn, when the model uses context.
  previousTurn?: string | null;
  language?: string;
}

export interface BotReply {
  kind: "reply";
  answerId: string;
  // Already rendered: placeholders filled from conversation data.
  text: string;
  confidence: number;
  modelVersion: string;
  replyId: string;
  alternatives: { answerId: string; confidence: number }[];
  // The model's forward pass, for the turn timings.
  inferenceMs?: number;
  // Set when the answer calls an action: the reply is rendered from its result (server/actions). Null: it
  // does not; undefined: the bot did not say (the reply path looks it up).
  action?: { name: string; slots: { name: string; pattern: string; prompt: string }[]; template: string } | null;
}

// out_of_scope: the question is unlike every question with an answer; low_confidence: it has answers near it,
// but the model is not sure which one.
export type HandoffReason = "no_model" | "out_of_scope" | "low_confidence" | "unknown_answer" | "model_error" | ActionHandoffReason;

// Why an answer that calls an action went to a person instead (server/actions/answerAction.ts).
export type ActionHandoffReason =
  | "action_timeout"
  | "action_error"
  | "action_bad_response"
  | "action_blocked"
  | "action_unverified"
  | "action_missing"
  | "action_slot_missing";

export interface BotHandoff {
  kind: "handoff";
  reason: HandoffReason;
  confidence?: number;
  inScopeScore?: number;
  modelVersion?: string;
  inferenceMs?: number;
}

export type BotDecision = BotReply | BotHandoff;

export interface Bot {
  decide(input: BotInput): Promise<BotDecision>;
  /** Version now answering, or null when no model is active. */
  activeVersion(): string | null;
}
