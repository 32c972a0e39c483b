import { LineChart, pct, signedPct } from "./charts.js";
import type { VersionDetail } from "./types.js";

type ActionsReport = NonNullable<NonNullable<VersionDetail["report"]>["actions"]>;
const counts = (m: Record<string, number>) =>
  Object.entries(m)
    .map(([k, n]) => `${k} ${n}`)
    .join(", ");

/** Answers that call actions: the model's mistakes on them, apart from what their actions did live. */
function ActionsPart({ a, answerTitle }: { a: ActionsReport; answerTitle: (id: string) => string }) {
  return (
    <div data-testid="actions-report">
      <h4>Answers with actions</h4>
      <p>
        <strong data-testid="action-failures">{a.actionFailures}</strong> action failure{a.actionFailures === 1 ? "" : "s"} in the last{" "}
        {a.days} days (hand-offs after the model picked the answer{a.actionFailures ? `: ${counts(a.live.actionHandoffsByReason)}` : ""}) —
        not model errors, and not gated; {a.live.calls} call{a.live.calls === 1 ? "" : "s"}, {a.live.failedCalls} failed
        {a.live.failedCalls ? ` (${counts(a.live.byOutcome)})` : ""}. The model's own hand-offs meanwhile: {a.live.modelHandoffs}.
      </p>
      <p>
        Model errors on these answers (golden and held-out): <strong data-testid="action-model-errors">{a.modelErrors}</strong>
      </p>
      {a.answers.length ? (
        <table data-testid="action-answers">
          <thead>
            <tr>
              <th>Answer</th>
              <th>Action</th>
              <th>n</th>
              <th title="its questions given another answer">Missed</th>
              <th title="other questions given this answer: the action would be called for them">Wrongly picked</th>
            </tr>
          </thead>
          <tbody>
            {a.answers.map((x) => (
              <tr key={x.answerId}>
                <td>{x.title ?? answerTitle(x.answerId)}</td>
                <td>
                  <code>{x.action}</code>
                </td>
                <td>{x.cases}</td>
                <td>{x.missed}</td>
                <td>{x.wronglyPicked}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}

/** One version's eval report: training curves, suite metrics against the active version, what changed. */
export function VersionReport({ v, answerTitle }: { v: VersionDetail; answerTitle: (id: string) => string }) {
  const r = v.report;
  return (
    <section class="report" data-testid="version-report">
      <h3>
        {v.version} — {v.status}
        {v.parentVersion ? <small> (from {v.parentVersion})</small> : null}
      </h3>
      <p class="muted">
        snapshot {v.snapshotHash.slice(0, 12)} · code {v.codeVersion ?? "?"} · method {String(v.hyperParameters.method ?? "?")} · {v.labels}{" "}
        answers
      </p>
      {v.gate.reasons.length ? (
        <div class="reasons">
          <strong>Gate reasons</strong>
          <ul>
            {v.gate.reasons.map((x) => (
              <li key={x}>{x}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <div class="charts">
        <LineChart
          testId="loss-chart"
          title="Training loss per epoch"
          series={[
            { name: "loss", points: v.history.map((h) => ({ x: h.epoch, y: h.loss })) },
            { name: "validation loss", points: v.history.map((h) => ({ x: h.epoch, y: h.valLoss })) },
          ]}
        />
        <LineChart
          testId="val-chart"
          title="Validation accuracy per epoch"
          yMin={0}
          yMax={1}
          format={pct}
          series={[{ name: "val accuracy", points: v.history.map((h) => ({ x: h.epoch, y: h.valAccuracy })) }]}
        />
      </div>
      {r ? (
        <>
          <table>
            <thead>
              <tr>
                <th>Suite</th>
                <th>n</th>
                <th>Accuracy</th>
                <th>Macro-F1</th>
                <th title="Share answered at the version's own threshold">Answered</th>
                <th title="Share of those answers that were right">Right when answering</th>
                <th>ECE</th>
                <th>BLEU</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(r.suites).map(([name, s]) => (
                <tr key={name}>
                  <td>{name}</td>
                  <td>{s.candidate.count}</td>
                  {(["accuracy", "macroF1", "coverage", "answeredPrecision", "ece", "bleu"] as const).map((k) => (
                    <td key={k}>
                      {pct(s.candidate[k])}
                      {s.active ? (
                        <small>
                          {" "}
                          ({r.activeVersion}: {pct(s.active[k])})
                        </small>
                      ) : null}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          {r.outOfScope ? (
            <p data-testid="out-of-scope">
              <strong>Out of scope:</strong> answers {pct(r.outOfScope.candidate.answeredRate)} of {r.outOfScope.candidate.count} questions
              no answer should get ({r.outOfScope.marked} marked “not for the bot”, {r.outOfScope.novel} of {r.outOfScope.novelAnswers}{" "}
              answer(s) newer than the active version)
              {r.outOfScope.active ? (
                <small>
                  {" "}
                  ({r.activeVersion}: {pct(r.outOfScope.active.answeredRate)})
                </small>
              ) : null}
            </p>
          ) : null}
          {r.actions ? <ActionsPart a={r.actions} answerTitle={answerTitle} /> : null}
          <h4>Per-answer F1 change</h4>
          <table data-testid="per-label">
            <tbody>
              {r.perLabelDelta.slice(0, 20).map((d) => (
                <tr key={d.answerId}>
                  <td>{d.title ?? d.answerId}</td>
                  <td>{pct(d.candidate)}</td>
                  <td class={(d.delta ?? 0) >= 0 ? "up" : "down"}>{d.delta === null ? "new" : signedPct(d.delta)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h4>Confusion pairs (held-out)</h4>
          <ul>
            {(r.suites.heldout?.candidate.confusionPairs ?? []).map((c) => (
              <li key={c.truth + c.predicted}>
                {answerTitle(c.truth)} → {answerTitle(c.predicted)} ×{c.count}
              </li>
            ))}
          </ul>
          <h4>Failed golden cases</h4>
          {r.failedGolden.length === 0 ? (
            <p class="muted">All golden examples answered correctly.</p>
          ) : (
            <ul data-testid="failed-golden">
              {r.failedGolden.map((f) => (
                <li key={f.exampleId}>
                  {f.mustPass ? <strong>must-pass </strong> : null}“{f.text}”: expected {answerTitle(f.expected)}, got{" "}
                  {answerTitle(f.predicted)} ({pct(f.confidence)})
                </li>
              ))}
            </ul>
          )}
        </>
      ) : (
        <p class="muted">Not evaluated yet.</p>
      )}
    </section>
  );
}
