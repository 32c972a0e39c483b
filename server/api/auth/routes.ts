import { Router, type Request, type Response } from "express";
import { rateLimit } from "express-rate-limit";
import type { AppContext } from "../../context.js";
import { authFor, currentUser, guard, SESSION_COOKIE } from "../../auth/index.js";
import type { LoginFailure } from "../../auth/strategy.js";
import { inviteAccepter } from "../../auth/userCreator.js";
import { audit } from "../../audit/index.js";
import { AGENT_NS } from "../../gateway/broadcast.js";
import { sessionRoom } from "../../gateway/agent/index.js";
import { User } from "../../models/user.js";
import { AppError, unauthorized, valid, validate } from "../../errors.js";
import { presentUser } from "../../presenters/user.js";
import { loginThrottle } from "../../auth/loginThrottle.js";
import { authSchemas as s } from "./schema.js";
import type { SessionUser } from "../../auth/types.js";

async function sessionBody(req: Request, res: Response, ctx: AppContext) {
  const user = await User.findById(currentUser(req).id).lean();
  if (!user) throw unauthorized();
  return { user: presentUser(user), csrfToken: authFor(ctx).csrf.currentToken(req, res) };
}

export function authRouter(ctx: AppContext): Router {
  const router = Router();
  const auth = authFor(ctx);

  // Invite tokens are long random secrets; this only stops someone hammering the route from one address.
  const inviteLimiter = rateLimit({
    windowMs: 15 * 60 * 1000,
    limit: 20,
    skipSuccessfulRequests: true,
    standardHeaders: "draft-8",
    legacyHeaders: false,
    handler: (_req, _res, next) => next(new AppError(429, "rate_limited", "Too many failed attempts from this address; try again later")),
  });

  // Not CSRF-checked: there is no session to ride yet, and the session is rotated on success.
  // Validation runs first, so a malformed body is a 400 that costs the address nothing. req.ip is the
  // client's address as seen through TRUSTED_PROXIES only (server/auth/index.ts).
  router.post("/login", validate(s.login), async (req, res, next) => {
    const { body } = valid(req, s.login);
    const address = req.ip ?? "unknown";
    const admission = await loginThrottle.admit(body.email, address);
    if (!admission.admitted) {
      res.setHeader("Retry-After", String(Math.max(1, Math.ceil(admission.retryAfterMs / 1000))));
      throw new AppError(429, "rate_limited", "Too many failed sign-ins for this email from this address; try again later");
    }
    auth.passport.authenticate("local", (err: unknown, user: SessionUser | false, _info?: LoginFailure) => {
      if (err) return next(err);
      if (!user) {
        // Wrong password, unknown email and disabled account answer alike.
        return void loginThrottle
          .failed(address)
          .then(
            () =>
              next(
                admission.addressLimited
                  ? new AppError(
                      429,
                      "rate_limited",
                      "Too many failed sign-ins from this address; only a correct password gets through for now",
                    )
                  : new AppError(401, "invalid_credentials", "Wrong email or password"),
              ),
            next,
          );
      }
      // passport regenerates the session here: a session id planted before login is worthless after it.
      void loginThrottle.succeeded(body.email, address).then(
        () =>
          req.login(user, (loginErr) => {
            if (loginErr) return next(loginErr);
            void audit(user, "auth.login", { type: "user", id: user.id })
              .then(() => sessionBody(req, res, ctx))
              .then((b) => res.json(b), next);
          }),
        next,
      );
    })(req, res, next);
  });

  router.post("/logout", guard(), (req, res, next) => {
    const user = currentUser(req);
    // The console's sockets ride this session: cut them off with it.
    ctx.io.of(AGENT_NS).in(sessionRoom(req.sessionID)).disconnectSockets(true);
    req.logout((err) => {
      if (err) return next(err);
      req.session.destroy(() => {
        res.clearCookie(SESSION_COOKIE);
        void audit(user, "auth.logout", { type: "user", id: user.id }).then(() => res.status(204).end(), next);
      });
    });
  });

  router.get("/session", guard(), async (req, res) => {
    res.json(await sessionBody(req, res, ctx));
  });

  router.get("/csrf", guard(), (req, res) => {
    res.json({ csrfToken: auth.csrf.currentToken(req, res) });
  });

  // The invite token is the credential here, so no session or CSRF token is needed.
  router.post("/invite/accept", inviteLimiter, validate(s.acceptInvite), async (req, res) => {
    const { body } = valid(req, s.acceptInvite);
    const user = await inviteAccepter(body.token, body.password);
    await audit({ id: String(user._id), email: user.email }, "user.accept_invite", { type: "user", id: String(user._id) });
    res.status(204).end();
  });

  return router;
}
