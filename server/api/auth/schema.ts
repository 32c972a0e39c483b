import { z } from "zod";
import { MIN_PASSWORD_LENGTH } from "../../auth/password.js";
import { userView } from "../users/schema.js";

export const loginBody = z.object({ email: z.string().trim().toLowerCase().email(), password: z.string().min(1).max(200) }).strict();
export const acceptInviteBody = z
  .object({ token: z.string().min(10).max(200), password: z.string().min(MIN_PASSWORD_LENGTH).max(200) })
  .strict();
export const sessionResponse = z.object({ user: userView, csrfToken: z.string() });
export const csrfResponse = z.object({ csrfToken: z.string() });

export const authSchemas = {
  login: { body: loginBody },
  acceptInvite: { body: acceptInviteBody },
};
