import mongoose, { Schema, type InferSchemaType } from "mongoose";

// Sign-in throttling state (server/auth/loginThrottle.ts), in the database so that every chat process sees
// the same counts and a restart forgets nothing. _id is "pair:<email hash>:<address>" or "addr:<address>";
// emails are hashed, so an unknown address someone typed is not stored as such.
const loginThrottleSchema = new Schema(
  {
    _id: { type: String, required: true },
    failures: { type: Number, default: 0 },
    windowStart: { type: Date, required: true },
    nextAllowedAt: { type: Date, default: null },
    expiresAt: { type: Date, required: true },
  },
  { versionKey: false },
);

loginThrottleSchema.index({ expiresAt: 1 });

export type LoginThrottleAttrs = InferSchemaType<typeof loginThrottleSchema>;
export const LoginThrottle = mongoose.model("LoginThrottle", loginThrottleSchema);
