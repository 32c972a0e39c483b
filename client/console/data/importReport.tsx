import { Badge } from "../ui.js";

// The dry run's report, as the admin reads it before importing (a type-only import: nothing of the server is bundled).
import type { ImportReport } from "../../../server/imports/importPlanner.js";
export type { ImportReport };

export function ImportReportView({ report: r }: { report: ImportReport }) {
  const collapsed = r.perAnswer.filter((a) => (a.variants?.length ?? 0) > 1);
  return (
    <div data-testid="dry-run-report">
      <table>
        <tbody>
          <tr>
            <th>Rows read</th>
            <td data-testid="report-rows">{r.rowsRead}</td>
          </tr>
          <tr>
            <th>Answers</th>
            <td data-testid="report-answers">
              {r.answers.created} new · {r.answers.mergedIntoExisting} merged into existing · {r.answers.rowsMergedInFile} rows merged in the file
            </td>
          </tr>
          <tr>
            <th>Phrasings</th>
            <td data-testid="report-examples">
              {r.examples.created} new of {r.examples.inFile} · {r.examples.duplicates} duplicates · {r.examples.alreadyPresent} already present · {r.examples.nearDuplicates} near-duplicates
              {(r.examples.golden > 0 || r.examples.outOfScope > 0 || r.examples.negatives > 0) && ` · ${r.examples.golden} golden, ${r.examples.outOfScope} out of scope, ${r.examples.negatives} negative`}
            </td>
          </tr>
          <tr>
            <th>Personal data</th>
            <td data-testid="report-pii">
              {r.personalData.found} found{Object.keys(r.personalData.byKind).length > 0 && ` (${Object.entries(r.personalData.byKind).map(([k, n]) => `${k} ${n}`).join(", ")})`}, stored redacted
              {r.personalData.samples.slice(0, 5).map((s) => (
                <div key={`${s.line}-${s.before}`} class="small muted">
                  line {s.line}: “{s.before}” → “{s.after}”
                </div>
              ))}
            </td>
          </tr>
          <tr>
            <th>Balance</th>
            <td>
              {r.balance.answers} answers, {r.balance.smallest}–{r.balance.largest} phrasings each (median {r.balance.median}); {r.balance.belowMinimum} below {r.balance.minPerAnswer}
            </td>
          </tr>
        </tbody>
      </table>
      {r.warnings.map((w) => (
        <p key={w} class="small">
          <Badge tone="waiting">note</Badge> {w}
        </p>
      ))}
      {r.conflicts.length > 0 && (
        <>
          <h3>Conflicts: one question, different answers</h3>
          <ul data-testid="report-conflicts">
            {r.conflicts.slice(0, 20).map((c) => (
              <li key={c.question}>
                “{c.question}” (line {c.lines.join(", ")}) → {c.answers.map((a) => `${a.title}${a.existing ? " (existing)" : ""}`).join(" / ")}
              </li>
            ))}
          </ul>
        </>
      )}
      {collapsed.length > 0 && (
        <>
          <h3>Agent replies collapsed into one answer (check before importing)</h3>
          {collapsed.slice(0, 30).map((a) => (
            <div class="card small" key={`${a.line}-${a.title}`} data-testid="collapsed-answer">
              <strong>{a.title}</strong> · {a.added} phrasings
              {a.variants!.map((v) => (
                <div key={v.text} class="muted">
                  {v.count}× · similarity {v.similarity.toFixed(2)} · “{v.text}”
                </div>
              ))}
            </div>
          ))}
        </>
      )}
      <h3>Per answer (fewest phrasings first)</h3>
      <table data-testid="report-per-answer">
        <thead>
          <tr>
            <th>Answer</th>
            <th>Line</th>
            <th>Existing</th>
            <th>Added</th>
            <th>Total</th>
          </tr>
        </thead>
        <tbody>
          {r.perAnswer.slice(0, 50).map((a) => (
            <tr key={`${a.line}-${a.title}`}>
              <td>
                {a.title} {a.belowMinimum && <Badge tone="waiting">few</Badge>}
              </td>
              <td>{a.line}</td>
              <td>{a.existing}</td>
              <td>{a.added}</td>
              <td>{a.total}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
