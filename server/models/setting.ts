import mongoose, { Schema, type InferSchemaType } from "mongoose";

// Small named documents of runtime configuration that admins change without a restart
// (the trainer schedule, gate thresholds) and the active-model pointer. One document per key, so each
// change is a single atomic update.
const settingSchema = new Schema(
  {
    _id: { type: String, required: true },
    value: { type: Schema.Types.Mixed, default: {} },
    // Bumped on every write; the bot's poll compares it to notice a pointer change cheaply.
    seq: { type: Number, default: 0 },
    updatedBy: { type: String, default: null },
  },
  { timestamps: true, minimize: false },
);

export type SettingAttrs = InferSchemaType<typeof settingSchema>;
export const Setting = mongoose.model("Setting", settingSchema);
