import { useEffect, useState } from "preact/hooks";
import { ApiError, get, patch } from "../api.js";
import type { Answer, AnswerAction } from "../types.js";
import { ErrorNote, errorText } from "../ui.js";

interface ActionSummary {
  id: string;
  name: string;
  replyFields: string[];
  status: string;
}

type SlotDraft = AnswerAction["slots"][number];
const emptySlot = (): SlotDraft => ({ name: "", pattern: "", prompt: "" });
const SLOT_FIELDS: [keyof SlotDraft, string, string][] = [
  ["name", "Slot name", "order_number"],
  ["pattern", "Slot pattern", "(\\d{4,8})"],
  ["prompt", "Slot prompt", "What is your order number?"],
];

// The server's zod issues name the field ("action.slots.0.pattern"); the admin reads "slot 1 pattern".
function problem(err: unknown): string {
  if (!(err instanceof ApiError)) return errorText(err);
  if (Array.isArray(err.details) && err.details.length)
    return err.details
      .map(
        (d: { path: string; message: string }) =>
          `${d.path
            .replace(/^action\.slots\.(\d+)\.?/, (_m, i: string) => `slot ${Number(i) + 1} `)
            .replace(/^action\.?/, "action ")
            .trim()}: ${d.message}`,
      )
      .join("; ");
  return err.message;
}

/**
 * The action an answer calls and the slots it fills from the customer's messages (admins only: an action calls
 * a service outside). Saved with the answer's text in one change, so the text's {{fields}} are checked against
 * the action they will be filled from.
 */
export function AnswerActionEditor({
  answer,
  text,
  onSaved,
  onConflict,
}: {
  answer: Answer;
  text: string;
  onSaved: () => void;
  onConflict: (current: Answer) => void;
}) {
  const [actions, setActions] = useState<ActionSummary[]>([]);
  const [name, setName] = useState(answer.action?.name ?? "");
  const [slots, setSlots] = useState<SlotDraft[]>(answer.action?.slots.map((s) => ({ ...s })) ?? []);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    void get<{ actions: ActionSummary[] }>("/api/actions").then(
      (r) => setActions(r.actions),
      (err) => setError(errorText(err)),
    );
  }, []);
  useEffect(() => {
    setName(answer.action?.name ?? "");
    setSlots(answer.action?.slots.map((s) => ({ ...s })) ?? []);
  }, [answer.id, answer.version]);

  const chosen = actions.find((a) => a.name === name);
  const setSlot = (i: number, k: keyof SlotDraft, v: string) => setSlots(slots.map((s, j) => (j === i ? { ...s, [k]: v } : s)));
  const save = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setSaved(false);
    try {
      await patch(`/api/answers/${answer.id}`, { version: answer.version, text, action: name ? { name, slots } : null });
      setSaved(true);
      onSaved();
    } catch (err) {
      if (err instanceof ApiError && err.status === 409 && err.details?.current) onConflict(err.details.current as Answer);
      setError(problem(err));
    }
  };

  return (
    <form class="card" onSubmit={save} data-testid="answer-action">
      <h3>Live data</h3>
      <label>
        Action
        <select value={name} onChange={(e) => setName(e.currentTarget.value)} aria-label="Action">
          <option value="">none: the text as written</option>
          {actions.map((a) => (
            <option key={a.id} value={a.name}>
              {a.name}
              {a.status !== "active" ? ` (${a.status})` : ""}
            </option>
          ))}
        </select>
      </label>
      {name && (
        <>
          <p class="muted small">
            The text may use{" "}
            {[...(chosen?.replyFields ?? []), ...slots.map((s) => s.name).filter(Boolean)].map((f) => `{{${f}}}`).join(" ") ||
              "no fields yet"}
            . Each slot is read from the customer's messages with its pattern (the first group, or the whole match); a missing one is asked
            for once with its prompt.
          </p>
          {slots.map((s, i) => (
            <fieldset key={i} class="slot" data-testid="slot-row">
              {SLOT_FIELDS.map(([field, label, placeholder]) => (
                <input
                  key={field}
                  placeholder={placeholder}
                  value={s[field]}
                  onInput={(e) => setSlot(i, field, e.currentTarget.value)}
                  aria-label={label}
                  required
                />
              ))}
              <button type="button" class="secondary" onClick={() => setSlots(slots.filter((_, j) => j !== i))}>
                Remove slot
              </button>
            </fieldset>
          ))}
          {slots.length < 5 && (
            <button type="button" class="secondary" onClick={() => setSlots([...slots, emptySlot()])}>
              Add slot
            </button>
          )}
        </>
      )}
      <ErrorNote error={error} />
      {saved && (
        <p class="muted small" data-testid="action-saved">
          Saved.
        </p>
      )}
      <button type="submit">Save action</button>
    </form>
  );
}
