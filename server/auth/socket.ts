import type { Socket } from "socket.io";
import type { Request, Response } from "express";
import type { AppContext } from "../context.js";
import { can, type Permission } from "../policies/permissions.js";
import { authFor } from "./index.js";
import type { SessionUser } from "./types.js";

/**
 * Socket.io middleware: runs the HTTP session and passport on the handshake, so a namespace
 * requires the very session the REST API uses. Rejects with "unauthorized" / "forbidden".
 */
export function socketSession(ctx: AppContext, permission: Permission) {
  const auth = authFor(ctx);
  const run = (mw: (req: Request, res: Response, next: (err?: unknown) => void) => void, socket: Socket) =>
    new Promise<void>((resolve, reject) => {
      // express-session only needs res.end/setHeader on the response; the handshake has none to write.
      const res = { getHeader() {}, setHeader() {}, end() {} } as unknown as Response;
      mw(socket.request as Request, res, (err?: unknown) => (err ? reject(err) : resolve()));
    });
  const publicOrigin = ctx.config.PUBLIC_URL ? new URL(ctx.config.PUBLIC_URL).origin : null;
  return async (socket: Socket, next: (err?: Error) => void) => {
    // Cross-site WebSocket hijacking: a browser always sends Origin, and a page elsewhere must not ride
    // the console's cookie. Non-browser clients send none and still need the session cookie.
    const origin = socket.handshake.headers.origin;
    if (origin && !sameOrigin(origin, socket.handshake.headers.host, publicOrigin)) {
      return next(
        Object.assign(new Error("forbidden"), { data: { code: "forbidden", message: "Cross-origin console connections are refused" } }),
      );
    }
    try {
      await run(auth.session as never, socket);
      await run(auth.passport.initialize() as never, socket);
      await run(auth.passport.session() as never, socket);
      const user = (socket.request as Request).user as SessionUser | undefined;
      if (!user) return next(Object.assign(new Error("unauthorized"), { data: { code: "unauthorized" } }));
      if (!can(user, permission)) return next(Object.assign(new Error("forbidden"), { data: { code: "forbidden" } }));
      socket.data.user = user;
      next();
    } catch (err) {
      next(err as Error);
    }
  };
}

function sameOrigin(origin: string, host: string | undefined, publicOrigin: string | null): boolean {
  if (publicOrigin && origin === publicOrigin) return true;
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}

export function socketUser(socket: Socket): SessionUser {
  return socket.data.user as SessionUser;
}
