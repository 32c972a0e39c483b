import { io as connect, type Socket } from "socket.io-client";

export interface WidgetSession {
  customerId: string;
  token: string;
}

/** Asks the server for a widget identity the way the widget does. */
export async function newWidgetSession(url: string, token?: string): Promise<WidgetSession> {
  const res = await fetch(`${url}/api/widget/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(token ? { token } : {}),
  });
  if (!res.ok) throw new Error(`session request failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as WidgetSession;
}

export interface TestSocket {
  socket: Socket;
  /** Emits with an acknowledgement and resolves with the ack payload. */
  request<T = any>(event: string, payload?: unknown, timeoutMs?: number): Promise<T>;
  /** Resolves with the next `event` whose payload satisfies `match`. */
  // `match` is typed loosely on purpose: a predicate's parameter type must not narrow what is returned.
  next<T = any>(event: string, match?: (payload: any) => boolean, timeoutMs?: number): Promise<T>;
  /** Every payload of `event` received so far. */
  received<T = any>(event: string): T[];
  close(): void;
}

/** A socket.io client on `/customer` (or another namespace, e.g. `/agent` with a session cookie header), connected, recording what it receives. */
export async function connectSocket(
  url: string,
  auth: Record<string, unknown>,
  ns = "/customer",
  extraHeaders: Record<string, string> = {},
): Promise<TestSocket> {
  const socket = connect(`${url}${ns}`, { auth, extraHeaders, transports: ["websocket"], reconnection: false, forceNew: true });
  const log = new Map<string, unknown[]>();
  socket.onAny((event: string, payload: unknown) => {
    if (!log.has(event)) log.set(event, []);
    log.get(event)!.push(payload);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", (err) => reject(err));
  });
  return {
    socket,
    request(event, payload, timeoutMs = 5000) {
      return socket.timeout(timeoutMs).emitWithAck(event, payload);
    },
    next(event, match = () => true, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          socket.off(event, listener);
          reject(new Error(`timed out waiting for "${event}"`));
        }, timeoutMs);
        const listener = (payload: any) => {
          if (!match(payload)) return;
          clearTimeout(timer);
          socket.off(event, listener);
          resolve(payload);
        };
        socket.on(event, listener);
      });
    },
    received(event) {
      return (log.get(event) ?? []) as any[];
    },
    close() {
      socket.disconnect();
    },
  };
}

export async function connectCustomer(url: string, session?: WidgetSession, extraAuth: Record<string, unknown> = {}) {
  const s = session ?? (await newWidgetSession(url));
  const socket = await connectSocket(url, { token: s.token, ...extraAuth });
  return { session: s, ...socket };
}
