import mongoose, { Schema, type InferSchemaType, type HydratedDocument } from "mongoose";

// A training pair an agent approved (or rejected, as a negative), with its lineage.
const exampleSchema = new Schema(
  {
    question: { type: String, required: true, maxlength: 4000 },
    previousTurn: { type: String, default: null },
    // Null only for a question marked "not for the bot": no answer in the bank should answer it.
    answerId: {
      type: Schema.Types.ObjectId,
      ref: "Answer",
      default: null,
      required: function (this: { outOfScope?: boolean }) {
        return !this.outOfScope;
      },
    },
    outOfScope: { type: Boolean, default: false },
    // positive: the customer question maps to the answer; negative: an agent rejected that reply.
    polarity: { type: String, enum: ["positive", "negative"], required: true, default: "positive" },
    // Golden pairs form the regression set and never enter training.
    golden: { type: Boolean, default: false },
    mustPass: { type: Boolean, default: false },
    // pending: imported "to review"; it trains only once an agent approves it (status → active).
    status: { type: String, enum: ["active", "excluded", "deleted", "pending"], default: "active" },
    source: {
      kind: { type: String, enum: ["bot_reply", "agent_reply", "import", "manual"], required: true },
      // The agent's reply created its answer: the question had no answer in the bank when it was asked.
      newAnswer: { type: Boolean, default: false },
      conversationId: { type: Schema.Types.ObjectId, ref: "Conversation", default: null },
      questionMessageId: { type: Schema.Types.ObjectId, ref: "Message", default: null },
      replyMessageId: { type: Schema.Types.ObjectId, ref: "Message", default: null },
      customerId: { type: String, default: null },
      modelVersion: { type: String, default: null },
      // Imports (server/imports): which import wrote it, from which file (sha256) and line.
      importId: { type: Schema.Types.ObjectId, ref: "DataImport", default: null },
      fileSha256: { type: String, default: null },
      line: { type: Number, default: null },
    },
    approvedBy: { type: Schema.Types.ObjectId, ref: "User", default: null },
    approvedAt: { type: Date, default: () => new Date() },
    // Optimistic concurrency: an edit names the version it saw; a stale one gets 409.
    version: { type: Number, default: 1 },
  },
  { timestamps: true },
);

exampleSchema.index({ status: 1, golden: 1, polarity: 1 });
exampleSchema.index({ answerId: 1 });
exampleSchema.index({ "source.customerId": 1 });
exampleSchema.index({ approvedAt: 1 });
exampleSchema.index({ "source.importId": 1 });

export type ExampleAttrs = InferSchemaType<typeof exampleSchema>;
export type ExampleDoc = HydratedDocument<ExampleAttrs>;
export const Example = mongoose.model("Example", exampleSchema);
