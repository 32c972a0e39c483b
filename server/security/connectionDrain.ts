import type { Server as SocketServer } from "socket.io";

/**
 * Counts socket events that are being handled (those sent with an ack) so a shutdown can wait for them:
 * a SIGTERM then lets every in-flight write reach the database and its ack reach the client, instead of
 * cutting both and leaving the widget to resend.
 */
export function trackSocketWork(io: SocketServer, namespaces: string[]) {
  let inFlight = 0;
  const waiters: (() => void)[] = [];
  const finished = () => {
    inFlight--;
    if (inFlight === 0) waiters.splice(0).forEach((w) => w());
  };
  for (const name of namespaces) {
    io.of(name).on("connection", (socket) => {
      socket.use((packet, next) => {
        const last = packet.length - 1;
        const ack = packet[last];
        if (last > 0 && typeof ack === "function") {
          inFlight++;
          let called = false;
          packet[last] = (...args: unknown[]) => {
            if (!called) {
              called = true;
              finished();
            }
            return (ack as (...a: unknown[]) => unknown)(...args);
          };
        }
        next();
      });
    });
  }
  return {
    inFlight: () => inFlight,
    /** Resolves when nothing is in flight, or after `timeoutMs` (a handler that never acks cannot hold shutdown). */
    drained(timeoutMs: number): Promise<void> {
      if (inFlight === 0) return Promise.resolve();
      return new Promise((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}
