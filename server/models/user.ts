import mongoose, { Schema, type InferSchemaType, type HydratedDocument } from "mongoose";

export const ROLES = ["agent", "admin"] as const;
export type Role = (typeof ROLES)[number];

const userSchema = new Schema(
  {
    email: { type: String, required: true, lowercase: true, trim: true },
    name: { type: String, required: true, trim: true, maxlength: 120 },
    passwordHash: { type: String, default: null },
    role: { type: String, enum: ROLES, required: true, default: "agent" },
    disabled: { type: Boolean, default: false },
    // Set when an admin invites someone; cleared once they choose a password.
    inviteTokenHash: { type: String, default: null },
    inviteExpiresAt: { type: Date, default: null },
    failedLogins: { type: Number, default: 0 },
    lockedUntil: { type: Date, default: null },
    lastLoginAt: { type: Date, default: null },
  },
  { timestamps: true },
);

userSchema.index({ email: 1 }, { unique: true });

export type UserAttrs = InferSchemaType<typeof userSchema>;
export type UserDoc = HydratedDocument<UserAttrs>;
export const User = mongoose.model("User", userSchema);
