import { Conversation } from "../models/conversation.js";
import { Example } from "../models/example.js";
import { Message } from "../models/message.js";
import { customerConversationIds, customerExampleFilter } from "./customerData.js";

export interface ErasureCounts {
  conversations: number;
  messages: number;
  examples: number;
}

export const ERASED_TEXT = "[erased]";

/**
 * Erases one customer (right to erasure). Training examples made from their conversations are kept as
 * tombstones (status "deleted", text replaced) so the example ids in past snapshots' lineage still resolve
 * and the next snapshot, which only takes "active" examples, leaves them out. Order matters for a crash
 * half-way: examples first, conversations last, so a retry still finds everything that is left.
 */
export async function customerEraser(customerId: string): Promise<ErasureCounts> {
  const conversationIds = await customerConversationIds(customerId);
  // Already-erased tombstones are skipped, so a repeated request reports only what it changed.
  const examples = await Example.updateMany(
    { $and: [customerExampleFilter(customerId, conversationIds), { question: { $ne: ERASED_TEXT } }] },
    {
      $set: {
        status: "deleted",
        question: ERASED_TEXT,
        previousTurn: null,
        "source.questionMessageId": null,
        "source.replyMessageId": null,
      },
      $inc: { version: 1 },
    },
  );
  const messages = await Message.deleteMany({ conversationId: { $in: conversationIds } });
  const conversations = await Conversation.deleteMany({ _id: { $in: conversationIds } });
  return { conversations: conversations.deletedCount, messages: messages.deletedCount, examples: examples.modifiedCount };
}
