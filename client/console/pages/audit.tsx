import { useEffect, useState } from "preact/hooks";
import { get } from "../api.js";
import { ErrorNote, errorText, when } from "../ui.js";

interface AuditEntry {
  id: string;
  at: string;
  actorEmail: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  details: Record<string, unknown>;
}

export function AuditPage() {
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [action, setAction] = useState("");
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    void get<{ entries: AuditEntry[] }>(`/api/audit${action ? `?action=${encodeURIComponent(action)}` : ""}`).then(
      (r) => setEntries(r.entries),
      (err) => setError(errorText(err)),
    );
  }, [action]);
  return (
    <div class="page">
      <h2>Audit log</h2>
      <input placeholder="Filter by action, e.g. review.approve" value={action} onChange={(e) => setAction(e.currentTarget.value)} />
      <ErrorNote error={error} />
      <table>
        <thead>
          <tr>
            <th>When</th>
            <th>Who</th>
            <th>Action</th>
            <th>Target</th>
            <th>Details</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.id}>
              <td>{when(e.at)}</td>
              <td>{e.actorEmail ?? "system"}</td>
              <td>{e.action}</td>
              <td class="small">
                {e.targetType} {e.targetId}
              </td>
              <td class="small muted">{JSON.stringify(e.details)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
