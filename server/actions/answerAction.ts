import { Types } from "mongoose";
import type { AppContext } from "../context.js";
import type { ActionHandoffReason, BotDecision, BotReply } from "../bot/types.js";
import type { ConversationDoc } from "../models/conversation.js";
import { Message, type MessageDoc } from "../models/message.js";
import { Action } from "../models/action.js";
import { Answer } from "../models/answer.js";
import { SlotRequest } from "../models/slotRequest.js";
import type { ActionCallOutcome } from "../models/actionCall.js";
import { customerIdentity } from "../identity/customerIdentity.js";
import { logger } from "../logger.js";
import { actionCaller, type CallerOptions } from "./actionCaller.js";
import { renderActionReply } from "./replyRenderer.js";
import { extractSlot } from "./slots.js";

// The bot's reply path for an answer that calls an action (after the model picked it): fill the slots from
// the customer's messages or ask for the first missing one, call the action, render the reply from its
// fields — or hand off, saying why. A question is asked once: the next message either holds the slot or
// the conversation goes to a person.

const HANDOFF_FOR: Record<Exclude<ActionCallOutcome, "ok">, ActionHandoffReason> = {
  timeout: "action_timeout",
  http_error: "action_error",
  error: "action_error",
  bad_response: "action_bad_response",
  blocked: "action_blocked",
  unverified: "action_unverified",
};

// An unanswered clarifying question goes stale: a customer back tomorrow starts over with the model.
const SLOT_REQUEST_TTL_MS = 30 * 60_000;
// How far back the customer's earlier messages are read for a slot.
const SLOT_HISTORY = 10;

type ActionReply = BotReply & { action: NonNullable<BotReply["action"]> };

export interface ActionStepOptions {
  // Tests point host names at local servers; the server resolves through the system.
  resolve?: CallerOptions["resolve"];
}

const handoff = (reason: ActionHandoffReason, decision: BotReply): BotDecision => ({
  kind: "handoff",
  reason,
  confidence: decision.confidence,
  modelVersion: decision.modelVersion,
  inferenceMs: decision.inferenceMs,
});

/** The reply path's action step: a reply whose answer names no action passes through unchanged. */
export async function actionStep(
  ctx: AppContext,
  conversation: ConversationDoc,
  message: MessageDoc,
  decision: BotReply,
  opts: ActionStepOptions = {},
): Promise<BotDecision> {
  try {
    const full = await withAnswerAction(decision);
    return full.action ? await actOnReply(ctx, conversation, message, full as ActionReply, opts) : full;
  } catch (err) {
    logger.error({ err, conversationId: String(conversation._id) }, "action step failed; handing off");
    return handoff("action_error", decision);
  }
}

/** The reply with its answer's action filled in, for bots that name only the answer (the model host sets it). */
async function withAnswerAction(decision: BotReply): Promise<BotReply> {
  if (decision.action !== undefined || !Types.ObjectId.isValid(decision.answerId)) return decision;
  const answer = await Answer.findById(decision.answerId, { text: 1, action: 1 }).lean();
  return { ...decision, action: answer?.action ? { name: answer.action.name, slots: answer.action.slots, template: answer.text } : null };
}

/** Runs the action step for a reply whose answer names an action. */
export async function actOnReply(
  ctx: AppContext,
  conversation: ConversationDoc,
  message: MessageDoc,
  decision: ActionReply,
  opts: ActionStepOptions & { askedAlready?: boolean } = {},
): Promise<BotDecision> {
  const action = await Action.findOne({ name: decision.action.name, status: "active" }).lean();
  if (!action) return handoff("action_missing", decision);

  const texts = opts.askedAlready ? [message.text] : await customerTexts(conversation, message);
  const slots: Record<string, string> = {};
  for (const slot of decision.action.slots) {
    const value = extractSlot(slot, texts);
    if (value !== null) {
      slots[slot.name] = value;
      continue;
    }
    if (opts.askedAlready) return handoff("action_slot_missing", decision);
    await SlotRequest.findOneAndUpdate(
      { conversationId: conversation._id },
      {
        $set: {
          answerId: new Types.ObjectId(decision.answerId),
          slot: slot.name,
          askedFor: message._id,
          modelVersion: decision.modelVersion,
          confidence: decision.confidence,
          createdAt: new Date(),
        },
      },
      { upsert: true },
    );
    return { ...decision, text: slot.prompt, action: null };
  }

  const identity = await customerIdentity(conversation.customerId);
  const result = await actionCaller({ config: ctx.config, resolve: opts.resolve }, action, {
    conversationId: String(conversation._id),
    messageId: String(message._id),
    customer: { ...identity, name: conversation.customerName ?? null, email: conversation.customerEmail ?? null },
    language: conversation.channel?.language ?? "en",
    slots,
  });
  if (!result.ok) {
    logger.info({ action: action.name, outcome: result.outcome, conversationId: String(conversation._id) }, "action failed; handing off");
    return handoff(HANDOFF_FOR[result.outcome], decision);
  }
  return { ...decision, text: renderActionReply(decision.action.template, result.fields, slots, conversation), action: null };
}

/**
 * The answer to last turn's clarifying question, if one is open: the chosen answer resumes with this
 * message as its slot (without asking the model again). Null when there is no open question.
 */
export async function resumeSlotRequest(
  ctx: AppContext,
  conversation: ConversationDoc,
  message: MessageDoc,
  opts: ActionStepOptions = {},
): Promise<BotDecision | null> {
  // Taken, not read: a resend of the same message must not resume twice.
  const request = await SlotRequest.findOneAndDelete({ conversationId: conversation._id });
  if (!request || Date.now() - request.createdAt.getTime() > SLOT_REQUEST_TTL_MS) return null;
  const answer = await Answer.findOne({ _id: request.answerId, status: "active" }).lean();
  if (!answer?.action) return null;
  const decision: ActionReply = {
    kind: "reply",
    answerId: String(answer._id),
    text: answer.text,
    confidence: request.confidence ?? 0,
    modelVersion: request.modelVersion ?? "unknown",
    replyId: crypto.randomUUID(),
    alternatives: [],
    action: { name: answer.action.name, slots: answer.action.slots, template: answer.text },
  };
  // The slot asked for must be in this message; the others are read again from the history.
  const asked = answer.action.slots.find((s: { name: string }) => s.name === request.slot);
  if (asked && extractSlot(asked, [message.text]) === null) return handoff("action_slot_missing", decision);
  return actOnReply(ctx, conversation, message, decision, opts);
}

/** The customer's words, newest first: this message, then earlier ones. */
async function customerTexts(conversation: ConversationDoc, message: MessageDoc): Promise<string[]> {
  if (message.seq <= 1) return [message.text];
  const earlier = await Message.find({ conversationId: conversation._id, role: "customer", seq: { $lt: message.seq } })
    .sort({ seq: -1 })
    .limit(SLOT_HISTORY)
    .select("text")
    .lean();
  return [message.text, ...earlier.map((m) => m.text)];
}
