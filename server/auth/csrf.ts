import type { Request, Response } from "express";
import { doubleCsrf } from "csrf-csrf";

export const CSRF_HEADER = "x-csrf-token";

// Double-submit cookie bound to the session id: a token from before login (or another session)
// is stale after the session rotates, and a cross-site page can neither read the cookie nor set the header.
export function createCsrf(secret: string, secure: boolean) {
  const { generateCsrfToken, validateRequest } = doubleCsrf({
    getSecret: () => secret,
    getSessionIdentifier: (req) => req.sessionID ?? "",
    cookieName: secure ? "__Host-understudy.csrf" : "understudy.csrf",
    cookieOptions: { sameSite: "lax", path: "/", secure, httpOnly: true },
    getCsrfTokenFromRequest: (req) => req.get(CSRF_HEADER),
  });
  return {
    token: (req: Request, res: Response) => generateCsrfToken(req, res, { overwrite: true }),
    // Reuses the cookie's token when it still matches this session, so parallel tabs keep working.
    currentToken: (req: Request, res: Response) => {
      try {
        return generateCsrfToken(req, res, { overwrite: false, validateOnReuse: true });
      } catch {
        // The cookie belongs to an earlier session (e.g. before login): issue a fresh one.
        return generateCsrfToken(req, res, { overwrite: true });
      }
    },
    isValid: (req: Request) => validateRequest(req),
  };
}

export type Csrf = ReturnType<typeof createCsrf>;
