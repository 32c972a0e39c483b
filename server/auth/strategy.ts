import { Passport } from "passport";
import { Strategy as LocalStrategy } from "passport-local";
import { User, type UserDoc } from "../models/user.js";
import { hashPassword, verifyPassword } from "./password.js";
import type { SessionUser } from "./types.js";

export function toSessionUser(u: Pick<UserDoc, "_id" | "email" | "name" | "role">): SessionUser {
  return { id: String(u._id), email: u.email, name: u.name, role: u.role };
}

// Checked against when the email is unknown, so a wrong email takes as long as a wrong password.
let dummyHash: Promise<string> | null = null;

export type LoginFailure = { reason: "invalid" | "disabled" };

/** A passport instance per server (not the global one), so several servers can live in one test process. */
export function createPassport(): InstanceType<typeof Passport> {
  const passport = new Passport();
  passport.use(
    new LocalStrategy({ usernameField: "email", passwordField: "password", session: true }, async (email, password, done) => {
      try {
        const user = await User.findOne({ email: email.trim().toLowerCase() });
        if (!user || !user.passwordHash) {
          dummyHash ??= hashPassword("not-a-real-password");
          await verifyPassword(await dummyHash, password);
          return done(null, false, { reason: "invalid" } satisfies LoginFailure as never);
        }
        // No per-account state is written on a failure (throttling is per address, server/auth/loginThrottle.ts):
        // a known email costs what an unknown one does, and nobody can lock an account by guessing at it.
        if (!(await verifyPassword(user.passwordHash, password))) return done(null, false, { reason: "invalid" } as never);
        // Disabled is checked after the password so it does not reveal which emails exist.
        if (user.disabled) return done(null, false, { reason: "disabled" } as never);
        await User.updateOne({ _id: user._id }, { $set: { lastLoginAt: new Date() } });
        return done(null, toSessionUser(user));
      } catch (err) {
        return done(err);
      }
    }),
  );
  passport.serializeUser((user, done) => done(null, (user as SessionUser).id));
  // Re-read on every request: a disabled account or a changed role takes effect at once.
  passport.deserializeUser(async (id: string, done) => {
    try {
      const user = await User.findById(id);
      done(null, user && !user.disabled ? toSessionUser(user) : false);
    } catch (err) {
      done(err);
    }
  });
  return passport;
}
