import http from "node:http";
import { SIGNATURE_HEADER, verifySignature } from "../../server/signing/index.js";

export interface ReceivedEvent {
  key: string;
  event: string;
  signatureOk: boolean;
  body: { id: string; type: string; createdAt: string; data: Record<string, any> };
}

export interface WebhookReceiver {
  url: string;
  port: number;
  received: ReceivedEvent[];
  // What to answer: 200 (default), or a failing status to make the sender retry.
  status: number;
  // Record a delivery, then wait this long before answering (a sender killed meanwhile never hears back).
  holdMs: number;
  setSecret(secret: string): void;
  /** Distinct idempotency keys seen, in first-arrival order. */
  keys(): string[];
  close(): Promise<void>;
}

/** A real HTTP receiver that checks each delivery's signature as a subscriber would. */
export async function startWebhookReceiver(port = 0): Promise<WebhookReceiver> {
  let secret = "";
  const r: WebhookReceiver = {
    url: "",
    port: 0,
    received: [],
    status: 200,
    holdMs: 0,
    setSecret: (s) => (secret = s),
    keys: () => [...new Set(r.received.map((e) => e.key))],
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      const signatureOk = verifySignature(secret, req.headers[SIGNATURE_HEADER] as string, raw).ok;
      if (r.status === 200)
        r.received.push({
          key: String(req.headers["understudy-idempotency-key"]),
          event: String(req.headers["understudy-event"]),
          signatureOk,
          body: JSON.parse(raw),
        });
      const answer = () => !res.destroyed && res.writeHead(signatureOk ? r.status : 401).end();
      if (r.holdMs) setTimeout(answer, r.holdMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", () => resolve()));
  r.port = (server.address() as { port: number }).port;
  r.url = `http://127.0.0.1:${r.port}`;
  return r;
}
