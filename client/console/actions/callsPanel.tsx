import { useEffect, useState } from "preact/hooks";
import { get } from "../api.js";
import { Badge, time } from "../ui.js";

export interface ActionCallView {
  id: string;
  action: string;
  outcome: string;
  httpStatus: number | null;
  durationMs: number;
  detail: string | null;
  slots: string[];
  preview: boolean;
  at: string | null;
}

/** The action calls behind a conversation's replies (or hand-offs), for the agent reading it. */
export function ActionCallsPanel({ conversationId, refreshKey }: { conversationId: string; refreshKey: number }) {
  const [calls, setCalls] = useState<ActionCallView[]>([]);
  useEffect(() => {
    void get<{ calls: ActionCallView[] }>(`/api/actions/calls?conversationId=${conversationId}`).then(
      (r) => setCalls(r.calls.reverse()),
      () => setCalls([]),
    );
  }, [conversationId, refreshKey]);
  if (calls.length === 0) return null;
  return <CallList calls={calls} />;
}

export function CallList({ calls }: { calls: ActionCallView[] }) {
  return (
    <div class="card small" data-testid="action-calls">
      <strong>Action calls</strong>
      <ul>
        {calls.map((c) => (
          <li key={c.id} data-testid="action-call">
            {time(c.at)} <code>{c.action}</code> <Badge tone={c.outcome === "ok" ? "bot" : "waiting"}>{c.outcome}</Badge>{" "}
            {c.httpStatus ?? ""} · {c.durationMs} ms
            {c.detail ? ` · ${c.detail}` : ""}
            {c.preview ? " · preview" : ""}
          </li>
        ))}
      </ul>
    </div>
  );
}
