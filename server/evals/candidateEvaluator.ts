import { accuracy, confusionPairs, coverageAtPrecision, expectedCalibrationError, macroF1, perLabelF1 } from "../../trainer/index.js";
import { Answer } from "../models/answer.js";
import { Message } from "../models/message.js";
import type { SnapshotAttrs } from "../models/snapshot.js";
import type { ModelPredictor } from "../bot/predictor.js";
import { meanBleu } from "./bleu.js";
import { actionAnswerErrors, actionsReport, liveActionOutcomes } from "./actionFailures.js";
import type { EvalReport, FailedCase, OutOfScopeReport, OutOfScopeRates, SuiteMetrics } from "./types.js";

type SnapshotExample = SnapshotAttrs["examples"][number];

interface Case {
  exampleId: string;
  text: string;
  previousTurn: string | null;
  label: string;
  mustPass: boolean;
  /** The reply an agent approved for this question: the real message when there is one, else the answer text. */
  reference: string;
}

interface Scored {
  metrics: SuiteMetrics;
  predicted: string[];
  confidences: number[];
}

async function score(predictor: ModelPredictor, cases: Case[], answerText: Map<string, string>, targetPrecision: number): Promise<Scored> {
  const predicted: string[] = [];
  const confidences: number[] = [];
  const answered: boolean[] = [];
  for (const c of cases) {
    const p = await predictor.predict(c.text, c.previousTurn ?? undefined);
    predicted.push(p.label);
    confidences.push(p.confidence);
    answered.push(answers(p));
  }
  const truth = cases.map((c) => c.label);
  const correct = truth.map((t, i) => t === predicted[i]);
  const answeredCount = answered.filter(Boolean).length;
  return {
    predicted,
    confidences,
    metrics: {
      count: cases.length,
      accuracy: accuracy(truth, predicted),
      macroF1: macroF1(truth, predicted),
      coverage: cases.length ? answeredCount / cases.length : 0,
      answeredPrecision: answeredCount ? correct.filter((ok, i) => ok && answered[i]).length / answeredCount : null,
      coverageAtTarget: coverageAtPrecision(confidences, correct, targetPrecision),
      ece: expectedCalibrationError(confidences, correct),
      bleu: meanBleu(
        predicted.map((l) => answerText.get(l) ?? ""),
        cases.map((c) => c.reference),
      ),
      perLabelF1: perLabelF1(truth, predicted),
      confusionPairs: confusionPairs(truth, predicted),
    },
  };
}

/**
 * Scores the candidate (and the active version, on the very same cases) on three suites: the golden set,
 * the snapshot's held-out split, and a replay of the questions agents approved in the last `replayDays`
 * (the `replayMax` most recent of them).
 */
export async function candidateEvaluator(opts: {
  snapshot: Pick<SnapshotAttrs, "examples">;
  candidate: ModelPredictor;
  candidateVersion: string;
  active: ModelPredictor | null;
  activeVersion: string | null;
  replayDays: number;
  replayMax?: number;
  targetPrecision: number;
  /** Per answer, [answered, total] of its questions by the candidate's folds that never saw that answer. */
  candidateNovel?: Record<string, [number, number]> | null;
  now?: Date;
}): Promise<EvalReport> {
  const answers = await Answer.find({}, { text: 1, title: 1, action: 1, status: 1 }).lean();
  const answerText = new Map(answers.map((a) => [String(a._id), a.text]));
  const answerTitle = new Map(answers.map((a) => [String(a._id), a.title]));

  const now = opts.now ?? new Date();
  const since = new Date(now.getTime() - opts.replayDays * 86400000);
  const replayRows = opts.snapshot.examples
    .filter(
      (e) =>
        e.polarity === "positive" &&
        e.split !== "golden" &&
        (e.lineage?.sourceKind === "bot_reply" || e.lineage?.sourceKind === "agent_reply") &&
        e.lineage?.approvedAt &&
        new Date(e.lineage.approvedAt) >= since,
    )
    .sort((a, b) => new Date(b.lineage!.approvedAt!).getTime() - new Date(a.lineage!.approvedAt!).getTime())
    .slice(0, opts.replayMax ?? Infinity);
  const replyIds = replayRows.map((e) => e.lineage?.replyMessageId).filter((x): x is string => !!x);
  const replies = replyIds.length ? await Message.find({ _id: { $in: replyIds } }, { text: 1 }).lean() : [];
  const replyText = new Map(replies.map((m) => [String(m._id), m.text]));

  const toCase = (e: SnapshotExample): Case => ({
    exampleId: e.exampleId!,
    text: e.text!,
    previousTurn: e.previousTurn ?? null,
    label: e.label!,
    mustPass: !!e.mustPass,
    reference: (e.lineage?.replyMessageId && replyText.get(e.lineage.replyMessageId)) || answerText.get(e.label!) || "",
  });
  const suites: Record<string, Case[]> = {
    golden: opts.snapshot.examples.filter((e) => e.split === "golden").map(toCase),
    heldout: opts.snapshot.examples.filter((e) => e.split === "heldout" && e.polarity === "positive").map(toCase),
    replay: replayRows.map(toCase),
  };

  const report: EvalReport = {
    candidateVersion: opts.candidateVersion,
    activeVersion: opts.activeVersion,
    targetPrecision: opts.targetPrecision,
    suites: {},
    perLabelDelta: [],
    failedGolden: [],
    failedMustPass: [],
  };
  const scoredForActions: { truth: string[]; predicted: string[] }[] = [];
  for (const [name, cases] of Object.entries(suites)) {
    if (cases.length === 0) continue;
    const cand = await score(opts.candidate, cases, answerText, opts.targetPrecision);
    if (name !== "replay") scoredForActions.push({ truth: cases.map((c) => c.label), predicted: cand.predicted });
    const act = opts.active ? await score(opts.active, cases, answerText, opts.targetPrecision) : null;
    report.suites[name] = { candidate: cand.metrics, active: act?.metrics ?? null };
    if (name === "golden") {
      cases.forEach((c, i) => {
        if (cand.predicted[i] === c.label) return;
        const f: FailedCase = {
          exampleId: c.exampleId,
          text: c.text,
          expected: c.label,
          predicted: cand.predicted[i],
          confidence: cand.confidences[i],
          mustPass: c.mustPass,
        };
        report.failedGolden.push(f);
        if (c.mustPass) report.failedMustPass.push(f);
      });
    }
  }

  const outOfScope = await outOfScopePart(opts);
  if (outOfScope) report.outOfScope = outOfScope;

  // Model errors on answers with actions (offline, above) apart from their actions' failures (live, the window).
  const actionAnswers = answers
    .filter((a) => a.status === "active" && a.action?.name)
    .map((a) => ({ answerId: String(a._id), title: a.title, action: a.action!.name }));
  const actions = actionsReport(
    opts.replayDays,
    since,
    actionAnswerErrors(actionAnswers, scoredForActions),
    await liveActionOutcomes(since, now),
  );
  if (actions) report.actions = actions;

  const base = report.suites.heldout ?? report.suites.golden;
  if (base) {
    const labels = new Set([...Object.keys(base.candidate.perLabelF1), ...Object.keys(base.active?.perLabelF1 ?? {})]);
    report.perLabelDelta = [...labels]
      .map((answerId) => {
        const c = base.candidate.perLabelF1[answerId]?.f1 ?? 0;
        const a = base.active ? (base.active.perLabelF1[answerId]?.f1 ?? 0) : null;
        return { answerId, title: answerTitle.get(answerId) ?? null, candidate: c, active: a, delta: a === null ? null : c - a };
      })
      .sort((x, y) => Math.abs(y.delta ?? 0) - Math.abs(x.delta ?? 0) || x.answerId.localeCompare(y.answerId));
  }
  return report;
}

const answers = (p: { confident: boolean; inScope?: boolean }) => p.confident && p.inScope !== false;

async function answeredShare(predictor: ModelPredictor, cases: { text: string; previousTurn: string | null }[]): Promise<number> {
  let n = 0;
  for (const c of cases) if (answers(await predictor.predict(c.text, c.previousTurn ?? undefined))) n++;
  return n;
}

const rates = (answered: number, count: number): OutOfScopeRates => ({ count, answered, answeredRate: count ? answered / count : 0 });

async function outOfScopePart(opts: Parameters<typeof candidateEvaluator>[0]): Promise<OutOfScopeReport | null> {
  const marked = opts.snapshot.examples
    .filter((e) => e.outOfScope && e.split === "heldout")
    .map((e) => ({ text: e.text!, previousTurn: e.previousTurn ?? null }));
  const activeLabels = new Set(opts.active?.labels ?? []);
  const novelRows =
    opts.active && opts.candidateNovel
      ? opts.snapshot.examples.filter(
          (e) =>
            e.polarity === "positive" &&
            !e.outOfScope &&
            (e.split === "train" || e.split === "validation") &&
            !activeLabels.has(e.label!) &&
            opts.candidateNovel![e.label!],
        )
      : [];
  if (!marked.length && !novelRows.length) return null;
  const novelLabels = [...new Set(novelRows.map((e) => e.label!))];
  const candNovel = novelLabels.reduce((acc, l) => [acc[0] + opts.candidateNovel![l][0], acc[1] + opts.candidateNovel![l][1]], [0, 0]);
  const candMarked = await answeredShare(opts.candidate, marked);
  const activeAnswered = opts.active
    ? (await answeredShare(opts.active, marked)) +
      (await answeredShare(
        opts.active,
        novelRows.map((e) => ({ text: e.text!, previousTurn: e.previousTurn ?? null })),
      ))
    : null;
  return {
    marked: marked.length,
    novel: novelRows.length,
    novelAnswers: novelLabels.length,
    // the folds scored each novel answer's questions once; their count can differ slightly from the snapshot's
    candidate: rates(candMarked + candNovel[0], marked.length + candNovel[1]),
    active: activeAnswered === null ? null : rates(activeAnswered, marked.length + novelRows.length),
  };
}

/** The headline numbers stored on a version and shown in the versions table (flat keys: no dots in MongoDB field names). */
export function headlineMetrics(report: EvalReport): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [suite, s] of Object.entries(report.suites)) {
    for (const k of ["accuracy", "macroF1", "coverage", "ece", "bleu", "count"] as const) out[`${suite}_${k}`] = s.candidate[k];
    if (s.candidate.answeredPrecision !== null) out[`${suite}_answeredPrecision`] = s.candidate.answeredPrecision;
  }
  if (report.outOfScope) {
    out.outOfScope_answered = report.outOfScope.candidate.answeredRate;
    out.outOfScope_count = report.outOfScope.candidate.count;
  }
  if (report.actions) {
    out.actions_modelErrors = report.actions.modelErrors;
    out.actions_failures = report.actions.actionFailures;
  }
  return out;
}
