import { useEffect, useState } from "preact/hooks";
import { get, patch, post } from "../api.js";
import { Badge, ErrorNote, errorText } from "../ui.js";
import { CallList, type ActionCallView } from "./callsPanel.js";

interface ActionView {
  id: string;
  name: string;
  url: string;
  method: "GET" | "POST";
  headers: { name: string; secret: boolean; value: string | null; set?: boolean }[];
  timeoutMs: number;
  fields: { path: string; type: string; required: boolean }[];
  replyFields: string[];
  requiresVerifiedCustomer: boolean;
  status: string;
  version: number;
}

// Plain-text editors keep the form small: one field per line as `path:type` (a trailing ? = optional), one
// header per line as `Name: value` (prefix `secret ` to keep the value server-side).
const parseFields = (text: string) =>
  text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const [path, type = "string"] = l.split(":").map((s) => s.trim());
      return { path, type: type.replace("?", ""), required: !type.endsWith("?") };
    });
const parseHeaders = (text: string) =>
  text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const secret = l.startsWith("secret ");
      const [name, ...rest] = (secret ? l.slice(7) : l).split(":");
      const value = rest.join(":").trim();
      return { name: name.trim(), secret, ...(value || !secret ? { value } : {}) };
    });
const parseSlots = (text: string) =>
  Object.fromEntries(
    text
      .split("\n")
      .map((l) => l.split("=").map((s) => s.trim()))
      .filter((kv) => kv[0] && kv.length === 2),
  );

export function ActionsPage() {
  const [actions, setActions] = useState<ActionView[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const [form, setForm] = useState({
    name: "",
    url: "",
    method: "GET",
    headers: "",
    fields: "order.status:string\norder.eta:string",
    replyFields: "order.status, order.eta",
    timeoutMs: "3000",
    verified: false,
  });
  const load = () =>
    get<{ actions: ActionView[] }>("/api/actions").then(
      (r) => setActions(r.actions),
      (err) => setError(errorText(err)),
    );
  useEffect(() => void load(), []);
  const set = (k: keyof typeof form) => (e: Event) =>
    setForm({
      ...form,
      [k]:
        (e.currentTarget as HTMLInputElement).type === "checkbox"
          ? (e.currentTarget as HTMLInputElement).checked
          : (e.currentTarget as HTMLInputElement).value,
    });
  const create = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      const res = await post<{ action: ActionView; signingSecret: string }>("/api/actions", {
        name: form.name,
        url: form.url,
        method: form.method,
        headers: parseHeaders(form.headers),
        timeoutMs: Number(form.timeoutMs),
        fields: parseFields(form.fields),
        replyFields: form.replyFields
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean),
        requiresVerifiedCustomer: form.verified,
      });
      setSecret(res.signingSecret);
      setSelected(res.action.id);
      await load();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <div class="split">
      <aside class="list">
        <h2>Actions</h2>
        {actions.map((a) => (
          <a key={a.id} class={`row ${a.id === selected ? "active" : ""}`} onClick={() => setSelected(a.id)} data-testid="action-row">
            <strong>{a.name}</strong> <Badge>{a.method}</Badge> {a.status !== "active" && <Badge tone="waiting">{a.status}</Badge>}
            <div class="preview">{a.url}</div>
          </a>
        ))}
        <form class="card" onSubmit={create} data-testid="action-form">
          <h3>New action</h3>
          <input placeholder="name (order_status)" value={form.name} onInput={set("name")} required aria-label="Name" />
          <input
            placeholder="https://api.shop.example/orders/{{order_number}}"
            value={form.url}
            onInput={set("url")}
            required
            aria-label="URL"
          />
          <select value={form.method} onChange={set("method")} aria-label="Method">
            <option>GET</option>
            <option>POST</option>
          </select>
          <label class="small">
            Headers, one per line (<code>secret Authorization: Bearer …</code> stays on the server)
            <textarea rows={2} value={form.headers} onInput={set("headers")} aria-label="Headers" />
          </label>
          <label class="small">
            Response fields (<code>path:type</code>, <code>?</code> = optional)
            <textarea rows={3} value={form.fields} onInput={set("fields")} aria-label="Fields" />
          </label>
          <input
            placeholder="reply fields, comma-separated"
            value={form.replyFields}
            onInput={set("replyFields")}
            aria-label="Reply fields"
          />
          <input type="number" min={100} max={5000} value={form.timeoutMs} onInput={set("timeoutMs")} aria-label="Timeout (ms)" />
          <label class="small">
            <input type="checkbox" checked={form.verified} onChange={set("verified")} /> Only for verified customers
          </label>
          <ErrorNote error={error} />
          <button type="submit">Create</button>
        </form>
      </aside>
      <section class="detail">
        {secret && (
          <div class="card" data-testid="signing-secret">
            <strong>Signing secret</strong> (shown once; give it to the service that receives the calls): <code>{secret}</code>
          </div>
        )}
        {selected ? (
          <ActionDetail key={selected} action={actions.find((a) => a.id === selected) ?? null} onChange={load} />
        ) : (
          <p class="muted">Pick an action.</p>
        )}
      </section>
    </div>
  );
}

function ActionDetail({ action, onChange }: { action: ActionView | null; onChange: () => void }) {
  const [slots, setSlots] = useState("order_number=4321");
  const [conversationId, setConversationId] = useState("");
  const [template, setTemplate] = useState("Order {{order_number}} is {{order.status}}.");
  const [result, setResult] = useState<{
    result: { ok: boolean; outcome?: string; durationMs?: number; detail?: string | null };
    rendered: string | null;
  } | null>(null);
  const [calls, setCalls] = useState<ActionCallView[]>([]);
  const [error, setError] = useState<string | null>(null);
  const loadCalls = () =>
    action && get<{ calls: ActionCallView[] }>(`/api/actions/calls?actionId=${action.id}&limit=20`).then((r) => setCalls(r.calls));
  useEffect(() => void loadCalls(), [action?.id]);
  if (!action) return null;
  const preview = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      setResult(
        await post(`/api/actions/${action.id}/preview`, {
          slots: parseSlots(slots),
          template,
          ...(conversationId ? { conversationId } : {}),
        }),
      );
      await loadCalls();
    } catch (err) {
      setError(errorText(err));
    }
  };
  const toggle = async () => {
    setError(null);
    try {
      await patch(`/api/actions/${action.id}`, { version: action.version, status: action.status === "active" ? "disabled" : "active" });
      onChange();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <div class="page" data-testid="action-detail">
      <h2>
        {action.name} <Badge>{action.status}</Badge>
      </h2>
      <p>
        <code>
          {action.method} {action.url}
        </code>{" "}
        · timeout {action.timeoutMs} ms {action.requiresVerifiedCustomer && <Badge>verified customers only</Badge>}
      </p>
      <p class="small">
        Headers: {action.headers.map((h) => (h.secret ? `${h.name}: •••• (secret)` : `${h.name}: ${h.value}`)).join(", ") || "none"}
        <br />
        Reply fields: {action.replyFields.map((f) => `{{${f}}}`).join(" ") || "none"}
      </p>
      <button class="secondary" onClick={toggle}>
        {action.status === "active" ? "Disable" : "Enable"}
      </button>
      <form class="card" onSubmit={preview} data-testid="action-preview">
        <h3>Preview</h3>
        <label class="small">
          Slots (<code>name=value</code> per line)
          <textarea rows={2} value={slots} onInput={(e) => setSlots(e.currentTarget.value)} aria-label="Slots" />
        </label>
        <input
          placeholder="test conversation id (optional)"
          value={conversationId}
          onInput={(e) => setConversationId(e.currentTarget.value)}
          aria-label="Conversation"
        />
        <input value={template} onInput={(e) => setTemplate(e.currentTarget.value)} aria-label="Reply template" />
        <button type="submit">Call it</button>
        <ErrorNote error={error} />
        {result && (
          <div data-testid="preview-result">
            <Badge tone={result.result.ok ? "bot" : "waiting"}>{result.result.ok ? "ok" : result.result.outcome}</Badge>{" "}
            {result.result.durationMs} ms {result.result.detail ?? ""}
            {result.rendered && <p class="text">{result.rendered}</p>}
          </div>
        )}
      </form>
      {calls.length > 0 && <CallList calls={calls} />}
    </div>
  );
}
