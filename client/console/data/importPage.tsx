import { useEffect, useState } from "preact/hooks";
import { ApiError, get, post, upload } from "../api.js";
import { Badge, ErrorNote, errorText, when } from "../ui.js";
import { ImportReportView, type ImportReport } from "./importReport.js";
import { ExportPanel } from "./exportPanel.js";

type Kind = "faq" | "conversations";
interface Mapping {
  answer?: string;
  questions: string[];
  title?: string;
  topic?: string;
}
interface ImportView {
  id: string;
  kind: string;
  format: string;
  fileName: string | null;
  mode: string;
  state: string;
  counts: Record<string, number>;
  error: string | null;
  createdAt: string | null;
}

const formatFor = (name: string, kind: Kind) => {
  const ext = name.toLowerCase().split(".").pop();
  if (kind === "conversations") return ext === "csv" ? "transcript" : "openai";
  return ext === "tsv" || ext === "tab" ? "tsv" : ext === "jsonl" || ext === "json" ? "jsonl" : "csv";
};

/** Import (upload → column mapping → preview → dry run → import with progress) and export, on one admin page. */
export function ImportPage() {
  const [kind, setKind] = useState<Kind>("faq");
  const [file, setFile] = useState<File | null>(null);
  const [format, setFormat] = useState("csv");
  const [columns, setColumns] = useState<{ columns: string[]; sample: string[][] } | null>(null);
  const [mapping, setMapping] = useState<Mapping>({ questions: [] });
  const [similarity, setSimilarity] = useState("0.9");
  const [dry, setDry] = useState<{ file: { sha256: string; bytes: number }; report: ImportReport } | null>(null);
  const [mode, setMode] = useState<"approved" | "review">("review");
  const [running, setRunning] = useState<ImportView | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [problems, setProblems] = useState<{ line: number; message: string }[]>([]);
  const [imports, setImports] = useState<ImportView[]>([]);
  const loadImports = () => get<{ imports: ImportView[] }>("/api/imports").then((r) => setImports(r.imports), (err) => setError(errorText(err)));
  useEffect(() => void loadImports(), []);

  const fail = (err: unknown) => {
    setError(errorText(err));
    setProblems(err instanceof ApiError ? ((err.details?.problems ?? []) as { line: number; message: string }[]) : []);
  };
  const reset = () => {
    setDry(null);
    setRunning(null);
    setError(null);
    setProblems([]);
  };
  const choose = async (f: File | null, k = kind) => {
    reset();
    setFile(f);
    setColumns(null);
    if (!f) return;
    const fmt = formatFor(f.name, k);
    setFormat(fmt);
    if (fmt === "csv" || fmt === "tsv") {
      try {
        const c = await upload<{ columns: string[]; suggested: Mapping; sample: string[][] }>(`/api/imports/columns?format=${fmt}`, f);
        setColumns(c);
        setMapping({ ...c.suggested, questions: c.suggested.questions ?? [] });
      } catch (err) {
        fail(err);
      }
    }
  };
  const query = () => {
    const q = new URLSearchParams({ kind, format, fileName: file?.name ?? "upload" });
    if (columns && kind === "faq") {
      if (mapping.answer) q.set("answer", mapping.answer);
      if (mapping.questions.length) q.set("questions", mapping.questions.join(","));
      if (mapping.title) q.set("title", mapping.title);
      if (mapping.topic) q.set("topic", mapping.topic);
    }
    if (kind === "conversations") q.set("similarity", similarity);
    return q;
  };
  const dryRun = async () => {
    if (!file) return;
    reset();
    setBusy(true);
    try {
      setDry(await upload(`/api/imports/dry-run?${query()}`, file));
    } catch (err) {
      fail(err);
    } finally {
      setBusy(false);
    }
  };
  const apply = async () => {
    if (!file || !dry) return;
    setBusy(true);
    setError(null);
    try {
      const q = query();
      q.set("mode", mode);
      q.set("expectSha256", dry.file.sha256);
      let imp = (await upload<{ import: ImportView }>(`/api/imports?${q}`, file)).import;
      setRunning(imp);
      while (imp.state === "applying") {
        await new Promise((r) => setTimeout(r, 300));
        imp = (await get<{ import: ImportView }>(`/api/imports/${imp.id}`)).import;
        setRunning(imp);
      }
      if (imp.state === "failed") setError(`The import failed and was taken out again: ${imp.error}`);
      void loadImports();
    } catch (err) {
      fail(err);
    } finally {
      setBusy(false);
    }
  };
  const undo = async (id: string) => {
    if (!confirm("Remove every answer and phrasing this import created?")) return;
    try {
      await post(`/api/imports/${id}/undo`);
      void loadImports();
    } catch (err) {
      fail(err);
    }
  };
  const trainNow = async () => {
    try {
      await post("/api/runs", {});
      location.hash = "#/models";
    } catch (err) {
      fail(err);
    }
  };
  const planned = running ? (running.counts.answersPlanned ?? 0) + (running.counts.examplesPlanned ?? 0) : 0;
  const written = running ? (running.counts.answersWritten ?? 0) + (running.counts.examplesWritten ?? 0) : 0;
  const pick = (key: "answer" | "title" | "topic") => (
    <label class="small">
      {key === "answer" ? "Answer column" : `${key[0].toUpperCase()}${key.slice(1)} column`}
      <select data-testid={`map-${key}`} value={mapping[key] ?? ""} onChange={(e) => (setMapping({ ...mapping, [key]: e.currentTarget.value || undefined }), setDry(null))}>
        <option value="">{key === "answer" ? "(choose)" : "(none)"}</option>
        {columns!.columns.map((c) => (
          <option key={c} value={c}>
            {c}
          </option>
        ))}
      </select>
    </label>
  );

  return (
    <div class="page">
      <h2>Import</h2>
      <p class="muted small">
        Bring in an FAQ sheet (CSV, TSV or JSONL: one answer per row with one or many phrasings) or past conversations (OpenAI fine-tuning JSONL, or a CSV transcript with conversation id, role,
        text, time). A dry run shows what would change; nothing is written until you import.
      </p>
      <div class="tabs">
        <button class={kind === "faq" ? "" : "secondary"} data-testid="kind-faq" onClick={() => (setKind("faq"), choose(file, "faq"))}>
          FAQ file
        </button>
        <button class={kind === "conversations" ? "" : "secondary"} data-testid="kind-conversations" onClick={() => (setKind("conversations"), choose(file, "conversations"))}>
          Past conversations
        </button>
      </div>
      <div class="card">
        <label>
          File
          <input type="file" data-testid="import-file" accept=".csv,.tsv,.tab,.jsonl,.json,.txt" onChange={(e) => choose(e.currentTarget.files?.[0] ?? null)} />
        </label>
        <label class="small">
          Format{" "}
          <select data-testid="import-format" value={format} onChange={(e) => (setFormat(e.currentTarget.value), setDry(null))}>
            {(kind === "faq" ? ["csv", "tsv", "jsonl"] : ["openai", "transcript"]).map((f) => (
              <option key={f} value={f}>
                {f}
              </option>
            ))}
          </select>
        </label>
        {kind === "conversations" && (
          <label class="small">
            Collapse agent replies at least this similar (1 = identical only){" "}
            <input data-testid="import-similarity" type="number" min="0.5" max="1" step="0.01" value={similarity} onInput={(e) => (setSimilarity(e.currentTarget.value), setDry(null))} />
          </label>
        )}
        {columns && kind === "faq" && (
          <div data-testid="column-mapping">
            <h3>Columns</h3>
            <div class="actions">
              {pick("answer")}
              {pick("title")}
              {pick("topic")}
            </div>
            <div class="small">
              Question columns:{" "}
              {columns.columns.map((c) => (
                <label key={c} class="small" style="display:inline-block;margin-right:10px">
                  <input
                    type="checkbox"
                    data-testid={`map-question-${c}`}
                    checked={mapping.questions.includes(c)}
                    onChange={(e) => (setMapping({ ...mapping, questions: e.currentTarget.checked ? [...mapping.questions, c] : mapping.questions.filter((q) => q !== c) }), setDry(null))}
                  />{" "}
                  {c}
                </label>
              ))}
            </div>
            <h3>Preview</h3>
            <table data-testid="import-preview">
              <thead>
                <tr>
                  {columns.columns.map((c) => (
                    <th key={c}>{c}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {columns.sample.map((row, i) => (
                  <tr key={i}>
                    {row.map((cell, j) => (
                      <td key={j} class="small">
                        {cell.length > 120 ? `${cell.slice(0, 120)}…` : cell}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <div class="actions">
          <button data-testid="dry-run" disabled={!file || busy} onClick={dryRun}>
            {busy && !dry ? "Reading…" : "Dry run"}
          </button>
        </div>
      </div>
      <ErrorNote error={error} />
      {problems.length > 0 && (
        <ul class="error small" data-testid="import-problems">
          {problems.map((p) => (
            <li key={`${p.line}-${p.message}`}>
              line {p.line}: {p.message}
            </li>
          ))}
        </ul>
      )}
      {dry && (
        <div class="card">
          <h3>Dry run</h3>
          <ImportReportView report={dry.report} />
          <div class="actions" style="margin-top:10px">
            <label class="small">
              <input type="radio" name="mode" data-testid="mode-approved" checked={mode === "approved"} onChange={() => setMode("approved")} /> Approved (trains on the next run)
            </label>
            <label class="small">
              <input type="radio" name="mode" data-testid="mode-review" checked={mode === "review"} onChange={() => setMode("review")} /> To review (agents approve them in the review queue)
            </label>
            <button data-testid="apply-import" disabled={busy || dry.report.nothingToImport || running?.state === "applied"} onClick={apply}>
              Import
            </button>
          </div>
          {running && (
            <div data-testid="import-progress">
              <progress value={running.state === "applying" ? written : planned} max={Math.max(planned, 1)} style="width:100%" />
              <div class="small">
                <Badge tone={running.state === "applied" ? "agent" : running.state === "failed" ? "waiting" : ""}>{running.state}</Badge> {written} of {planned} records written
                {running.state === "applied" && (
                  <>
                    {" "}
                    ·{" "}
                    <button class="link" data-testid="train-now" onClick={trainNow}>
                      Train now
                    </button>
                  </>
                )}
              </div>
            </div>
          )}
        </div>
      )}
      <h3>Recent imports</h3>
      <table data-testid="imports-table">
        <thead>
          <tr>
            <th>File</th>
            <th>Kind</th>
            <th>Mode</th>
            <th>State</th>
            <th>Written</th>
            <th>When</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {imports.map((i) => (
            <tr key={i.id} data-testid="import-row">
              <td>{i.fileName ?? "—"}</td>
              <td>
                {i.kind} ({i.format})
              </td>
              <td>{i.mode}</td>
              <td>{i.state}</td>
              <td class="small">
                {i.counts.answersWritten ?? 0} answers, {i.counts.examplesWritten ?? 0} phrasings
              </td>
              <td class="small">{when(i.createdAt)}</td>
              <td>
                {i.state === "applied" && (
                  <button class="danger" onClick={() => undo(i.id)}>
                    Undo
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <ExportPanel />
    </div>
  );
}
