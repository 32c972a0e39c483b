import { z } from "zod";
import { ROLES } from "../../models/user.js";
import { MIN_PASSWORD_LENGTH } from "../../auth/password.js";
import { idParams } from "../schemas.js";

export const userView = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  disabled: z.boolean(),
  invitePending: z.boolean(),
  lockedUntil: z.string().nullable(),
  lastLoginAt: z.string().nullable(),
  createdAt: z.string().nullable(),
});

export const listUsersQuery = z.object({
  role: z.enum(ROLES).optional(),
  disabled: z
    .enum(["true", "false"])
    .transform((v) => v === "true")
    .optional(),
});

export const createUserBody = z
  .object({
    email: z.string().trim().toLowerCase().email(),
    name: z.string().trim().min(1).max(120),
    role: z.enum(ROLES).default("agent"),
    password: z.string().min(MIN_PASSWORD_LENGTH).max(200).optional(),
  })
  .strict();

export const updateUserBody = z
  .object({
    name: z.string().trim().min(1).max(120).optional(),
    role: z.enum(ROLES).optional(),
    disabled: z.boolean().optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, "Nothing to update");

export const createUserResponse = z.object({ user: userView, inviteToken: z.string().nullable(), inviteUrl: z.string().nullable() });

export const usersSchemas = {
  list: { query: listUsersQuery },
  create: { body: createUserBody },
  update: { params: idParams, body: updateUserBody },
};
