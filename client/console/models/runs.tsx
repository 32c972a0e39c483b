import { LineChart, pct } from "./charts.js";
import type { Run } from "./types.js";

const ACTIVE = new Set(["queued", "snapshotting", "training", "evaluating"]);
export const isRunActive = (r: Run) => ACTIVE.has(r.state);

export function RunsList({ runs, selected, onSelect }: { runs: Run[]; selected: string | null; onSelect: (id: string) => void }) {
  if (runs.length === 0) return <p class="muted">No training runs yet.</p>;
  return (
    <table data-testid="runs-table">
      <thead>
        <tr>
          <th>Started</th>
          <th>Trigger</th>
          <th>State</th>
          <th>Candidate</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((r) => (
          <tr key={r.id} class={r.id === selected ? "selected" : ""} onClick={() => onSelect(r.id)} style={{ cursor: "pointer" }}>
            <td>{r.createdAt ? new Date(r.createdAt).toLocaleString() : "—"}</td>
            <td>{r.trigger}</td>
            <td data-testid="run-state">{r.state}</td>
            <td>{r.candidateVersion ?? "—"}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export interface SnapshotSummary {
  conflicts: { examples: { text: string; answerId: string }[] }[];
  warnings: string[];
}

export function RunDetail({ run, snapshot }: { run: Run; snapshot: SnapshotSummary | null }) {
  const p = run.progress;
  const share = p?.steps ? Math.min(1, (p.step ?? 0) / p.steps) : 0;
  return (
    <section data-testid="run-detail">
      <h3>
        Run {run.id.slice(-6)} · {run.state}
      </h3>
      {isRunActive(run) && p ? (
        <div class="progress">
          {p.phase} {p.epoch ? `epoch ${p.epoch}/${p.epochs}` : ""}
          <progress max={1} value={share} /> {p.loss !== undefined ? `loss ${p.loss.toFixed(4)}` : ""}
        </div>
      ) : null}
      {run.reasons?.length ? (
        <ul class="reasons">
          {run.reasons.map((r) => (
            <li key={r}>{r}</li>
          ))}
        </ul>
      ) : null}
      {run.error ? <p class="error">{run.error}</p> : null}
      <div class="charts">
        <LineChart
          testId="run-loss-chart"
          title="Loss per epoch"
          series={[{ name: "loss", points: run.epochs.map((e) => ({ x: e.epoch, y: e.loss })) }]}
        />
        <LineChart
          title="Validation accuracy per epoch"
          yMin={0}
          yMax={1}
          format={pct}
          series={[{ name: "val accuracy", points: run.epochs.map((e) => ({ x: e.epoch, y: e.valAccuracy })) }]}
        />
      </div>
      {snapshot?.warnings?.length ? (
        <details open>
          <summary>Snapshot warnings ({snapshot.warnings.length})</summary>
          <ul>
            {snapshot.warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </details>
      ) : null}
      {snapshot?.conflicts?.length ? (
        <details>
          <summary>Conflicts for agents to resolve ({snapshot.conflicts.length})</summary>
          <ul>
            {snapshot.conflicts.map((c, i) => (
              <li key={i}>{c.examples.map((e) => `“${e.text}” → ${e.answerId}`).join(" / ")}</li>
            ))}
          </ul>
        </details>
      ) : null}
      <details>
        <summary>Log</summary>
        <pre class="log">{(run.logs ?? []).map((l) => `${new Date(l.at).toLocaleTimeString()} ${l.level} ${l.message}`).join("\n")}</pre>
      </details>
    </section>
  );
}
