import { Conversation } from "../models/conversation.js";

// What Understudy holds about one widget customer: their conversations (with the messages in them) and the
// training examples agents made from those conversations. Exporter and eraser both start from here, so
// they can never disagree about what "everything about a customer" means.

export async function customerConversationIds(customerId: string) {
  const rows = await Conversation.find({ customerId }, { _id: 1 }).lean();
  return rows.map((r) => r._id);
}

/** Examples carry source.customerId since curation records it; older ones are found through their conversation. */
export function customerExampleFilter(customerId: string, conversationIds: unknown[]) {
  return { $or: [{ "source.customerId": customerId }, { "source.conversationId": { $in: conversationIds } }] };
}
