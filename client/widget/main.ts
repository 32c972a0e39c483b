import { createChat } from "./chat.js";
import { stringsFor } from "./i18n.js";
import { createStore } from "./store.js";
import { createView } from "./view.js";

// Embed: <script src="https://support.example.com/widget.js" data-server="https://support.example.com"
//          data-title="Acme support" data-color="#0f766e" data-lang="en|zh-CN" async></script>
// Every attribute is optional; the server defaults to where the script came from. A site with signed-in
// customers adds data-customer-id, data-customer-expires and data-customer-signature (docs/actions.md).

// Only valid while this script first runs, so read it now, not in boot().
const current = document.currentScript as HTMLScriptElement | null;

function boot() {
  const script = current ?? document.querySelector<HTMLScriptElement>("script[data-understudy], script[src*='widget.js']");
  const data = script?.dataset ?? {};
  const server = (data.server || (script?.src ? new URL(script.src, location.href).origin : location.origin)).replace(/\/+$/, "");
  const { lang, t } = stringsFor(data.lang || document.documentElement.lang || navigator.language);
  const color = data.color && CSS.supports("color", data.color) ? data.color : "#2563eb";
  const title = data.title || t.title;

  const w = window as unknown as { __understudyWidget?: boolean };
  if (w.__understudyWidget) return; // embedded twice: keep the first
  w.__understudyWidget = true;

  const store = createStore(server);
  let connection: "connecting" | "online" | "offline" = "connecting";
  const expires = Number(data.customerExpires);
  const identity =
    data.customerId && data.customerSignature && Number.isInteger(expires)
      ? { id: data.customerId, expires, signature: data.customerSignature }
      : null;
  const chat = createChat(server, lang, store, identity, {
    change: () => draw(),
    connection(state) {
      connection = state;
      view.setStatus(state === "online" ? t.online : state === "offline" ? t.offline : t.connecting);
      draw();
    },
    typing: (active) => view.setTyping(active),
    notice(kind) {
      if (kind === "closed") view.setNote(t.closed);
      if (kind === "rateLimited") view.setNote(t.rateLimited);
    },
  });

  const host = document.createElement("div");
  host.id = "understudy-widget";
  document.body.append(host);
  const view = createView(host, {
    title,
    color,
    lang,
    t,
    onSend: (text) => chat.send(text),
    onRetry: (id) => chat.retry(id),
    onFeedback: (id, v) => chat.feedback(id, v),
    onTyping: () => chat.typing(true),
    onToggle: (open) => store.update({ open }),
  });
  const draw = () => view.render(store.get().messages, connection === "offline");

  draw();
  if (store.get().open) view.setOpen(true, false);
  void chat.start();
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot, { once: true });
else boot();
