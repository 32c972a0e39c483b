import { useEffect, useState } from "preact/hooks";
import { get, post } from "../api.js";
import { ErrorNote, errorText, when } from "../ui.js";

// The server's cluster, dates as ISO strings on the wire (a type-only import).
import type { QuestionCluster as Cluster } from "../../../server/nextAnswers/questionClusterer.js";

function Sparkline({ daily }: { daily: number[] }) {
  const max = Math.max(1, ...daily);
  return (
    <span style="display:inline-flex;align-items:flex-end;gap:1px;height:20px" title="questions per day, last 30 days">
      {daily.map((n, i) => (
        <span key={i} style={`width:3px;height:${Math.max(1, Math.round((n / max) * 20))}px;background:${n ? "var(--accent)" : "var(--line)"}`} />
      ))}
    </span>
  );
}

interface NextAnswers {
  questions: number;
  clusters: Cluster[];
  // The base family the questions were embedded in and the cosine they were grouped at (its default).
  baseModel: string;
  similarity: number;
}

/** Handed-off questions no answer covers, grouped by meaning, biggest first: the answers worth writing next. */
export function NextAnswersPage() {
  const [data, setData] = useState<NextAnswers | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = () => get<NextAnswers>("/api/next-answers?days=30").then(setData, (err) => setError(errorText(err)));
  useEffect(() => void load(), []);
  return (
    <div class="page">
      <h2>What to answer next</h2>
      <p class="muted small">Questions the bot handed off in the last 30 days that no answer covers yet, grouped by meaning. Writing an answer here takes the questions along as phrasings to review.</p>
      <ErrorNote error={error} />
      {!data && !error && <p class="muted">Grouping questions…</p>}
      {data && data.clusters.length === 0 && <p class="muted">Every handed-off question is covered.</p>}
      {data && data.clusters.length > 0 && (
        <p class="muted small" data-testid="next-answers-grouping">
          {data.questions} question(s), grouped at similarity {data.similarity.toFixed(2)} ({data.baseModel} base model).
        </p>
      )}
      {data?.clusters.map((c) => <ClusterCard key={c.questionIds[0]} cluster={c} onCreated={load} />)}
    </div>
  );
}

function ClusterCard({ cluster: c, onCreated }: { cluster: Cluster; onCreated: () => void }) {
  const [open, setOpen] = useState(false);
  const [title, setTitle] = useState(c.label.slice(0, 80));
  const [text, setText] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const create = async () => {
    setError(null);
    try {
      const r = await post<{ pendingExamples: number }>("/api/next-answers", { title, text, questionIds: c.questionIds });
      setDone(`Answer created; ${r.pendingExamples} question(s) wait in the review queue (Pending examples).`);
      setTimeout(onCreated, 1500);
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <div class="card" data-testid="question-cluster">
      <div class="actions">
        <strong style="flex:1">{c.label}</strong>
        <span class="small" data-testid="cluster-count">
          {c.count} question(s) · {c.last7Days} in 7 days · {c.last30Days} in 30 days
        </span>
        <Sparkline daily={c.daily} />
      </div>
      <ul class="small muted">
        {c.examples.map((e) => (
          <li key={e.messageId}>
            “{e.text}” · {when(e.at)} · <a href={`#/conversations/${e.conversationId}`}>conversation</a>
          </li>
        ))}
      </ul>
      {done ? (
        <p class="small">{done}</p>
      ) : open ? (
        <div>
          <label>
            Title
            <input data-testid="cluster-title" value={title} onInput={(e) => setTitle(e.currentTarget.value)} />
          </label>
          <label>
            Answer
            <textarea data-testid="cluster-answer" rows={3} value={text} onInput={(e) => setText(e.currentTarget.value)} />
          </label>
          <button data-testid="cluster-create" disabled={!title.trim() || !text.trim()} onClick={create}>
            Create answer
          </button>
        </div>
      ) : (
        <button class="secondary" data-testid="cluster-write" onClick={() => setOpen(true)}>
          Write the answer
        </button>
      )}
      <ErrorNote error={error} />
    </div>
  );
}
