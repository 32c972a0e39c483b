import type { RequestHandler } from "express";
import helmet from "helmet";
import type { Config } from "../config.js";

/**
 * Security headers for everything the server answers. The CSP is written for what the pages really do:
 * - scripts only from this origin (the widget, console and demo pages have no inline script);
 * - inline styles allowed: the console page has a <style> block, the widget puts a <style> into its
 *   shadow root and preact sets style attributes, none of which can run code;
 * - connect-src 'self' covers the same-origin socket.io WebSocket (CSP3 matches ws:/wss: for 'self').
 * The widget on a customer's site runs under that site's CSP, not this one; what this server must allow
 * for it is loading widget.js cross-origin (Cross-Origin-Resource-Policy below).
 */
export function securityHeaders(config: Pick<Config, "PUBLIC_URL">): RequestHandler[] {
  const https = config.PUBLIC_URL?.startsWith("https://") ?? false;
  const headers = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", "data:"],
        fontSrc: ["'self'", "data:"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        scriptSrcAttr: ["'none'"],
        // Only behind https: on plain http (local installs, tests) it would break every subresource.
        ...(https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    strictTransportSecurity: https ? { maxAge: 180 * 24 * 3600, includeSubDomains: false } : false,
    crossOriginResourcePolicy: { policy: "same-origin" },
    // The same frame policy as frame-ancestors 'none', for browsers that only read this header.
    xFrameOptions: { action: "deny" },
    referrerPolicy: { policy: "strict-origin-when-cross-origin" },
  });
  // The embed script is loaded by other sites' pages: same-origin CORP would make the browser refuse it.
  const embeddable: RequestHandler = (req, res, next) => {
    if (/^\/widget\.js(\.map)?$/.test(req.path)) res.setHeader("Cross-Origin-Resource-Policy", "cross-origin");
    // API answers carry conversations, users and tokens: no browser or proxy cache keeps them.
    if (req.path.startsWith("/api/")) res.setHeader("Cache-Control", "no-store");
    next();
  };
  return [headers, embeddable];
}
