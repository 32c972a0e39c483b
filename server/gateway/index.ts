import type { Server as SocketServer } from "socket.io";
import type { AppContext } from "../context.js";
import { attachCustomerNamespace } from "./customer/index.js";
import { attachAgentNamespace } from "./agent/index.js";

// Socket namespaces: /customer for the widget, /agent for the console. Each attaches itself here.
export function attachGateway(io: SocketServer, ctx: AppContext): void {
  void io;
  void ctx;
  attachCustomerNamespace(io, ctx);
  attachAgentNamespace(io, ctx);
}
