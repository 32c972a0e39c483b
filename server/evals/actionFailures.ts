import { ActionCall } from "../models/actionCall.js";
import { Message } from "../models/message.js";
import type { ActionAnswerErrors, ActionsReport, LiveActionOutcomes } from "./types.js";

// Hand-offs the model caused (it was asked and declined or failed). An `action_*` hand-off came after the model
// picked an answer: the service (or the missing slot) sent the customer to a person, not the model.
export const MODEL_HANDOFF_REASONS: ReadonlySet<string> = new Set(["out_of_scope", "low_confidence", "unknown_answer", "model_error"]);
export const isActionHandoff = (reason: string): boolean => reason.startsWith("action_");

const bump = (m: Record<string, number>, k: string) => (m[k] = (m[k] ?? 0) + 1);

/**
 * What answers with actions met live over the eval window: every logged call (previews left out) by outcome,
 * and the bot's hand-offs split into the actions' and the model's. Counts only, from the call log and the
 * hand-off notices.
 */
export async function liveActionOutcomes(since: Date, until: Date): Promise<LiveActionOutcomes> {
  const window = { $gte: since, $lte: until };
  const calls = await ActionCall.find({ createdAt: window, preview: { $ne: true } }, { outcome: 1 }).lean();
  const byOutcome: Record<string, number> = {};
  for (const c of calls) if (c.outcome !== "ok") bump(byOutcome, c.outcome);
  const notices = await Message.find({ createdAt: window, role: "system", handoffReason: { $ne: null } }, { handoffReason: 1 }).lean();
  const byReason: Record<string, number> = {};
  let action = 0;
  let model = 0;
  for (const n of notices) {
    const reason = n.handoffReason!;
    if (isActionHandoff(reason)) {
      action++;
      bump(byReason, reason);
    } else if (MODEL_HANDOFF_REASONS.has(reason)) model++;
  }
  return {
    calls: calls.length,
    failedCalls: calls.length - calls.filter((c) => c.outcome === "ok").length,
    byOutcome,
    actionHandoffs: action,
    actionHandoffsByReason: byReason,
    modelHandoffs: model,
  };
}

/**
 * The model's own mistakes on answers that call an action, from the scored suites: questions of such an
 * answer it gave another answer (missed), and questions of other answers it sent to this one (which would
 * call the action for the wrong question).
 */
export function actionAnswerErrors(
  actionAnswers: { answerId: string; title: string | null; action: string }[],
  scored: { truth: string[]; predicted: string[] }[],
): { answers: ActionAnswerErrors[]; modelErrors: number } {
  const ids = new Set(actionAnswers.map((a) => a.answerId));
  // Distinct wrong cases: one question of one action answer sent to another counts once here, on both rows below.
  const modelErrors = scored.reduce(
    (n, s) => n + s.truth.filter((t, i) => s.predicted[i] !== t && (ids.has(t) || ids.has(s.predicted[i]))).length,
    0,
  );
  const answers = actionAnswers.map((a) => {
    let cases = 0;
    let missed = 0;
    let wronglyPicked = 0;
    for (const s of scored) {
      s.truth.forEach((t, i) => {
        if (t === a.answerId) {
          cases++;
          if (s.predicted[i] !== t) missed++;
        } else if (s.predicted[i] === a.answerId) wronglyPicked++;
      });
    }
    return { ...a, cases, modelErrors: missed + wronglyPicked, missed, wronglyPicked };
  });
  return { answers, modelErrors };
}

/** The report's actions part; null when no answer has an action and nothing action-related happened live. */
export function actionsReport(
  days: number,
  since: Date,
  offline: { answers: ActionAnswerErrors[]; modelErrors: number },
  live: LiveActionOutcomes,
): ActionsReport | null {
  if (!offline.answers.length && !live.calls && !live.actionHandoffs) return null;
  return {
    days,
    since: since.toISOString(),
    answers: offline.answers,
    live,
    modelErrors: offline.modelErrors,
    actionFailures: live.actionHandoffs,
  };
}
