import { useEffect, useState } from "preact/hooks";
import { ApiError, get, patch } from "../api.js";
import type { Example } from "../types.js";
import { Badge, ErrorNote, errorText, useAction, when } from "../ui.js";

export function ExamplesPage() {
  const [examples, setExamples] = useState<Example[]>([]);
  const [filter, setFilter] = useState("");
  const action = useAction();
  const { error, setError } = action;
  const load = () =>
    get<{ examples: Example[] }>(`/api/examples${filter}`).then(
      (r) => setExamples(r.examples),
      (err) => setError(errorText(err)),
    );
  useEffect(() => void load(), [filter]);
  const toggleGolden = (e: Example) =>
    action.run(
      async () => {
        const res = await patch<{ example: Example }>(`/api/examples/${e.id}`, { version: e.version, golden: !e.golden });
        setExamples((xs) => xs.map((x) => (x.id === e.id ? res.example : x)));
      },
      (err) => {
        if (err instanceof ApiError && err.status === 409 && err.details?.current) {
          const current = err.details.current as Example;
          setExamples((xs) => xs.map((x) => (x.id === e.id ? current : x)));
        }
      },
    );
  return (
    <div class="page">
      <h2>Training examples</h2>
      <div class="tabs">
        <button class={filter === "" ? "" : "secondary"} onClick={() => setFilter("")}>
          All
        </button>
        <button class={filter === "?golden=true" ? "" : "secondary"} onClick={() => setFilter("?golden=true")}>
          Golden (regression set)
        </button>
        <button class={filter === "?polarity=negative" ? "" : "secondary"} onClick={() => setFilter("?polarity=negative")}>
          Negative
        </button>
      </div>
      <ErrorNote error={error} />
      <table data-testid="examples-table">
        <thead>
          <tr>
            <th>Question</th>
            <th>Answer</th>
            <th>Lineage</th>
            <th>Golden</th>
          </tr>
        </thead>
        <tbody>
          {examples.map((e) => (
            <tr key={e.id} data-testid="example-row">
              <td>
                {e.question}{" "}
                {e.outOfScope ? (
                  <Badge tone="waiting">not for the bot</Badge>
                ) : (
                  e.polarity === "negative" && <Badge tone="waiting">negative</Badge>
                )}
              </td>
              <td>{e.outOfScope ? "—" : e.answerTitle}</td>
              <td class="small muted">
                {e.lineage.kind}
                {e.lineage.line != null && ` line ${e.lineage.line} of ${e.lineage.fileSha256?.slice(0, 12) ?? "file"}`} · model{" "}
                {e.lineage.modelVersion ?? "—"} · by {e.lineage.approvedByName ?? "—"} · {when(e.lineage.approvedAt)}
                {e.lineage.conversationId && (
                  <>
                    {" "}
                    · <a href={`#/conversations/${e.lineage.conversationId}`}>conversation</a>
                  </>
                )}
              </td>
              <td>
                <input type="checkbox" checked={e.golden} disabled={e.polarity === "negative"} onChange={() => toggleGolden(e)} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
