import { io, type Socket } from "socket.io-client";

// One /agent socket per signed-in console; the session cookie authenticates the handshake.
let socket: Socket | null = null;

export function agentSocket(): Socket {
  socket ??= io("/agent", { withCredentials: true, transports: ["websocket", "polling"] });
  return socket;
}

export function closeAgentSocket(): void {
  socket?.disconnect();
  socket = null;
}

/** Emits with an ack; rejects with the server's error message when the ack says ok: false. */
export async function request<T = any>(event: string, payload: unknown): Promise<T> {
  const res = await agentSocket().timeout(10000).emitWithAck(event, payload);
  if (!res?.ok) throw new Error(res?.error?.message ?? "Request failed");
  return res as T;
}
