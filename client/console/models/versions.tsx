import type { Pointer, VersionRow } from "./types.js";
import { pct, signedPct } from "./charts.js";

const COLUMNS: [string, string][] = [
  ["heldout_accuracy", "Held-out acc."],
  ["heldout_macroF1", "Macro-F1"],
  ["golden_accuracy", "Golden acc."],
  ["heldout_coverage", "Answered"],
  ["heldout_answeredPrecision", "Right when answering"],
  ["heldout_ece", "ECE"],
  ["heldout_bleu", "BLEU"],
  // measured on the eval's out-of-scope part; before one exists, the trainer's out-of-fold estimate
  ["outOfScope_answered", "Answers out-of-scope"],
];
// lower is better
const INVERTED = new Set(["heldout_ece", "outOfScope_answered"]);
const metricOf = (v: VersionRow, key: string) =>
  key === "outOfScope_answered" ? (v.metrics[key] ?? v.metrics.outOfScopeAnsweredEstimate) : v.metrics[key];

export function VersionsTable({
  versions,
  pointer,
  busy,
  onSelect,
  onPromote,
  onRollbackTo,
}: {
  versions: VersionRow[];
  pointer: Pointer;
  busy: boolean;
  onSelect: (v: string) => void;
  onPromote: (v: string) => void;
  onRollbackTo: (v: string) => void;
}) {
  if (versions.length === 0) return <p class="muted">No model versions yet. Train one with “Train now”.</p>;
  return (
    <table class="versions" data-testid="versions-table">
      <thead>
        <tr>
          <th>Version</th>
          <th>Status</th>
          <th>Base model</th>
          {COLUMNS.map(([, label]) => (
            <th key={label}>{label}</th>
          ))}
          <th>Gate</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {versions.map((v) => (
          <tr key={v.version} data-version={v.version} class={v.active ? "active" : ""}>
            <td>
              <a href="#" onClick={(e) => (e.preventDefault(), onSelect(v.version))}>
                {v.version}
              </a>
              {v.active ? <span class="badge ok"> active{pointer.pinned ? " · pinned" : ""}</span> : null}
              {v.previous ? <span class="badge"> previous</span> : null}
            </td>
            <td data-testid="status">{v.status}</td>
            <td
              data-testid="base-model"
              title={v.baseModel === "use-multilingual" ? "Universal Sentence Encoder multilingual v3" : "all-MiniLM-L6-v2"}
            >
              {v.baseModel === "use-multilingual" ? "USE multilingual" : "MiniLM"}
            </td>
            {COLUMNS.map(([key]) => (
              <td key={key} data-metric={key}>
                {pct(metricOf(v, key))}
                {key === "outOfScope_answered" && v.metrics[key] === undefined && v.metrics.outOfScopeAnsweredEstimate !== undefined ? (
                  <small title="out-of-fold estimate of the trainer"> est.</small>
                ) : null}
                {v.diff && key in v.diff ? (
                  <small class={(INVERTED.has(key) ? -v.diff[key] : v.diff[key]) >= 0 ? "up" : "down"}> {signedPct(v.diff[key])}</small>
                ) : null}
              </td>
            ))}
            <td title={v.gate.reasons.join("\n")}>
              {v.integrityError
                ? "integrity failed"
                : v.gate.passed
                  ? "passed"
                  : v.gate.reasons.length
                    ? `failed (${v.gate.reasons.length})`
                    : "—"}
            </td>
            <td>
              {!v.active && v.canRollBackTo ? (
                <button disabled={busy} data-testid={`rollback-to-${v.version}`} onClick={() => onRollbackTo(v.version)}>
                  Roll back to
                </button>
              ) : null}
              {!v.active && !v.canRollBackTo && v.status !== "broken" ? (
                <button disabled={busy} data-testid={`promote-${v.version}`} onClick={() => onPromote(v.version)}>
                  Promote
                </button>
              ) : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
