import type { Role } from "../models/user.js";

/** The signed-in person as request handlers and socket handlers see them (never the password hash). */
export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: Role;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    // passport augments Request.user with this type.
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface User extends SessionUser {}
  }
}
