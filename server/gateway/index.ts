import type { Server as SocketServer } from "socket.io";
import type { AppContext } from "../context.js";

// Socket namespaces: /customer for the widget, /agent for the console. Each attaches itself here.
export function attachGateway(io: SocketServer, ctx: AppContext): void {
  void io;
  void ctx;
}
