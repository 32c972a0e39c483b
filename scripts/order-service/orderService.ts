import http from "node:http";
import { SIGNATURE_HEADER, verifySignature } from "../../server/signing/index.js";

// A small order service for the demo and the tests: the kind of backend an "order status" action calls.
// It checks Understudy's signature like a real receiver would (and refuses unsigned, tampered or replayed
// calls), and can be told to be slow, down or to answer garbage.
export interface Order {
  number: string;
  status: string;
  eta: string;
  customerId?: string;
}

export type OrderServiceMode = "normal" | "slow" | "malformed" | "wrong_shape" | "error";

export interface OrderService {
  url: string;
  port: number;
  orders: Map<string, Order>;
  mode: OrderServiceMode;
  slowMs: number;
  // Every call that reached it, with whether the signature held.
  calls: { path: string; signature: ReturnType<typeof verifySignature>; body: unknown; requestId: string | undefined }[];
  setSecret(secret: string): void;
  close(): Promise<void>;
}

export const DEMO_ORDERS: Order[] = [
  { number: "4321", status: "on its way", eta: "Thursday" },
  { number: "1234", status: "delivered", eta: "Monday" },
  { number: "5555", status: "being packed", eta: "next week" },
];

export async function startOrderService(opts: { port?: number; secret?: string; orders?: Order[] } = {}): Promise<OrderService> {
  let secret = opts.secret ?? "";
  const service: OrderService = {
    url: "",
    port: 0,
    orders: new Map((opts.orders ?? DEMO_ORDERS).map((o) => [o.number, { ...o }])),
    mode: "normal",
    slowMs: 6000,
    calls: [],
    setSecret: (s) => (secret = s),
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
      const url = new URL(req.url ?? "/", "http://orders");
      const signedPayload = req.method === "GET" ? url.pathname + url.search : raw;
      const signature = verifySignature(secret, req.headers[SIGNATURE_HEADER] as string | undefined, signedPayload);
      let body: unknown;
      try {
        body = raw ? JSON.parse(raw) : null;
      } catch {
        body = null;
      }
      service.calls.push({ path: url.pathname, signature, body, requestId: req.headers["understudy-request-id"] as string | undefined });
      const send = (status: number, payload: string) => {
        if (res.destroyed) return;
        res.writeHead(status, { "content-type": "application/json" });
        res.end(payload);
      };
      if (!signature.ok) return send(401, JSON.stringify({ error: `signature ${signature.reason}` }));
      // GET /orders/<number>, or POST /orders/lookup with the number in the context's slots.
      const number =
        url.pathname === "/orders/lookup"
          ? ((body as { slots?: { order_number?: string } })?.slots?.order_number ?? "")
          : decodeURIComponent(url.pathname.match(/^\/orders\/([^/]+)$/)?.[1] ?? "");
      const order = service.orders.get(number);
      const answer = () => {
        if (service.mode === "error") return send(500, JSON.stringify({ error: "internal" }));
        if (service.mode === "malformed") return send(200, "{ not json");
        if (service.mode === "wrong_shape") return send(200, JSON.stringify({ order: { state: "???" } }));
        if (!order) return send(404, JSON.stringify({ error: "no such order" }));
        send(200, JSON.stringify({ order: { number: order.number, status: order.status, eta: order.eta, internalNote: "never shown" } }));
      };
      if (service.mode === "slow") setTimeout(answer, service.slowMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, "127.0.0.1", () => resolve()));
  service.port = (server.address() as { port: number }).port;
  service.url = `http://127.0.0.1:${service.port}`;
  return service;
}
