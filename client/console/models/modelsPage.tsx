import { useCallback, useEffect, useState } from "preact/hooks";
import { get, post } from "../api.js";
import { ErrorNote, errorText } from "../ui.js";
import { ModelAnalytics } from "./analytics.js";
import { VersionReport } from "./report.js";
import { RunDetail, RunsList, isRunActive, type SnapshotSummary } from "./runs.js";
import { ScheduleSettings } from "./settings.js";
import { VersionsTable } from "./versions.js";
import type { DailyStats, Pointer, Run, TrainerSettings, VersionDetail, VersionRow, BaseModelSuggestion } from "./types.js";

interface ModelsResponse {
  active: Pointer;
  serving: string | null;
  versions: VersionRow[];
}

/**
 * The admin's view of the nightly loop: which version answers customers, every version with its metrics
 * and gate verdict, runs with their curves and logs, the schedule, and per-version daily analytics.
 */
export function ModelsPage() {
  const [models, setModels] = useState<ModelsResponse | null>(null);
  const [runs, setRuns] = useState<Run[]>([]);
  const [selectedRun, setSelectedRun] = useState<string | null>(null);
  const [runDetail, setRunDetail] = useState<{ run: Run; snapshot: SnapshotSummary | null } | null>(null);
  const [selectedVersion, setSelectedVersion] = useState<string | null>(null);
  const [detail, setDetail] = useState<VersionDetail | null>(null);
  const [settings, setSettings] = useState<{
    settings: TrainerSettings;
    nextRunAt: string | null;
    baseModelSuggestion?: BaseModelSuggestion;
  } | null>(null);
  const [analytics, setAnalytics] = useState<DailyStats[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const refresh = useCallback(async () => {
    try {
      const [m, r] = await Promise.all([get<ModelsResponse>("/api/models"), get<{ runs: Run[] }>("/api/runs?limit=20")]);
      setModels(m);
      setRuns(r.runs);
    } catch (err) {
      setError(errorText(err));
    }
  }, []);

  useEffect(() => {
    void refresh();
    get<{ settings: TrainerSettings; nextRunAt: string | null; baseModelSuggestion?: BaseModelSuggestion }>("/api/trainer/settings").then(
      setSettings,
      (e) => setError(errorText(e)),
    );
    get<{ rows: DailyStats[] }>("/api/analytics/models?days=14").then(
      (a) => setAnalytics(a.rows),
      (e) => setError(errorText(e)),
    );
  }, [refresh]);

  // While a run is in progress, follow it every second (progress, then the new version when it lands).
  const running = runs.some(isRunActive);
  useEffect(() => {
    if (!running) return;
    const id = setInterval(() => void refresh(), 1000);
    return () => clearInterval(id);
  }, [running, refresh]);

  useEffect(() => {
    const id = selectedRun ?? runs[0]?.id;
    if (!id) return;
    get<{ run: Run; snapshot: SnapshotSummary | null }>(`/api/runs/${id}`).then(setRunDetail, (e) => setError(errorText(e)));
  }, [selectedRun, runs]);

  useEffect(() => {
    const v = selectedVersion ?? models?.active.version ?? models?.versions[0]?.version;
    if (!v) return;
    get<{ version: VersionDetail }>(`/api/models/${v}`).then(
      (d) => setDetail(d.version),
      (e) => setError(errorText(e)),
    );
  }, [selectedVersion, models]);

  async function act(label: string, fn: () => Promise<unknown>) {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      await fn();
      setNotice(label);
      await refresh();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  const pointer = models?.active;
  const titles = new Map((detail?.report?.perLabelDelta ?? []).map((d) => [d.answerId, d.title ?? d.answerId]));
  const answerTitle = (id: string) => titles.get(id) ?? id;

  return (
    <div class="page">
      <h2>Models</h2>
      <ErrorNote error={error} />
      {notice ? (
        <p class="notice" role="status">
          {notice}
        </p>
      ) : null}
      <section class="active-version" data-testid="active-version">
        <p>
          Answering customers: <strong data-testid="active-name">{pointer?.version ?? "no model (every message goes to an agent)"}</strong>
          {pointer?.pinned ? " (pinned: nightly runs will not replace it)" : ""}
          {models && models.serving !== pointer?.version ? <em> — this server is switching…</em> : null}
        </p>
        <button
          disabled={busy || !pointer?.previousVersion}
          data-testid="rollback"
          onClick={() => act(`Rolled back to ${pointer?.previousVersion}`, () => post("/api/models/rollback", {}))}
        >
          Roll back{pointer?.previousVersion ? ` to ${pointer.previousVersion}` : ""}
        </button>{" "}
        <button
          disabled={busy || !pointer?.version}
          data-testid="pin"
          onClick={() => act(pointer?.pinned ? "Unpinned" : "Pinned", () => post("/api/models/pin", { pinned: !pointer?.pinned }))}
        >
          {pointer?.pinned ? "Unpin" : "Pin"}
        </button>{" "}
        <button disabled={busy || running} data-testid="train-now" onClick={() => act("Training run queued", () => post("/api/runs", {}))}>
          Train now
        </button>
      </section>

      <h3>Versions</h3>
      {models ? (
        <VersionsTable
          versions={models.versions}
          pointer={models.active}
          busy={busy}
          onSelect={setSelectedVersion}
          onPromote={(v) => act(`Promoted ${v}`, () => post(`/api/models/${v}/promote`, {}))}
          onRollbackTo={(v) => act(`Rolled back to ${v}`, () => post("/api/models/rollback", { version: v }))}
        />
      ) : (
        <p class="muted">Loading…</p>
      )}
      {detail ? <VersionReport v={detail} answerTitle={answerTitle} /> : null}

      <h3>Training runs</h3>
      <RunsList runs={runs} selected={selectedRun ?? runs[0]?.id ?? null} onSelect={setSelectedRun} />
      {runDetail ? <RunDetail run={runDetail.run} snapshot={runDetail.snapshot} /> : null}

      <h3>Daily analytics per version</h3>
      <ModelAnalytics rows={analytics} />

      <h3>Schedule</h3>
      {settings ? (
        <ScheduleSettings
          settings={settings.settings}
          nextRunAt={settings.nextRunAt}
          suggestion={settings.baseModelSuggestion ?? null}
          onSaved={() =>
            get<{ settings: TrainerSettings; nextRunAt: string | null; baseModelSuggestion?: BaseModelSuggestion }>(
              "/api/trainer/settings",
            ).then(setSettings)
          }
        />
      ) : null}
    </div>
  );
}
