// What survives a page reload: identity, the current conversation, recent history and unsent messages.
// Kept in localStorage under a key per server, so two widgets of different servers do not collide.

export type Role = "customer" | "bot" | "agent" | "system";

export interface ChatMessage {
  clientId: string;
  role: Role;
  text: string;
  createdAt: string;
  id?: string;
  conversationId?: string;
  seq?: number;
  bot?: { replyId: string } | null;
  feedback?: "up" | "down" | null;
  // Local states of the customer's own messages before the server has stored them.
  state?: "pending" | "failed";
  error?: string;
}

export interface Saved {
  token: string | null;
  conversationId: string | null;
  status: string | null;
  agentAssigned: boolean;
  messages: ChatMessage[];
  open: boolean;
}

const KEEP = 200;

export function createStore(server: string) {
  const key = `understudy:${server}`;
  const empty = (): Saved => ({ token: null, conversationId: null, status: null, agentAssigned: false, messages: [], open: false });
  let saved: Saved = empty();
  try {
    const raw = localStorage.getItem(key);
    if (raw) saved = { ...saved, ...(JSON.parse(raw) as Partial<Saved>) };
  } catch {
    // Private mode or a corrupt entry: start fresh rather than break the page.
  }
  return {
    get: () => saved,
    update(patch: Partial<Saved>) {
      saved = { ...saved, ...patch };
      try {
        localStorage.setItem(key, JSON.stringify({ ...saved, messages: saved.messages.slice(-KEEP) }));
      } catch {
        // Quota exceeded: the session still works, only reload-survival is lost.
      }
    },
  };
}

export type Store = ReturnType<typeof createStore>;

/** Merges a stored message into the list: replaces its pending copy (same clientId) and keeps seq order. */
export function mergeMessage(list: ChatMessage[], m: ChatMessage): ChatMessage[] {
  const rest = list.filter((x) => x.clientId !== m.clientId && (m.id === undefined || x.id !== m.id));
  const stored = rest.filter((x) => x.seq !== undefined);
  const local = rest.filter((x) => x.seq === undefined);
  stored.push(m);
  stored.sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
  return m.seq === undefined ? [...stored.filter((x) => x !== m), ...local, m] : [...stored, ...local];
}

export function lastSeq(list: ChatMessage[]): number {
  return list.reduce((max, m) => (m.seq !== undefined && m.seq > max ? m.seq : max), 0);
}

// The unsent queue: the customer's messages the server has not acknowledged yet. They live in the message list
// with a local `state`, so they survive a reload (the store) and show in place while they wait.

/** The next message to send: the oldest still pending, so messages go out in the order they were typed. */
export function nextUnsent(list: ChatMessage[]): ChatMessage | undefined {
  return list.find((m) => m.state === "pending");
}

/** What stays when the server moves the widget to another conversation: only what this page has not sent yet. */
export function keepUnsent(list: ChatMessage[]): ChatMessage[] {
  return list.filter((m) => m.state);
}

/**
 * What a refused send means for the queued message: wait and resend (rate limited), give up on it with the
 * server's reason (the message itself is wrong, or its conversation is gone), or keep it for a later try (offline,
 * timeout, the database briefly unavailable).
 */
export function afterRefusal(code: string): "wait" | "fail" | "keep" {
  if (code === "rate_limited") return "wait";
  if (code === "invalid_input" || code === "not_found") return "fail";
  return "keep";
}
