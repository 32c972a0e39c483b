import type { Server as SocketServer, Socket } from "socket.io";
import type { Request } from "express";
import type { AppContext } from "../../context.js";
import { socketSession, socketUser } from "../../auth/socket.js";
import { DATABASE_UNAVAILABLE } from "../../errors.js";
import { AGENT_NS, AGENTS_ROOM } from "../broadcast.js";
import { ackOf, dispatchEvent, sendError, type ErrorWording } from "../ack.js";
import { agentHandlers } from "./handlers.js";
import { agentEvents, isAgentEvent, type AgentEventName } from "./schema.js";

export const userRoom = (userId: string) => `user:${userId}`;
export const sessionRoom = (sessionId: string) => `session:${sessionId}`;

/**
 * The console's namespace. The handshake must carry the console's session cookie (same session as the
 * REST API); every socket joins `agents` (the live list), its user's room (disable → disconnect) and its
 * session's room (logout → disconnect).
 */
export function attachAgentNamespace(io: SocketServer, ctx: AppContext): void {
  const ns = io.of(AGENT_NS);
  ns.use(socketSession(ctx, "conversations.read"));

  ns.on("connection", (socket) => {
    const user = socketUser(socket);
    const sessionId = (socket.request as Request).sessionID;
    void socket.join([AGENTS_ROOM, userRoom(user.id), ...(sessionId ? [sessionRoom(sessionId)] : [])]);
    socket.use(([event, ...args], next) => {
      if (isAgentEvent(event)) return next();
      sendError(socket, String(event), ackOf(args), { code: "unknown_event", message: `Unknown event "${String(event).slice(0, 64)}"` });
    });
    for (const event of Object.keys(agentEvents) as AgentEventName[]) {
      socket.on(event, (...args: unknown[]) => void dispatch(ctx, socket, event, args));
    }
  });
}

const WORDING: ErrorWording = { namespace: AGENT_NS, unavailable: DATABASE_UNAVAILABLE, internal: "Internal error" };

function dispatch(ctx: AppContext, socket: Socket, event: AgentEventName, args: unknown[]): Promise<void> {
  const handler = agentHandlers[event] as (c: AppContext, s: Socket, p: unknown) => Promise<Record<string, unknown>>;
  return dispatchEvent(socket, event, args, agentEvents[event], (payload) => handler(ctx, socket, payload), WORDING);
}
