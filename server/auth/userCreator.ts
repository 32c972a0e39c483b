import crypto from "node:crypto";
import { User, type Role, type UserDoc } from "../models/user.js";
import { badRequest, conflict } from "../errors.js";
import { hashPassword, MIN_PASSWORD_LENGTH } from "./password.js";

export const INVITE_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export const hashToken = (token: string) => crypto.createHash("sha256").update(token).digest("hex");

export interface CreateUserInput {
  email: string;
  name: string;
  role: Role;
  // Without a password the user gets an invite token to choose one.
  password?: string;
}

/** Creates an account; returns the one-time invite token when no password was given (only its hash is stored). */
export async function userCreator(input: CreateUserInput): Promise<{ user: UserDoc; inviteToken: string | null }> {
  if (input.password !== undefined && input.password.length < MIN_PASSWORD_LENGTH) {
    throw badRequest(`Password must be at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  const inviteToken = input.password === undefined ? crypto.randomBytes(24).toString("base64url") : null;
  try {
    const user = await User.create({
      email: input.email,
      name: input.name,
      role: input.role,
      passwordHash: input.password === undefined ? null : await hashPassword(input.password),
      inviteTokenHash: inviteToken ? hashToken(inviteToken) : null,
      inviteExpiresAt: inviteToken ? new Date(Date.now() + INVITE_TTL_MS) : null,
    });
    return { user, inviteToken };
  } catch (err) {
    if ((err as { code?: number }).code === 11000) throw conflict("A user with that email already exists");
    throw err;
  }
}

/** Sets the password of an invited user; the token works once. */
export async function inviteAccepter(token: string, password: string): Promise<UserDoc> {
  if (password.length < MIN_PASSWORD_LENGTH) throw badRequest(`Password must be at least ${MIN_PASSWORD_LENGTH} characters`);
  const passwordHash = await hashPassword(password);
  const user = await User.findOneAndUpdate(
    { inviteTokenHash: hashToken(token), inviteExpiresAt: { $gt: new Date() }, disabled: false },
    { $set: { passwordHash, inviteTokenHash: null, inviteExpiresAt: null } },
    { new: true },
  );
  if (!user) throw badRequest("The invitation is invalid or has expired");
  return user;
}
