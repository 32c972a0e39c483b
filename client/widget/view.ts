import { h } from "./dom.js";
import type { Strings } from "./i18n.js";
import type { ChatMessage } from "./store.js";
import { css } from "./styles.js";

export interface ViewOptions {
  title: string;
  color: string;
  lang: string;
  t: Strings;
  onSend(text: string): void;
  onRetry(clientId: string): void;
  onFeedback(id: string, value: "up" | "down" | null): void;
  onTyping(): void;
  onToggle(open: boolean): void;
}

const MAX = 4000;
const icon =
  '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/></svg>';

/** Builds the widget inside a shadow root and returns functions to update it. */
export function createView(host: HTMLElement, o: ViewOptions) {
  const { t } = o;
  const root = host.attachShadow({ mode: "open" });
  const badge = h("span", { class: "badge", hidden: true, "aria-hidden": "true" });
  const bubble = h("button", {
    class: "bubble",
    type: "button",
    "aria-label": t.open,
    "aria-expanded": "false",
    "aria-controls": "us-panel",
  });
  bubble.innerHTML = icon; // static markup, no user data
  bubble.append(badge);
  const status = h("span", { class: "status", role: "status" }, t.connecting);
  const closeBtn = h("button", { class: "x", type: "button", "aria-label": t.close }, "×");
  const log = h("div", {
    class: "log",
    role: "log",
    "aria-live": "polite",
    "aria-relevant": "additions",
    tabindex: "0",
    "aria-label": o.title,
  });
  const typing = h("div", { class: "typing", "aria-live": "polite" });
  const note = h("div", { class: "note", role: "alert" });
  const input = h("textarea", { id: "us-input", rows: "1", maxlength: String(MAX), placeholder: t.placeholder, autocomplete: "off" });
  const label = h("label", { class: "sr", for: "us-input" }, t.inputLabel);
  const sendBtn = h("button", { class: "send", type: "submit" }, t.send);
  const form = h("form", {}, label, input, sendBtn);
  const panel = h(
    "section",
    { class: "panel", id: "us-panel", role: "dialog", "aria-labelledby": "us-title", hidden: true, lang: o.lang },
    h("header", {}, h("div", { style: "flex:1" }, h("h2", { id: "us-title" }, o.title), status), closeBtn),
    log,
    typing,
    note,
    form,
  );
  root.append(h("style", {}, css(o.color)), bubble, panel);

  let open = false;
  let unread = 0;
  const loadedAt = Date.now() - 2000;
  const nodes = new Map<string, HTMLElement>();
  const signature = new Map<string, string>();

  function setOpen(next: boolean, focus = true) {
    open = next;
    panel.hidden = !open;
    bubble.setAttribute("aria-expanded", String(open));
    bubble.setAttribute("aria-label", open ? t.close : t.open);
    if (open) {
      unread = 0;
      badge.hidden = true;
      log.scrollTop = log.scrollHeight;
      if (focus) input.focus();
    } else if (focus) bubble.focus();
    o.onToggle(open);
  }

  bubble.addEventListener("click", () => setOpen(!open));
  closeBtn.addEventListener("click", () => setOpen(false));
  panel.addEventListener("keydown", (e) => {
    if (e.key === "Escape") setOpen(false);
  });
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      form.requestSubmit();
    }
  });
  input.addEventListener("input", () => {
    note.textContent = "";
    o.onTyping();
  });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    if (text.length > MAX) {
      note.textContent = t.tooLong;
      return;
    }
    input.value = "";
    o.onSend(text);
  });

  function renderMessage(m: ChatMessage, el: HTMLElement) {
    el.className = `msg ${m.role}${m.state === "failed" ? " failed" : ""}`;
    const who = { customer: t.you, bot: t.bot, agent: t.agent, system: t.system }[m.role];
    el.replaceChildren(h("span", { class: m.role === "customer" || m.role === "system" ? "sr" : "who" }, `${who}: `), m.text);
    if (m.state) {
      el.append(h("span", { class: "meta" }, m.state === "failed" ? `${t.failed}${m.error ? ` — ${m.error}` : ""}` : t.sending));
      if (m.state === "failed") el.append(h("button", { type: "button", class: "x", onclick: () => o.onRetry(m.clientId) }, t.retry));
    }
    if (m.role === "bot" && m.id) {
      const id = m.id;
      const fb = (value: "up" | "down", text: string, label: string) =>
        h(
          "button",
          {
            type: "button",
            "aria-label": label,
            "aria-pressed": String(m.feedback === value),
            onclick: () => o.onFeedback(id, m.feedback === value ? null : value),
          },
          text,
        );
      el.append(h("div", { class: "fb" }, fb("up", "👍", t.helpful), fb("down", "👎", t.notHelpful)));
    }
  }

  return {
    setOpen,
    isOpen: () => open,
    setStatus(text: string) {
      status.textContent = text;
    },
    setTyping(active: boolean) {
      typing.textContent = active ? t.typing : "";
    },
    setNote(text: string) {
      note.textContent = text;
    },
    /** Keyed update: existing nodes are kept so screen readers only announce new messages. */
    render(messages: ChatMessage[], offline: boolean) {
      const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
      const keep = new Set(messages.map((m) => m.clientId));
      for (const [k, el] of nodes) {
        if (keep.has(k)) continue;
        el.remove();
        nodes.delete(k);
        signature.delete(k);
      }
      if (messages.length === 0 && !log.firstChild) log.append(h("div", { class: "msg hello" }, t.greeting));
      let added = 0;
      let prev: Element | null = log.querySelector(".hello");
      for (const m of messages) {
        let el = nodes.get(m.clientId);
        if (!el) {
          el = h("div", {});
          nodes.set(m.clientId, el);
          // Only what arrives while the page is open counts as unread, not history restored on load.
          if (m.role !== "customer" && Date.parse(m.createdAt) > loadedAt) added++;
        }
        const sig = JSON.stringify([m.text, m.state, m.error, m.feedback, m.id, offline && m.state === "pending"]);
        if (signature.get(m.clientId) !== sig) {
          renderMessage(m, el);
          if (offline && m.state === "pending") el.querySelector(".meta")!.textContent = t.queued;
          signature.set(m.clientId, sig);
        }
        const want = prev ? prev.nextSibling : log.firstChild;
        if (want !== el) log.insertBefore(el, want);
        prev = el;
      }
      if (atBottom || open) log.scrollTop = log.scrollHeight;
      if (!open && added > 0) {
        unread += added;
        badge.hidden = false;
        badge.textContent = String(unread);
        bubble.setAttribute("aria-label", `${t.open} (${unread} ${t.newMessages})`);
      }
    },
  };
}
