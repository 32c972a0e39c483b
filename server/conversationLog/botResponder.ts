import type { AppContext } from "../context.js";
import type { BotDecision, HandoffReason } from "../bot/types.js";
import { Conversation, type ConversationDoc } from "../models/conversation.js";
import { Message, type MessageDoc } from "../models/message.js";
import { logger } from "../logger.js";
import { PEOPLE_TALKING, recordBotReply, recordSystemMessage } from "./messageRecorder.js";
import { notice } from "./notices.js";
import type { TurnTiming } from "./turnTimings.js";
import { actionStep, resumeSlotRequest } from "../actions/answerAction.js";
import { handoffEvent } from "../webhooks/events.js";
import { inDbStage } from "../db/commandTally.js";

/**
 * After a customer message is stored: ask the bot, then store its reply or hand the conversation to a
 * person. Silent while an agent has the conversation — people are talking.
 */
export async function respondToCustomerMessage(
  ctx: AppContext,
  conversation: ConversationDoc,
  message: MessageDoc,
  arrival?: TurnArrival,
): Promise<void> {
  if ((PEOPLE_TALKING as readonly string[]).includes(conversation.status)) return;
  const clock = turnClock(arrival);
  // The first message of a conversation has nothing before it.
  const previous =
    message.seq > 1
      ? await inDbStage("context", () =>
          Message.findOne({ conversationId: conversation._id, seq: { $lt: message.seq }, role: { $in: ["bot", "agent"] } })
            .sort({ seq: -1 })
            .select("text")
            .lean(),
        )
      : null;
  clock.lap("context");

  let decision: BotDecision;
  try {
    // Last turn's clarifying question (an action answer's missing slot) is answered before the model is asked again.
    // A clarifying question is asked in an earlier turn: a conversation's first message has none to answer.
    const resumed = message.seq > 1 ? await inDbStage("decide", () => resumeSlotRequest(ctx, conversation, message)) : null;
    decision =
      resumed ??
      (await ctx.bot.decide({
        conversationId: String(conversation._id),
        text: message.text,
        previousTurn: previous?.text ?? null,
        language: conversation.channel?.language ?? "en",
      }));
  } catch (err) {
    logger.error({ err, conversationId: String(conversation._id) }, "bot failed; handing off");
    decision = { kind: "handoff", reason: "model_error" };
  }
  // An answer that calls an action gets its live data here (or asks for a slot, or hands off saying why).
  if (decision.kind === "reply" && decision.action !== null) {
    const step = decision;
    decision = await inDbStage("decide", () => actionStep(ctx, conversation, message, step));
  }
  clock.lap("decide");

  // An agent may have taken over while the model was thinking: the reply is stored only if not.
  const settled = decision;
  const stored = await inDbStage("store", () =>
    settled.kind === "reply"
      ? recordBotReply(ctx, conversation, settled, message._id)
      : handOff(ctx, conversation, settled.reason, message),
  );
  if (stored) ctx.turnTimings.add(clock.done({ inference: decision.inferenceMs }));
}

/** When the customer's message arrived (performance.now()), how long storing it took, and when it was acked. */
export interface TurnArrival {
  arrivedAt: number;
  recordMs: number;
  ackedAt: number;
}

function turnClock(arrival?: TurnArrival) {
  const started = performance.now();
  const timing: TurnTiming = arrival ? { record: arrival.recordMs, wait: started - arrival.ackedAt } : {};
  let last = started;
  return {
    lap(stage: "context" | "decide") {
      const now = performance.now();
      timing[stage] = now - last;
      last = now;
    },
    done(extra: TurnTiming): TurnTiming {
      const now = performance.now();
      return { ...timing, ...extra, store: now - last, total: now - (arrival?.arrivedAt ?? started) };
    },
  };
}

/**
 * Marks the conversation waiting for an agent and tells the customer, once: the conditional update only
 * matches while the bot still has it, so a second hand-off in a waiting conversation adds no notice.
 */
export async function handOff(ctx: AppContext, conversation: ConversationDoc, reason: HandoffReason, cause: MessageDoc): Promise<boolean> {
  const waiting = await Conversation.findOneAndUpdate(
    { _id: conversation._id, status: "bot" },
    { $set: { status: "waiting", waitingSince: new Date() } },
    { new: true },
  );
  if (!waiting) return false;
  const notified = await recordSystemMessage(
    ctx,
    waiting,
    notice("handoff", waiting.channel?.language),
    reason,
    `handoff:${String(cause._id)}`,
  );
  // appendMessage published the conversation only if the notice was new; make sure agents see "waiting".
  if (notified.duplicate) ctx.events.publish({ type: "conversation.updated", conversation: notified.conversation });
  else await handoffEvent(waiting._id, reason, notified.message);
  return true;
}
