import type express from "express";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import session from "express-session";
import MongoStore from "connect-mongo";
import cookieParser from "cookie-parser";
import mongoose from "mongoose";
import type { AppContext } from "../context.js";
import { getServerSecret } from "../secrets.js";
import { forbidden, AppError, unauthorized, unavailable } from "../errors.js";
import { can, type Permission } from "../policies/permissions.js";
import { createCsrf, type Csrf } from "./csrf.js";
import { createPassport } from "./strategy.js";
import { SESSIONS_COLLECTION, startSessionSweeper, type SessionSweeper } from "./sessionSweeper.js";
import type { SessionUser } from "./types.js";

export type { SessionUser } from "./types.js";

export const SESSION_COOKIE = "understudy.sid";
const SESSION_TTL_S = 12 * 60 * 60;
const SESSION_SWEEP_MS = 10 * 60 * 1000;

export interface Auth {
  session: RequestHandler;
  passport: ReturnType<typeof createPassport>;
  csrf: Csrf;
  sessionSweeper: SessionSweeper;
}

const byContext = new WeakMap<AppContext, Auth>();

/** The auth pieces of one server; the agent socket namespace reuses the same session middleware. */
export function authFor(ctx: AppContext): Auth {
  const auth = byContext.get(ctx);
  if (!auth) throw new Error("attachAuth(app, ctx) must run before the gateway and routes that need it");
  return auth;
}

/** Sessions in MongoDB, passport and CSRF on /api. Must run before mountApi. */
export function attachAuth(app: express.Express, ctx: AppContext): Auth {
  const { config } = ctx;
  const secret = getServerSecret(config);
  const secure = config.PUBLIC_URL?.startsWith("https://") ?? false;
  // X-Forwarded-For / -Proto are believed only from the proxies named in TRUSTED_PROXIES (default: loopback).
  // "trust proxy 1" believed any client's first hop, so one that reached the app port directly and rotated
  // X-Forwarded-For was a new address on every request, and never throttled.
  app.set("trust proxy", trustedProxies(config.TRUSTED_PROXIES));
  const store = MongoStore.create({
    // The app's own connection: no second pool, and it works with the embedded FerretDB.
    clientPromise: Promise.resolve(mongoose.connection.getClient() as never),
    collectionName: SESSIONS_COLLECTION,
    ttl: SESSION_TTL_S,
    // Expired sessions are removed by startSessionSweeper (its comment says why not connect-mongo's own).
    autoRemove: "disabled",
    stringify: false,
  });
  const sessionMiddleware = session({
    name: SESSION_COOKIE,
    secret,
    store,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    cookie: { httpOnly: true, sameSite: "lax", secure, maxAge: SESSION_TTL_S * 1000 },
  });
  const passport = createPassport();
  const auth: Auth = {
    session: sessionMiddleware,
    passport,
    csrf: createCsrf(secret, secure),
    sessionSweeper: startSessionSweeper(SESSION_SWEEP_MS),
  };
  byContext.set(ctx, auth);

  // express-session skips loading (leaving req.session unset) while its store reports the database gone;
  // without this the caller would get a misleading 401 "sign in first" instead of "try again".
  const sessionsAvailable: express.RequestHandler = (req, _res, next) =>
    next(req.session ? undefined : unavailable("Sessions are unavailable while the database is unreachable; try again shortly"));
  app.use("/api", cookieParser(), sessionMiddleware, sessionsAvailable, passport.initialize(), passport.session(), (_req, res, next) => {
    res.locals.auth = auth;
    next();
  });
  return auth;
}

/** TRUSTED_PROXIES as express's "trust proxy": a list of addresses, CIDRs and names; "none" or empty trusts nobody. */
export function trustedProxies(value: string): string[] | false {
  const list = value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s && s !== "none");
  return list.length ? list : false;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Route guard: 401 without a session, 403 on a missing/stale CSRF token for a mutating request,
 * 403 when the role lacks the permission. Order matters: an anonymous caller learns nothing about CSRF.
 */
export function guard(permission?: Permission): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!req.user) return next(unauthorized());
    if (!SAFE_METHODS.has(req.method)) {
      const auth = res.locals.auth as Auth | undefined;
      if (!auth || !auth.csrf.isValid(req)) {
        return next(new AppError(403, "csrf_invalid", "Missing or stale CSRF token; fetch /api/auth/csrf and retry"));
      }
    }
    if (permission && !can(req.user, permission)) return next(forbidden());
    next();
  };
}

/** The signed-in user of a request that passed `guard`. */
export function currentUser(req: Request): SessionUser {
  if (!req.user) throw unauthorized();
  return req.user;
}
