import { useEffect, useState } from "preact/hooks";
import { get, patch } from "../api.js";
import type { Example } from "../types.js";
import { ErrorNote, errorText } from "../ui.js";

/** Phrasings waiting for an agent: imported "to review", or questions taken along from "what to answer next". */
export function PendingExamples() {
  const [examples, setExamples] = useState<Example[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => void get<{ examples: Example[] }>("/api/examples?status=pending&limit=200").then((r) => setExamples(r.examples), (err) => setError(errorText(err))), []);
  const decide = async (e: Example, status: "active" | "deleted") => {
    setError(null);
    try {
      await patch(`/api/examples/${e.id}`, { version: e.version, status });
      setExamples((xs) => xs.filter((x) => x.id !== e.id));
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <div>
      <ErrorNote error={error} />
      {examples.length === 0 && <p class="muted">No pending examples.</p>}
      {examples.map((e) => (
        <div class="card review actions" key={e.id} data-testid="pending-example">
          <span style="flex:1">
            <strong>{e.question}</strong> → {e.answerTitle}
            <div class="muted small">
              {e.lineage.kind}
              {e.lineage.line != null && ` · line ${e.lineage.line} of ${e.lineage.fileSha256?.slice(0, 12) ?? "file"}`}
              {e.lineage.conversationId && (
                <>
                  {" "}
                  · <a href={`#/conversations/${e.lineage.conversationId}`}>conversation</a>
                </>
              )}
            </div>
          </span>
          <button data-testid="pending-approve" onClick={() => decide(e, "active")}>
            Approve
          </button>
          <button class="danger" data-testid="pending-reject" onClick={() => decide(e, "deleted")}>
            Reject
          </button>
        </div>
      ))}
    </div>
  );
}
