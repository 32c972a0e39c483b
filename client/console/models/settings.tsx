import { useEffect, useState } from "preact/hooks";
import { patch } from "../api.js";
import { ErrorNote, errorText } from "../ui.js";
import type { BaseFamily, BaseModelSuggestion, TrainerSettings } from "./types.js";

export const BASE_MODEL_NAMES: Record<BaseFamily, string> = {
  minilm: "MiniLM (English)",
  "use-multilingual": "USE multilingual (Chinese, Japanese, Korean, 13 more)",
};

export function ScheduleSettings({
  settings,
  nextRunAt,
  suggestion,
  onSaved,
}: {
  settings: TrainerSettings;
  nextRunAt: string | null;
  suggestion: BaseModelSuggestion | null;
  onSaved: () => void;
}) {
  const [cron, setCron] = useState(settings.schedule.cron);
  const [timezone, setTimezone] = useState(settings.schedule.timezone);
  const [enabled, setEnabled] = useState(settings.schedule.enabled);
  const [epsilon, setEpsilon] = useState(String(settings.gate.epsilon));
  const [minAccuracy, setMinAccuracy] = useState(String(settings.gate.minAccuracy));
  const [baseModel, setBaseModel] = useState<BaseFamily>(settings.training.baseModel ?? "minilm");
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    setCron(settings.schedule.cron);
    setTimezone(settings.schedule.timezone);
    setEnabled(settings.schedule.enabled);
  }, [settings.schedule.cron, settings.schedule.timezone, settings.schedule.enabled]);

  async function save(e: Event) {
    e.preventDefault();
    setError(null);
    setSaved(false);
    try {
      await patch("/api/trainer/settings", {
        schedule: { cron, timezone, enabled },
        gate: { epsilon: Number(epsilon), minAccuracy: Number(minAccuracy) },
        // the multilingual base trains with the head recipe only
        training: baseModel === "use-multilingual" ? { baseModel, method: "head" } : { baseModel },
      });
      setSaved(true);
      onSaved();
    } catch (err) {
      setError(errorText(err));
    }
  }

  return (
    <form onSubmit={save} data-testid="schedule-form" class="settings">
      <label>
        Schedule (cron) <input value={cron} onInput={(e) => setCron((e.target as HTMLInputElement).value)} name="cron" />
      </label>
      <label>
        Time zone <input value={timezone} onInput={(e) => setTimezone((e.target as HTMLInputElement).value)} name="timezone" />
      </label>
      <label>
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled((e.target as HTMLInputElement).checked)} /> nightly training
        enabled
      </label>
      <label>
        Gate ε <input value={epsilon} onInput={(e) => setEpsilon((e.target as HTMLInputElement).value)} size={5} />
      </label>
      <label>
        Minimum accuracy <input value={minAccuracy} onInput={(e) => setMinAccuracy((e.target as HTMLInputElement).value)} size={5} />
      </label>
      <label>
        Base model{" "}
        <select name="baseModel" value={baseModel} onChange={(e) => setBaseModel((e.target as HTMLSelectElement).value as BaseFamily)}>
          {(Object.keys(BASE_MODEL_NAMES) as BaseFamily[]).map((f) => (
            <option key={f} value={f}>
              {BASE_MODEL_NAMES[f]}
              {suggestion?.family === f && f !== settings.training.baseModel ? " — suggested" : ""}
            </option>
          ))}
        </select>
      </label>
      {suggestion && suggestion.family !== settings.training.baseModel ? (
        <p class="muted" data-testid="base-model-suggestion">
          Suggested: {BASE_MODEL_NAMES[suggestion.family]}. {suggestion.reason}. A new base model starts a new lineage and passes the same
          gate.
        </p>
      ) : null}
      <button type="submit">Save</button> {saved ? <span class="muted">Saved.</span> : null}
      <p class="muted">Next scheduled run: {nextRunAt ? new Date(nextRunAt).toLocaleString() : "none"}</p>
      <ErrorNote error={error} />
    </form>
  );
}
