import mongoose from "mongoose";
import { Conversation } from "../models/conversation.js";
import { renderAnswer } from "../curation/placeholders.js";

/** Fills an answer's {{placeholders}} from the conversation it is sent in (the reply bank's own renderer). */
export async function renderReply(template: string, conversationId: string): Promise<string> {
  if (!template.includes("{{")) return template;
  const c = mongoose.isValidObjectId(conversationId)
    ? await Conversation.findById(conversationId, { customerName: 1, customerEmail: 1, channel: 1 }).lean()
    : null;
  return renderAnswer(template, c ?? { customerName: null, customerEmail: null });
}
