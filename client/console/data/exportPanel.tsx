import { useEffect, useState } from "preact/hooks";
import { get } from "../api.js";
import { ErrorNote, errorText, when } from "../ui.js";

interface SnapshotRow {
  hash: string;
  name: string;
  counts: Record<string, number>;
  createdAt: string | null;
}

const links = (base: string) => [
  { href: `${base}?format=jsonl`, label: "JSONL" },
  { href: `${base}?format=openai`, label: "OpenAI fine-tuning" },
  { href: `${base}?format=openai&golden=only`, label: "OpenAI validation (golden)" },
  { href: `${base}?format=csv`, label: "CSV" },
];

/** Downloads: the live reply bank and each dataset snapshot, in every export format. */
export function ExportPanel() {
  const [snapshots, setSnapshots] = useState<SnapshotRow[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => void get<{ snapshots: SnapshotRow[] }>("/api/exports/snapshots").then((r) => setSnapshots(r.snapshots), (err) => setError(errorText(err))), []);
  return (
    <div data-testid="export-panel">
      <h2 style="margin-top:20px">Export</h2>
      <p class="muted small">Each file carries its content hash (in the file, its name and the X-Content-Hash header). Golden and out-of-scope examples are marked; CSV cells are safe to open in a spreadsheet.</p>
      <ErrorNote error={error} />
      <div class="card actions">
        <strong>Reply bank</strong>
        {links("/api/exports/reply-bank").map((l) => (
          <a key={l.href} class="small" href={l.href} download data-testid={`export-reply-bank-${l.label.split(" ")[0].toLowerCase()}`}>
            {l.label}
          </a>
        ))}
      </div>
      <table>
        <thead>
          <tr>
            <th>Snapshot</th>
            <th>Examples</th>
            <th>Built</th>
            <th>Download</th>
          </tr>
        </thead>
        <tbody>
          {snapshots.map((s) => (
            <tr key={s.hash} data-testid="snapshot-row">
              <td class="small" title={s.hash}>
                {s.name}
              </td>
              <td class="small">
                {s.counts.train ?? 0} train · {s.counts.heldout ?? 0} held out · {s.counts.golden ?? 0} golden
              </td>
              <td class="small">{when(s.createdAt)}</td>
              <td class="small actions">
                {links(`/api/exports/snapshots/${s.hash}`).map((l) => (
                  <a key={l.href} href={l.href} download>
                    {l.label}
                  </a>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
