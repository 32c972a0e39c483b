import type { Server as SocketServer, Socket } from "socket.io";
import type { AppContext } from "../../context.js";
import { logger } from "../../logger.js";
import { getServerSecret } from "../../secrets.js";
import { CUSTOMER_NS } from "../broadcast.js";
import { createSocketLimiter, CUSTOMER_LIMITS, type SocketLimiterOptions } from "../rateLimit.js";
import { ackOf, dispatchEvent, sendError, type ErrorWording } from "../ack.js";
import { verifyCustomerToken } from "./customerToken.js";
import { customerHandlers, type CustomerSocketData } from "./handlers.js";
import { customerEvents, handshakeSchema, isCustomerEvent, WRITE_EVENTS, type CustomerEventName } from "./schema.js";

/** The widget's namespace. See docs/events.md for every event, payload and ack. */
export function attachCustomerNamespace(io: SocketServer, ctx: AppContext, limits: SocketLimiterOptions = CUSTOMER_LIMITS): void {
  const ns = io.of(CUSTOMER_NS);
  const secret = getServerSecret(ctx.config);

  ns.use((socket, next) => {
    const auth = handshakeSchema.safeParse(socket.handshake.auth ?? {});
    const customerId = auth.success ? verifyCustomerToken(secret, auth.data.token) : null;
    if (!auth.success || !customerId) {
      const err = new Error("Invalid or missing widget token; request one from POST /api/widget/session") as Error & { data?: unknown };
      err.data = { code: "unauthorized" };
      return next(err);
    }
    const socketData: CustomerSocketData = { customerId, language: auth.data.language ?? "en", pageUrl: auth.data.pageUrl ?? null };
    socket.data = socketData;
    next();
  });

  ns.on("connection", (socket) => {
    const limiter = createSocketLimiter(limits);
    logger.debug({ customerId: (socket.data as CustomerSocketData).customerId, socketId: socket.id }, "customer connected");

    // Runs before any listener: floods are refused here, unknown events are answered here.
    socket.use(([event, ...args], next) => {
      const ack = ackOf(args);
      const verdict = limiter.check(WRITE_EVENTS.has(event));
      if (!verdict.ok) {
        sendError(socket, event, ack, {
          code: "rate_limited",
          message: `Too many messages; try again in ${verdict.retryAfter}s`,
          retryAfter: verdict.retryAfter,
        });
        if (verdict.disconnect) {
          logger.warn(
            { customerId: (socket.data as CustomerSocketData).customerId, address: socket.handshake.address },
            "customer socket dropped for flooding",
          );
          socket.disconnect(true);
        }
        return;
      }
      if (!isCustomerEvent(event)) {
        sendError(socket, event, ack, { code: "unknown_event", message: `Unknown event "${String(event).slice(0, 64)}"` });
        return;
      }
      next();
    });

    for (const event of Object.keys(customerEvents) as CustomerEventName[]) {
      socket.on(event, (...args: unknown[]) => void dispatch(ctx, socket, event, args));
    }
  });
}

function dispatch(ctx: AppContext, socket: Socket, event: CustomerEventName, args: unknown[]): Promise<void> {
  const handler = customerHandlers[event] as (ctx: AppContext, socket: Socket, payload: unknown) => Promise<object>;
  return dispatchEvent(socket, event, args, customerEvents[event], (payload) => handler(ctx, socket, payload), WORDING);
}

// The widget shows these to customers, so they say what happens next rather than what broke.
const WORDING: ErrorWording = {
  namespace: CUSTOMER_NS,
  unavailable: "The chat is briefly unavailable; your message will be retried",
  internal: "Something went wrong; please try again",
};
