import mongoose, { Schema, type InferSchemaType, type HydratedDocument } from "mongoose";

// A canonical answer of the reply bank: one answer, many customer phrasings (the examples that point at it).
// The model's labels are answer ids.
const answerSchema = new Schema(
  {
    title: { type: String, required: true, trim: true, maxlength: 200 },
    // May hold {{placeholders}} filled from conversation data when sent.
    text: { type: String, required: true, maxlength: 4000 },
    // The same answer in other languages (BCP 47 tags: zh-CN, en, ja …): the bot replies in the customer's
    // language when the answer has it (server/bot/replyLanguage.ts), else with `text`.
    translations: {
      type: [{ _id: false, language: { type: String, required: true }, text: { type: String, required: true, maxlength: 4000 } }],
      default: [],
    },
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

export interface AnswerTranslation {
  language: string;
  text: string;
}
export type AnswerAttrs = Omit<InferSchemaType<typeof answerSchema>, "action" | "translations"> & {
  action?: AnswerAction | null;
  translations?: AnswerTranslation[];
};
export type AnswerDoc = HydratedDocument<AnswerAttrs>;
export const Answer = mongoose.model("Answer", answerSchema);
