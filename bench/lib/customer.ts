import http from "node:http";
import crypto from "node:crypto";
import { io, type Socket } from "socket.io-client";

// A widget customer as docs/events.md describes it: POST /api/widget/session, then socket.io on /customer.

export interface WireMessage {
  id: string;
  conversationId: string;
  seq: number;
  role: "customer" | "bot" | "agent" | "system";
  text: string;
  clientId: string;
  bot: { replyId: string } | null;
}

// The server allows 60 new widget identities a minute per address: customers are spread over loopback addresses.
const PER_ADDRESS = 50;

/** The loopback source address of the i-th customer, 50 to an address. */
export function loopbackAddress(i: number): string {
  return `127.0.${1 + Math.floor(i / PER_ADDRESS / 250)}.${2 + (Math.floor(i / PER_ADDRESS) % 250)}`;
}

/** POST /api/widget/session from a given loopback source address (the server limits new identities per IP). */
export function newSession(url: string, localAddress?: string): Promise<{ customerId: string; token: string }> {
  const u = new URL(`${url}/api/widget/session`);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        method: "POST",
        headers: { "content-type": "application/json" },
        localAddress,
        agent: false,
      },
      (res) => {
        let body = "";
        res.on("data", (d) => (body += d));
        res.on("end", () => {
          if (res.statusCode !== 200 && res.statusCode !== 201) reject(new Error(`widget session ${res.statusCode}: ${body}`));
          else resolve(JSON.parse(body));
        });
      },
    );
    req.on("error", reject);
    req.end("{}");
  });
}

export interface Reply {
  kind: "bot" | "handoff";
  message: WireMessage;
  question: WireMessage;
  conversationId: string;
  latencyMs: number;
}

interface Waiter {
  afterSeq: number;
  t0: number;
  question: WireMessage;
  resolve(r: Reply): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

export class Customer {
  socket!: Socket;
  customerId = "";
  token = "";
  /** Replies (bot or hand-off notice) seen per conversation, for loss/duplicate accounting. */
  repliesByConversation = new Map<string, number>();
  private early = new Map<string, WireMessage[]>();
  private waiters = new Map<string, Waiter>();
  connected = false;
  disconnects = 0;

  constructor(public url: string) {}

  async open(localAddress?: string): Promise<void> {
    const s = await newSession(this.url, localAddress);
    this.customerId = s.customerId;
    this.token = s.token;
    this.socket = io(`${this.url}/customer`, {
      auth: { token: this.token, language: "en", pageUrl: "https://bank.example/help" },
      transports: ["websocket"],
      forceNew: true,
      reconnectionDelay: 500,
      timeout: 60_000,
    });
    this.socket.on("message:new", (m: WireMessage) => this.onMessage(m));
    this.socket.on("disconnect", () => {
      this.connected = false;
      this.disconnects++;
    });
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error("socket connect timeout")), 120_000);
      this.socket.once("connect", () => {
        clearTimeout(t);
        this.connected = true;
        resolve();
      });
      this.socket.once("connect_error", (e) => {
        clearTimeout(t);
        reject(e);
      });
    });
    this.socket.on("connect", () => (this.connected = true));
  }

  private onMessage(m: WireMessage) {
    if (m.role !== "bot" && m.role !== "system") return;
    const w = this.waiters.get(m.conversationId);
    if (w && m.seq > w.afterSeq) {
      this.waiters.delete(m.conversationId);
      clearTimeout(w.timer);
      this.count(m.conversationId);
      w.resolve({
        kind: m.role === "bot" ? "bot" : "handoff",
        message: m,
        question: w.question,
        conversationId: m.conversationId,
        latencyMs: performance.now() - w.t0,
      });
      return;
    }
    if (!w) {
      const list = this.early.get(m.conversationId) ?? [];
      list.push(m);
      this.early.set(m.conversationId, list);
      if (this.asked.has(m.conversationId)) this.count(m.conversationId);
    }
  }

  private asked = new Set<string>();
  private count(conversationId: string) {
    this.repliesByConversation.set(conversationId, (this.repliesByConversation.get(conversationId) ?? 0) + 1);
  }

  /** Forget messages of a conversation the customer is done with (e.g. the agent's "closed" notice). */
  done(conversationId: string) {
    this.asked.delete(conversationId);
    this.early.delete(conversationId);
  }

  /**
   * Sends one question in a new conversation and resolves with the first bot reply or hand-off notice after it.
   * Rejects on a refused ack or a timeout.
   */
  async ask(text: string, timeoutMs = 60_000): Promise<Reply> {
    const clientId = `b-${crypto.randomUUID()}`;
    const t0 = performance.now();
    const ack = (await this.socket.timeout(timeoutMs).emitWithAck("message:send", { clientId, text })) as
      | { ok: true; message: WireMessage; conversation: { id: string }; duplicate: boolean }
      | { ok: false; error: { code: string; message: string; retryAfter?: number } };
    if (!ack.ok)
      throw Object.assign(new Error(`message:send refused: ${ack.error.code} ${ack.error.message}`), {
        code: ack.error.code,
        retryAfter: ack.error.retryAfter,
      });
    const conversationId = ack.conversation.id;
    this.asked.add(conversationId);
    const question = ack.message;
    return new Promise<Reply>((resolve, reject) => {
      const earlier = (this.early.get(conversationId) ?? []).find((m) => m.seq > question.seq);
      if (earlier) {
        this.early.delete(conversationId);
        this.count(conversationId);
        resolve({
          kind: earlier.role === "bot" ? "bot" : "handoff",
          message: earlier,
          question,
          conversationId,
          latencyMs: performance.now() - t0,
        });
        return;
      }
      const timer = setTimeout(() => {
        this.waiters.delete(conversationId);
        reject(new Error(`no reply within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.set(conversationId, { afterSeq: question.seq, t0, question, resolve, reject, timer });
    });
  }

  close() {
    this.socket?.close();
  }
}
