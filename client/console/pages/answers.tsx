import { useEffect, useState } from "preact/hooks";
import { ApiError, get, patch, post } from "../api.js";
import type { Answer, Example } from "../types.js";
import { Badge, ErrorNote, errorText, useAction } from "../ui.js";
import { AnswerActionEditor } from "../actions/answerActionEditor.js";

export function AnswersPage({ canManageActions = false }: { canManageActions?: boolean }) {
  const [answers, setAnswers] = useState<Answer[]>([]);
  const [placeholders, setPlaceholders] = useState<{ token: string; description: string }[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [title, setTitle] = useState("");
  const [text, setText] = useState("");
  const action = useAction();
  const { error, setError } = action;
  const load = () =>
    get<{ answers: Answer[] }>("/api/answers").then(
      (r) => setAnswers(r.answers),
      (err) => setError(errorText(err)),
    );
  useEffect(() => {
    void load();
    void get<{ placeholders: { token: string; description: string }[] }>("/api/answers/placeholders").then((r) =>
      setPlaceholders(r.placeholders),
    );
  }, []);
  const create = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      await post("/api/answers", { title, text });
      setTitle("");
      setText("");
      await load();
    });
  };
  return (
    <div class="split">
      <aside class="list">
        <h2>Reply bank</h2>
        {answers.map((a) => (
          <a key={a.id} class={`row ${a.id === selected ? "active" : ""}`} onClick={() => setSelected(a.id)}>
            <strong>{a.title}</strong> <Badge>{a.exampleCount ?? 0} phrasings</Badge>{" "}
            {a.action && <Badge tone="bot">{a.action.name}</Badge>}
            <div class="preview">{a.text}</div>
          </a>
        ))}
        <form class="card" onSubmit={create}>
          <h3>New answer</h3>
          <input placeholder="Title" value={title} onInput={(e) => setTitle(e.currentTarget.value)} required />
          <textarea placeholder="Text" value={text} onInput={(e) => setText(e.currentTarget.value)} required rows={3} />
          <p class="muted small">Placeholders: {placeholders.map((p) => p.token).join(" ")}</p>
          <ErrorNote error={error} />
          <button type="submit">Create</button>
        </form>
      </aside>
      <section class="detail">
        {selected ? (
          <AnswerDetail key={selected} id={selected} answers={answers} onChange={load} canManageActions={canManageActions} />
        ) : (
          <p class="muted">Pick an answer.</p>
        )}
      </section>
    </div>
  );
}

function AnswerDetail({
  id,
  answers,
  onChange,
  canManageActions,
}: {
  id: string;
  answers: Answer[];
  onChange: () => void;
  canManageActions: boolean;
}) {
  const [answer, setAnswer] = useState<Answer | null>(null);
  const [examples, setExamples] = useState<Example[]>([]);
  const [title, setTitle] = useState("");
  const [text, setText] = useState("");
  // one line per language the widget speaks besides the main text; empty means "no translation"
  const [translated, setTranslated] = useState<Record<string, string>>({});
  const [into, setInto] = useState("");
  const action = useAction();
  const { error } = action;
  const load = () =>
    get<{ answer: Answer; examples: Example[] }>(`/api/answers/${id}`).then((r) => {
      setAnswer(r.answer);
      setExamples(r.examples);
      setTitle(r.answer.title);
      setText(r.answer.text);
      setTranslated(Object.fromEntries((r.answer.translations ?? []).map((t) => [t.language, t.text])));
    });
  useEffect(() => void load(), [id]);
  const run = (fn: () => Promise<unknown>) =>
    action.run(
      async () => {
        await fn();
        await load();
        onChange();
      },
      // 409: someone else saved first; show theirs so the agent can redo the change on top of it.
      (err) => {
        if (err instanceof ApiError && err.status === 409 && err.details?.current) setAnswer(err.details.current as Answer);
      },
    );
  if (!answer) return null;
  return (
    <div class="page">
      <h2>
        {answer.title} <Badge>{answer.status}</Badge>
      </h2>
      <label>
        Title
        <input value={title} onInput={(e) => setTitle(e.currentTarget.value)} />
      </label>
      <label>
        Text
        <textarea rows={4} value={text} onInput={(e) => setText(e.currentTarget.value)} />
      </label>
      {[...new Set(["zh-CN", ...Object.keys(translated)])].map((lang) => (
        <label key={lang}>
          Text in {lang === "zh-CN" ? "Chinese (zh-CN)" : lang} <small class="muted">sent to customers who write in it</small>
          <textarea
            rows={3}
            name={`translation-${lang}`}
            value={translated[lang] ?? ""}
            onInput={(e) => setTranslated({ ...translated, [lang]: e.currentTarget.value })}
          />
        </label>
      ))}
      <div class="actions">
        <button
          onClick={() =>
            run(() =>
              patch(`/api/answers/${id}`, {
                version: answer.version,
                title,
                text,
                translations: Object.entries(translated)
                  .filter(([, t]) => t.trim())
                  .map(([language, t]) => ({ language, text: t })),
              }),
            )
          }
        >
          Save
        </button>
        <button class="danger" onClick={() => run(() => post(`/api/answers/${id}/retire`, { version: answer.version }))}>
          Retire
        </button>
        <select value={into} onChange={(e) => setInto(e.currentTarget.value)}>
          <option value="">Merge into…</option>
          {answers
            .filter((a) => a.id !== id)
            .map((a) => (
              <option key={a.id} value={a.id}>
                {a.title}
              </option>
            ))}
        </select>
        <button class="secondary" disabled={!into} onClick={() => run(() => post(`/api/answers/${id}/merge`, { intoId: into }))}>
          Merge
        </button>
      </div>
      <ErrorNote error={error} />
      {canManageActions ? (
        <AnswerActionEditor
          answer={answer}
          text={text}
          onSaved={() => void load().then(onChange)}
          onConflict={(current) => {
            setAnswer(current);
            setText(current.text);
          }}
        />
      ) : answer.action ? (
        <p class="muted small" data-testid="answer-action">
          Calls the action <code>{answer.action.name}</code>
          {answer.action.slots.length ? <> with {answer.action.slots.map((s) => s.name).join(", ")}</> : null} (an admin changes it).
        </p>
      ) : null}
      <h3>Customer phrasings</h3>
      <ul>
        {examples.map((e) => (
          <li key={e.id}>
            {e.question} {e.golden && <Badge tone="agent">golden</Badge>}{" "}
            {e.polarity === "negative" && <Badge tone="waiting">negative</Badge>}
          </li>
        ))}
      </ul>
    </div>
  );
}
