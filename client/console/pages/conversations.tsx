import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { get, post } from "../api.js";
import { agentSocket, request } from "../socket.js";
import { beep, flashTitle, setUnreadBadge } from "../notify.js";
import type { Conversation, Message, User } from "../types.js";
import { Badge, ErrorNote, errorText, time } from "../ui.js";
import { ActionCallsPanel } from "../actions/callsPanel.js";

// Why the bot handed a conversation to a person, as the agent reads it.
const HANDOFF_REASONS: Record<string, string> = {
  out_of_scope: "out of scope — no answer in the bank fits this question",
  low_confidence: "low confidence — answers fit, but the model was not sure which",
  no_model: "no model is trained yet",
  unknown_answer: "the chosen answer no longer exists",
  model_error: "the model failed",
};

const STATUS_LABEL: Record<Conversation["status"], string> = { waiting: "Waiting", agent: "With agent", bot: "Bot", closed: "Closed" };

// Waiting first (longest wait on top), then by latest activity; closed ones drop out of the live list.
function ordered(list: Conversation[]): Conversation[] {
  const ts = (s: string | null) => (s ? Date.parse(s) : 0);
  return list
    .filter((c) => c.status !== "closed")
    .sort((a, b) => {
      if ((a.status === "waiting") !== (b.status === "waiting")) return a.status === "waiting" ? -1 : 1;
      if (a.status === "waiting") return ts(a.waitingSince) - ts(b.waitingSince);
      return ts(b.lastMessageAt) - ts(a.lastMessageAt);
    });
}

const newClientId = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(16).slice(2)}`);

export function ConversationsPage({ me, openId }: { me: User; openId: string | null }) {
  const [byId, setById] = useState<Map<string, Conversation>>(new Map());
  const [error, setError] = useState<string | null>(null);
  const statusSeen = useRef(new Map<string, string>());

  useEffect(() => {
    const socket = agentSocket();
    const load = () =>
      get<{ conversations: Conversation[] }>("/api/conversations").then(
        ({ conversations }) => {
          for (const c of conversations) statusSeen.current.set(c.id, c.status);
          setById(new Map(conversations.map((c) => [c.id, c])));
        },
        (err) => setError(errorText(err)),
      );
    void load();
    const onUpdate = (c: Conversation) => {
      const before = statusSeen.current.get(c.id);
      statusSeen.current.set(c.id, c.status);
      if (c.status === "waiting" && before !== "waiting") {
        beep();
        flashTitle("A customer is waiting");
      }
      // The socket sends the same full view as REST (server/presenters/conversation.ts), so it replaces the old one.
      setById((m) => new Map(m).set(c.id, c));
    };
    socket.on("conversation:updated", onUpdate);
    // After a reconnect the list may have missed updates: reload it.
    socket.on("connect", load);
    return () => {
      socket.off("conversation:updated", onUpdate);
      socket.off("connect", load);
    };
  }, []);

  const list = useMemo(() => ordered([...byId.values()]), [byId]);
  const unread = list.reduce((n, c) => n + (c.id === openId ? 0 : c.unreadByAgents), 0);
  useEffect(() => setUnreadBadge(unread), [unread]);

  return (
    <div class="split">
      <aside class="list" data-testid="conversation-list">
        <h2>
          Conversations <Badge>{list.length}</Badge>
        </h2>
        <ErrorNote error={error} />
        {list.length === 0 && <p class="muted">No open conversations.</p>}
        {list.map((c) => (
          <a
            key={c.id}
            href={`#/conversations/${c.id}`}
            class={`row ${c.id === openId ? "active" : ""} ${c.status}`}
            data-testid="conversation-row"
            data-status={c.status}
          >
            <div class="row-top">
              <strong>{c.customerName ?? `Visitor ${c.customerId.slice(-6)}`}</strong>
              <Badge tone={c.status}>{STATUS_LABEL[c.status]}</Badge>
              {c.unreadByAgents > 0 && c.id !== openId && (
                <span class="unread" data-testid="unread">
                  {c.unreadByAgents}
                </span>
              )}
            </div>
            <div class="preview">{c.lastMessagePreview}</div>
            <div class="muted small">
              {c.assignedAgentName ? `${c.assignedAgentName} · ` : ""}
              {time(c.lastMessageAt)}
            </div>
          </a>
        ))}
      </aside>
      <section class="detail">
        {openId ? (
          <ConversationView key={openId} id={openId} me={me} summary={byId.get(openId) ?? null} />
        ) : (
          <p class="muted">Pick a conversation.</p>
        )}
      </section>
    </div>
  );
}

function ConversationView({ id, me, summary }: { id: string; me: User; summary: Conversation | null }) {
  const [conversation, setConversation] = useState<Conversation | null>(summary);
  const [messages, setMessages] = useState<Message[]>([]);
  const [draft, setDraft] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [customerTyping, setCustomerTyping] = useState(false);
  const [approved, setApproved] = useState<Set<string>>(new Set());
  const bottom = useRef<HTMLDivElement>(null);
  const typingSent = useRef(false);

  useEffect(() => {
    if (summary) setConversation((c) => ({ ...(c ?? summary), ...summary }));
  }, [summary]);

  useEffect(() => {
    const socket = agentSocket();
    let lastSeq = 0;
    const open = () =>
      request<{ conversation: Conversation; messages: Message[] }>("conversation:open", { conversationId: id, afterSeq: lastSeq }).then(
        (res) => {
          setConversation(res.conversation);
          setMessages((ms) => merge(ms, res.messages));
          lastSeq = Math.max(lastSeq, ...res.messages.map((m) => m.seq));
          void request("conversation:read", { conversationId: id }).catch(() => undefined);
        },
        (err) => setError(errorText(err)),
      );
    void open();
    const onMessage = (m: Message) => {
      if (m.conversationId !== id) return;
      lastSeq = Math.max(lastSeq, m.seq);
      setMessages((ms) => merge(ms, [m]));
      if (m.role === "customer") {
        setCustomerTyping(false);
        if (document.hasFocus()) void request("conversation:read", { conversationId: id }).catch(() => undefined);
      }
    };
    const onTyping = (e: { conversationId: string; role: string; typing: boolean }) => {
      if (e.conversationId === id && e.role === "customer") setCustomerTyping(e.typing);
    };
    socket.on("message:new", onMessage);
    socket.on("message:updated", onMessage);
    socket.on("typing", onTyping);
    socket.on("connect", open);
    return () => {
      socket.off("message:new", onMessage);
      socket.off("message:updated", onMessage);
      socket.off("typing", onTyping);
      socket.off("connect", open);
      void request("conversation:leave", { conversationId: id }).catch(() => undefined);
    };
  }, [id]);

  useEffect(() => bottom.current?.scrollIntoView({ block: "end" }), [messages.length]);

  const mine = conversation?.status === "agent" && conversation.assignedAgentId === me.id;
  const act = async (event: string) => {
    setError(null);
    try {
      const res = await request<{ conversation: Conversation }>(event, { conversationId: id });
      setConversation(res.conversation);
    } catch (err) {
      setError(errorText(err));
    }
  };
  const typing = (on: boolean) => {
    if (!mine || typingSent.current === on) return;
    typingSent.current = on;
    void request("typing", { conversationId: id, typing: on }).catch(() => undefined);
  };
  const send = async (e: Event) => {
    e.preventDefault();
    const text = draft.trim();
    if (!text) return;
    setError(null);
    try {
      const res = await request<{ message: Message }>("message:send", { conversationId: id, clientId: newClientId(), text });
      setMessages((ms) => merge(ms, [res.message]));
      setDraft("");
      typing(false);
    } catch (err) {
      setError(errorText(err));
    }
  };
  const approveAgentReply = async (m: Message) => {
    setError(null);
    try {
      await post(`/api/reviews/${m.id}/approve`, {});
      setApproved((s) => new Set(s).add(m.id));
    } catch (err) {
      setError(errorText(err));
    }
  };

  if (!conversation) return <ErrorNote error={error ?? "Loading…"} />;
  return (
    <div class="conversation" data-testid="conversation-view">
      <header>
        <div>
          <h2>{conversation.customerName ?? `Visitor ${conversation.customerId.slice(-6)}`}</h2>
          <div class="muted small">
            <Badge tone={conversation.status}>{STATUS_LABEL[conversation.status]}</Badge>{" "}
            {conversation.assignedAgentName ? `with ${conversation.assignedAgentName}` : ""} {conversation.channel?.pageUrl ?? ""}
          </div>
        </div>
        <div class="actions">
          {(conversation.status === "waiting" || conversation.status === "bot") && (
            <button data-testid="takeover" onClick={() => act("conversation:takeover")}>
              Take over
            </button>
          )}
          {mine && (
            <button class="secondary" data-testid="handback" onClick={() => act("conversation:handback")}>
              Hand back to bot
            </button>
          )}
          {conversation.status !== "closed" && (
            <button class="danger" data-testid="close" onClick={() => act("conversation:close")}>
              Close
            </button>
          )}
        </div>
      </header>
      <ErrorNote error={error} />
      <div class="messages" data-testid="messages">
        {messages.map((m) => (
          <div key={m.id} class={`msg ${m.role}`} data-testid="message" data-role={m.role}>
            <div class="meta">
              {m.role === "bot" ? `Bot · ${m.bot?.modelVersion ?? ""} · ${Math.round((m.bot?.confidence ?? 0) * 100)}%` : m.role}
              {m.feedback && <span> · {m.feedback === "up" ? "👍" : "👎"}</span>}
              {" · "}
              {time(m.createdAt)}
            </div>
            <div class="text">{m.text}</div>
            {m.role === "system" && m.handoffReason && (
              <div class="muted small" data-testid="handoff-reason" data-reason={m.handoffReason}>
                Handed off: {HANDOFF_REASONS[m.handoffReason] ?? m.handoffReason}
              </div>
            )}
            {m.role === "agent" && !m.review?.status && !approved.has(m.id) && (
              <button class="link small" onClick={() => approveAgentReply(m)}>
                Approve as training pair
              </button>
            )}
            {(m.review?.status || approved.has(m.id)) && <div class="muted small">Reviewed: {m.review?.status ?? "approved"}</div>}
          </div>
        ))}
        {customerTyping && <div class="muted small">Customer is typing…</div>}
        <ActionCallsPanel conversationId={id} refreshKey={messages.length} />
        <div ref={bottom} />
      </div>
      {mine ? (
        <form class="composer" onSubmit={send}>
          <textarea
            data-testid="reply-input"
            value={draft}
            placeholder="Write a reply…"
            onInput={(e) => {
              setDraft(e.currentTarget.value);
              typing(e.currentTarget.value.length > 0);
            }}
            onBlur={() => typing(false)}
            onKeyDown={(e) => {
              if (e.key === "Enter" && !e.shiftKey) void send(e);
            }}
          />
          <button type="submit" data-testid="send">
            Send
          </button>
        </form>
      ) : (
        conversation.status !== "closed" && <p class="muted">Take over to reply; the bot stops replying while you have the conversation.</p>
      )}
    </div>
  );
}

function merge(current: Message[], incoming: Message[]): Message[] {
  const byId = new Map(current.map((m) => [m.id, m]));
  for (const m of incoming) byId.set(m.id, { ...byId.get(m.id), ...m });
  return [...byId.values()].sort((a, b) => a.seq - b.seq);
}
