import type { Types } from "mongoose";
import type { UserAttrs } from "../models/user.js";

type UserLike = UserAttrs & { _id: Types.ObjectId; createdAt?: Date | null };

export function presentUser(u: UserLike) {
  return {
    id: String(u._id),
    email: u.email,
    name: u.name,
    role: u.role,
    disabled: u.disabled,
    // Pending until an invited user chooses a password.
    invitePending: u.passwordHash == null,
    lockedUntil: u.lockedUntil && u.lockedUntil > new Date() ? u.lockedUntil.toISOString() : null,
    lastLoginAt: u.lastLoginAt ? u.lastLoginAt.toISOString() : null,
    createdAt: u.createdAt ? new Date(u.createdAt).toISOString() : null,
  };
}
