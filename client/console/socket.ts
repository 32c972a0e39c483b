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

// Every /agent event acks `{ ok: true, ...result }` or `{ ok: false, error }` (server/gateway/ack.ts).
export type Ack<T> = ({ ok: true } & T) | { ok: false; error: { code: string; message: string } };

/** Emits with an ack; rejects with the server's error message when the ack says ok: false. */
export async function request<T extends object = Record<string, never>>(event: string, payload: unknown): Promise<T> {
  const res: Ack<T> | undefined = await agentSocket().timeout(10000).emitWithAck(event, payload);
  if (!res?.ok) throw new Error(res?.error.message ?? "Request failed");
  return res;
}
