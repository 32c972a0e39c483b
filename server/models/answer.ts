import mongoose, { Schema, type InferSchemaType, type HydratedDocument } from "mongoose";

// A canonical answer of the reply bank: one answer, many customer phrasings (the examples that point at it).
// The model's labels are answer ids.
const answerSchema = new Schema(
  {
    title: { type: String, required: true, trim: true, maxlength: 200 },
    // May hold {{placeholders}} filled from conversation data when sent.
    text: { type: String, required: true, maxlength: 4000 },
    status: { type: String, enum: ["active", "retired", "merged"], default: "active" },
    mergedInto: { type: Schema.Types.ObjectId, ref: "Answer", default: null },
    createdBy: { type: Schema.Types.ObjectId, ref: "User", default: null },
    version: { type: Number, default: 1 },
    // Set on answers an import created (server/imports): the import, the file's sha256 and the line.
    origin: {
      importId: { type: Schema.Types.ObjectId, ref: "DataImport", default: null },
      fileSha256: { type: String, default: null },
      line: { type: Number, default: null },
      topic: { type: String, default: null },
    },
    // An answer that needs live data names an action and the slots it fills from the customer's messages
    // (server/actions). Its text may then use the action's reply fields: {{order.status}}.
    // Checked by the answers API's zod schema (answerActionBody) on every write.
    action: { type: Schema.Types.Mixed, default: null },
  },
  { timestamps: true },
);

answerSchema.index({ status: 1, title: 1 });
answerSchema.index({ "origin.importId": 1 });

export interface AnswerAction {
  name: string;
  slots: { name: string; pattern: string; prompt: string }[];
}

export type AnswerAttrs = Omit<InferSchemaType<typeof answerSchema>, "action"> & { action?: AnswerAction | null };
export type AnswerDoc = HydratedDocument<AnswerAttrs>;
export const Answer = mongoose.model("Answer", answerSchema);
