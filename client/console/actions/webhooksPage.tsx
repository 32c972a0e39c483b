import { useEffect, useState } from "preact/hooks";
import { get, patch, post } from "../api.js";
import { Badge, ErrorNote, errorText, when } from "../ui.js";
import { WEBHOOK_EVENTS } from "../../../server/webhooks/eventNames.js";

const EVENTS: string[] = [...WEBHOOK_EVENTS];

interface WebhookView {
  id: string;
  url: string;
  events: string[];
  status: string;
  consecutiveFailures: number;
  disabledReason: string | null;
  version: number;
}
interface DeliveryView {
  id: string;
  eventId: string;
  event: string;
  status: string;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  lastDurationMs: number | null;
  nextAttemptAt: string | null;
  createdAt: string | null;
}

export function WebhooksPage() {
  const [hooks, setHooks] = useState<WebhookView[]>([]);
  const [notices, setNotices] = useState<{ webhookId: string; url: string; message: string }[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [url, setUrl] = useState("");
  const [events, setEvents] = useState<string[]>(EVENTS);
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = () =>
    get<{ webhooks: WebhookView[]; notices: typeof notices }>("/api/webhooks").then(
      (r) => {
        setHooks(r.webhooks);
        setNotices(r.notices);
      },
      (err) => setError(errorText(err)),
    );
  useEffect(() => void load(), []);
  const create = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      const res = await post<{ webhook: WebhookView; signingSecret: string }>("/api/webhooks", { url, events });
      setSecret(res.signingSecret);
      setSelected(res.webhook.id);
      setUrl("");
      await load();
    } catch (err) {
      setError(errorText(err));
    }
  };
  const hook = hooks.find((h) => h.id === selected) ?? null;
  return (
    <div class="split">
      <aside class="list">
        <h2>Webhooks</h2>
        {notices.map((n) => (
          <p key={n.webhookId} class="error" role="alert" data-testid="webhook-notice">
            {n.url}: {n.message}
          </p>
        ))}
        {hooks.map((h) => (
          <a key={h.id} class={`row ${h.id === selected ? "active" : ""}`} onClick={() => setSelected(h.id)} data-testid="webhook-row">
            <strong>{h.url}</strong> <Badge tone={h.status === "active" ? "bot" : "waiting"}>{h.status}</Badge>
            <div class="preview">{h.events.join(", ")}</div>
          </a>
        ))}
        <form class="card" onSubmit={create}>
          <h3>New subscription</h3>
          <input
            placeholder="https://hooks.example/understudy"
            value={url}
            onInput={(e) => setUrl(e.currentTarget.value)}
            required
            aria-label="Webhook URL"
          />
          {EVENTS.map((ev) => (
            <label key={ev} class="small">
              <input
                type="checkbox"
                checked={events.includes(ev)}
                onChange={(e) => setEvents(e.currentTarget.checked ? [...events, ev] : events.filter((x) => x !== ev))}
              />{" "}
              {ev}
            </label>
          ))}
          <ErrorNote error={error} />
          <button type="submit">Subscribe</button>
        </form>
      </aside>
      <section class="detail">
        {secret && (
          <div class="card" data-testid="webhook-secret">
            <strong>Signing secret</strong> (shown once; the receiver checks <code>Understudy-Signature</code> with it):{" "}
            <code>{secret}</code>
          </div>
        )}
        {hook ? <Deliveries key={hook.id} hook={hook} onChange={load} /> : <p class="muted">Pick a subscription to see its deliveries.</p>}
      </section>
    </div>
  );
}

function Deliveries({ hook, onChange }: { hook: WebhookView; onChange: () => void }) {
  const [deliveries, setDeliveries] = useState<DeliveryView[]>([]);
  const [error, setError] = useState<string | null>(null);
  const load = () =>
    get<{ deliveries: DeliveryView[] }>(`/api/webhooks/${hook.id}/deliveries?limit=100`).then(
      (r) => setDeliveries(r.deliveries),
      (err) => setError(errorText(err)),
    );
  useEffect(() => {
    void load();
    const timer = setInterval(load, 3000);
    return () => clearInterval(timer);
  }, [hook.id]);
  const run = async (fn: () => Promise<unknown>) => {
    setError(null);
    try {
      await fn();
      await load();
      onChange();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <div class="page" data-testid="webhook-deliveries">
      <h2>
        {hook.url} <Badge>{hook.status}</Badge>
      </h2>
      <button
        class="secondary"
        onClick={() =>
          run(() => patch(`/api/webhooks/${hook.id}`, { version: hook.version, status: hook.status === "active" ? "disabled" : "active" }))
        }
      >
        {hook.status === "active" ? "Disable" : "Enable"}
      </button>
      <ErrorNote error={error} />
      <table>
        <thead>
          <tr>
            <th>queued</th>
            <th>event</th>
            <th>status</th>
            <th>attempts</th>
            <th>last answer</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {deliveries.map((d) => (
            <tr key={d.id} data-testid="delivery-row" data-status={d.status}>
              <td>{when(d.createdAt)}</td>
              <td title={d.eventId}>{d.event}</td>
              <td>
                <Badge tone={d.status === "delivered" ? "bot" : "waiting"}>{d.status}</Badge>
                {d.nextAttemptAt ? ` next ${when(d.nextAttemptAt)}` : ""}
              </td>
              <td>{d.attempts}</td>
              <td>
                {d.lastStatus ?? ""} {d.lastError ?? ""} {d.lastDurationMs !== null ? `${d.lastDurationMs} ms` : ""}
              </td>
              <td>
                {d.status !== "delivering" && (
                  <button class="link small" onClick={() => run(() => post(`/api/webhooks/deliveries/${d.id}/redeliver`, {}))}>
                    Redeliver
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
