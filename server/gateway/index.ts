import type { Server as SocketServer } from "socket.io";
import type { AppContext } from "../context.js";
import { attachCustomerNamespace } from "./customer/index.js";
import { attachAgentNamespace } from "./agent/index.js";
import { attachBroadcaster } from "./broadcast.js";

// Socket namespaces: /customer for the widget, /agent for the console; the broadcaster sends both what changed.
export function attachGateway(io: SocketServer, ctx: AppContext): void {
  attachCustomerNamespace(io, ctx);
  attachAgentNamespace(io, ctx);
  attachBroadcaster(io, ctx.events);
}
