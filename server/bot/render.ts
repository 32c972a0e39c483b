import mongoose from "mongoose";
import { Conversation } from "../models/conversation.js";

/** Fills an answer's {{placeholders}} from the conversation it is sent in. */
export async function renderReply(template: string, conversationId: string): Promise<string> {
  if (!template.includes("{{")) return template;
  const c = mongoose.isValidObjectId(conversationId) ? await Conversation.findById(conversationId).lean() : null;
  const values: Record<string, string | null | undefined> = {
    customerName: c?.customerName,
    name: c?.customerName,
    customerEmail: c?.customerEmail,
    email: c?.customerEmail,
  };
  return template.replace(/\{\{\s*([A-Za-z][\w.]*)\s*\}\}/g, (_m, key: string) => values[key] ?? "there");
}
