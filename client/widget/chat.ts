import { io, type Socket } from "socket.io-client";
import type { Language } from "./i18n.js";
import { afterRefusal, keepUnsent, lastSeq, mergeMessage, nextUnsent, type ChatMessage, type Store } from "./store.js";

// The widget's connection: identity, resync on every (re)connect, and an outbox that survives reloads.
// Unsent messages keep their clientId across retries, so the server stores each one once.

export interface ChatEvents {
  change(): void;
  connection(state: "connecting" | "online" | "offline"): void;
  typing(active: boolean): void;
  notice(kind: "rateLimited" | "closed"): void;
}

interface AckError {
  code: string;
  message: string;
  retryAfter?: number;
}
type Ack<T> = ({ ok: true } & T) | { ok: false; error: AckError };
// The customer view of a conversation the server sends (server/presenters/conversation.ts).
interface ConversationState {
  id: string;
  status: string;
  agentAssigned: boolean;
}

const ACK_TIMEOUT_MS = 10_000;
const RETRY_WHILE_CONNECTED_MS = 3_000;

const uuid = () =>
  typeof crypto !== "undefined" && "randomUUID" in crypto
    ? crypto.randomUUID()
    : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`;

export interface SignedIdentity {
  id: string;
  expires: number;
  signature: string;
}

export function createChat(server: string, language: Language, store: Store, identity: SignedIdentity | null, on: ChatEvents) {
  let socket: Socket | null = null;
  let flushing = false;
  let typingSent = 0;
  let typingTimer: ReturnType<typeof setTimeout> | undefined;
  let agentTypingTimer: ReturnType<typeof setTimeout> | undefined;

  const messages = () => store.get().messages;
  const setMessages = (list: ChatMessage[]) => {
    store.update({ messages: list });
    on.change();
  };
  const merge = (m: ChatMessage) => setMessages(mergeMessage(messages(), m));

  async function session(): Promise<string> {
    const res = await fetch(`${server}/api/widget/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...(store.get().token ? { token: store.get().token } : {}), ...(identity ? { identity } : {}) }),
    });
    if (!res.ok) throw new Error(`session ${res.status}`);
    const body = (await res.json()) as { token: string; renewed: boolean; identityError?: { code: string; message: string } };
    // For the site's developer: the chat still works, anonymously.
    if (body.identityError) console.warn(`Understudy: ${body.identityError.message} (${body.identityError.code}); chatting anonymously`);
    // A new identity cannot read the old conversation: start clean.
    if (body.renewed && store.get().token) store.update({ conversationId: null, status: null, messages: keepUnsent(messages()) });
    store.update({ token: body.token });
    return body.token;
  }

  function emit<T>(event: string, payload: unknown): Promise<Ack<T>> {
    return new Promise((resolve) => {
      if (!socket?.connected) return resolve({ ok: false, error: { code: "offline", message: "offline" } });
      socket
        .timeout(ACK_TIMEOUT_MS)
        .emit(event, payload, (err: Error | null, res: Ack<T>) =>
          resolve(err ? { ok: false, error: { code: "timeout", message: err.message } } : res),
        );
    });
  }

  function applyConversation(c: { id: string; status: string; agentAssigned: boolean } | null) {
    if (!c) return;
    const before = store.get();
    if (before.conversationId === c.id && before.status !== "closed" && c.status === "closed") on.notice("closed");
    store.update({ conversationId: c.id, status: c.status, agentAssigned: c.agentAssigned });
    on.change();
  }

  async function sync() {
    const { conversationId } = store.get();
    const res = await emit<{ conversation: ConversationState | null; messages: ChatMessage[]; hasMore: boolean }>("conversation:sync", {
      conversationId,
      afterSeq: lastSeq(messages()),
    });
    if (!res.ok) {
      // The conversation is gone (e.g. the server's data was reset): forget it, keep unsent messages.
      if (res.error.code === "not_found") {
        store.update({ conversationId: null, status: null, messages: keepUnsent(messages()) });
        on.change();
      }
      return;
    }
    if (res.conversation && res.conversation.id !== conversationId) {
      store.update({ messages: keepUnsent(messages()) });
    }
    applyConversation(res.conversation);
    let list = messages();
    for (const m of res.messages) list = mergeMessage(list, m);
    setMessages(list);
    if (res.hasMore) await sync();
  }

  /** Sends queued messages one at a time, in order; stops when offline and resumes on reconnect. */
  async function flush() {
    if (flushing) return;
    flushing = true;
    try {
      for (;;) {
        const next = nextUnsent(messages());
        if (!next || !socket?.connected) return;
        const res = await emit<{ message: ChatMessage; conversation: ConversationState }>("message:send", {
          conversationId: store.get().conversationId,
          clientId: next.clientId,
          text: next.text,
        });
        if (res.ok) {
          const switched = res.conversation.id !== store.get().conversationId;
          applyConversation(res.conversation);
          if (switched) setMessages(keepUnsent(messages()));
          merge(res.message);
          continue;
        }
        const outcome = afterRefusal(res.error.code);
        if (outcome === "wait") {
          on.notice("rateLimited");
          await new Promise((r) => setTimeout(r, Math.max(1, res.error.retryAfter ?? 2) * 1000));
          continue;
        }
        if (outcome === "fail") {
          merge({ ...next, state: "failed", error: res.error.message });
          continue;
        }
        // The message stays queued for the next connect. While the socket stays up (the database restarted
        // behind a healthy server) no connect will come: try again later.
        if (socket?.connected) setTimeout(() => void flush(), RETRY_WHILE_CONNECTED_MS);
        return;
      }
    } finally {
      flushing = false;
    }
  }

  return {
    async start() {
      on.connection("connecting");
      let token: string;
      try {
        token = await session();
      } catch {
        on.connection("offline");
        setTimeout(() => void this.start(), 5000);
        return;
      }
      socket = io(`${server}/customer`, {
        auth: { token, language, pageUrl: location.href.slice(0, 2000) },
        transports: ["websocket", "polling"],
      });
      socket.on("connect", async () => {
        on.connection("online");
        await sync();
        await flush();
      });
      socket.on("disconnect", () => on.connection("offline"));
      socket.on("connect_error", async (err: Error & { data?: { code?: string } }) => {
        on.connection("offline");
        if (err.data?.code === "unauthorized" && socket) {
          // The server no longer accepts the token (its secret changed): get a new identity and retry.
          (socket.auth as { token: string }).token = await session().catch(() => "");
          socket.connect();
        }
      });
      socket.on("message:new", (m: ChatMessage) => {
        if (m.conversationId === store.get().conversationId) {
          merge(m);
          if (m.role === "agent") on.typing(false);
        }
      });
      socket.on("message:updated", (m: ChatMessage) => {
        if (messages().some((x) => x.id === m.id)) merge(m);
      });
      socket.on("conversation:updated", (c: ConversationState) => {
        if (c.id === store.get().conversationId) applyConversation(c);
      });
      socket.on("typing", (e: { conversationId: string; typing: boolean }) => {
        if (e.conversationId !== store.get().conversationId) return;
        clearTimeout(agentTypingTimer);
        on.typing(e.typing);
        // A lost "stopped typing" must not leave the indicator on forever.
        if (e.typing) agentTypingTimer = setTimeout(() => on.typing(false), 8000);
      });
    },

    send(text: string) {
      merge({ clientId: uuid(), role: "customer", text, createdAt: new Date().toISOString(), state: "pending" });
      this.typing(false);
      void flush();
    },

    retry(clientId: string) {
      const m = messages().find((x) => x.clientId === clientId);
      if (m) merge({ ...m, state: "pending", error: undefined });
      void flush();
    },

    feedback(id: string, value: "up" | "down" | null) {
      void emit<{ message: ChatMessage }>("message:feedback", { messageId: id, value }).then((res) => res.ok && merge(res.message));
    },

    /** Called on every keystroke; sends at most one "typing" every 2 s and a "stopped" after 3 s idle. */
    typing(active: boolean) {
      const conversationId = store.get().conversationId;
      if (!conversationId || !socket?.connected) return;
      clearTimeout(typingTimer);
      if (active) {
        if (Date.now() - typingSent > 2000) {
          typingSent = Date.now();
          socket.emit("typing", { conversationId, typing: true });
        }
        typingTimer = setTimeout(() => this.typing(false), 3000);
      } else if (typingSent) {
        typingSent = 0;
        socket.emit("typing", { conversationId, typing: false });
      }
    },
  };
}

export type Chat = ReturnType<typeof createChat>;
