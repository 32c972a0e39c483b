import type { AppContext } from "../context.js";
import { Conversation } from "../models/conversation.js";
import { Message, type MessageDoc } from "../models/message.js";
import { AppError, notFound } from "../errors.js";
import { toObjectId } from "./messageRecorder.js";
import { feedbackEvent } from "../webhooks/events.js";

export type Feedback = "up" | "down" | null;

/** A customer's thumbs up/down on a bot reply; the review queue sorts by it. null clears it. */
export async function recordFeedback(
  ctx: AppContext,
  input: { customerId: string; messageId: string; value: Feedback },
): Promise<MessageDoc> {
  const message = await Message.findById(toObjectId(input.messageId, "Message")).select("conversationId role").lean();
  if (!message) throw notFound("Message");
  const own = await Conversation.exists({ _id: message.conversationId, customerId: input.customerId });
  if (!own) throw notFound("Message");
  if (message.role !== "bot") throw new AppError(400, "not_a_bot_reply", "Feedback is only for the bot's replies");
  const updated = await Message.findOneAndUpdate({ _id: message._id }, { $set: { feedback: input.value } }, { new: true });
  if (!updated) throw notFound("Message");
  ctx.events.publish({ type: "message.updated", message: updated });
  await feedbackEvent(updated);
  return updated;
}
