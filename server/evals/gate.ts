import type { TrainerSettings } from "../nightly/settings.js";
import type { EvalReport, SuiteMetrics } from "./types.js";

export interface GateResult {
  passed: boolean;
  reasons: string[];
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

// Higher is better for all of these; ECE is compared the other way round, and the precision of the answers
// against the admin's target rather than against the active version.
const COMPARED = ["accuracy", "macroF1", "coverage", "bleu"] as const satisfies readonly (keyof SuiteMetrics)[];

/** z standard errors of the difference between two proportions measured on n cases each. */
function noise(a: number, b: number, n: number, z: number): number {
  const p = Math.min(1, Math.max(0, (a + b) / 2));
  return n > 0 ? z * Math.sqrt((2 * p * (1 - p)) / n) : 0;
}

/**
 * The promotion gate. A candidate passes only if it (1) clears the absolute minimums, (2) does not regress
 * beyond its tolerance against the active version on any aggregate metric of any suite both were scored on (ε, or
 * the suite's sampling noise when that is larger; coverage: coverageEpsilon; calibration error: eceEpsilon), (3) answers at the target
 * precision, within the sampling noise of the answers it gave, and (4) still answers every must-pass golden
 * example correctly, and (5) answers no more of the out-of-scope questions than the active version beyond its
 * tolerance (outOfScopeEpsilon, or the sampling noise). Every failed check is a reason. Coverage is the share each version answers at its own
 * threshold, as it would live; the share answerable at a threshold chosen in hindsight on the suite itself
 * swings with where the suite's first error falls (a 77-case golden set: 66 % → 36 % between two good models).
 */
export function promotionGate(report: EvalReport, gate: TrainerSettings["gate"]): GateResult {
  const reasons: string[] = [];
  const heldout = report.suites.heldout?.candidate;
  const goldenSuite = report.suites.golden?.candidate;
  const primary = heldout && heldout.count > 0 ? heldout : goldenSuite;
  if (!primary || primary.count === 0) {
    reasons.push("no held-out or golden examples to evaluate on");
  } else {
    const name = primary === heldout ? "held-out" : "golden";
    if (primary.accuracy < gate.minAccuracy)
      reasons.push(`${name} accuracy ${pct(primary.accuracy)} is below the minimum ${pct(gate.minAccuracy)}`);
    if (primary.macroF1 < gate.minMacroF1)
      reasons.push(`${name} macro-F1 ${pct(primary.macroF1)} is below the minimum ${pct(gate.minMacroF1)}`);
  }
  if (goldenSuite && goldenSuite.count > 0 && goldenSuite.accuracy < gate.minGoldenAccuracy) {
    reasons.push(`golden accuracy ${pct(goldenSuite.accuracy)} is below the minimum ${pct(gate.minGoldenAccuracy)}`);
  }

  for (const [suite, s] of Object.entries(report.suites)) {
    if (!s.active || s.candidate.count === 0) continue;
    for (const m of COMPARED) {
      const [before, after] = [s.active[m] as number, s.candidate[m] as number];
      const tolerance = Math.max(
        m === "coverage" ? gate.coverageEpsilon : gate.epsilon,
        noise(before, after, s.candidate.count, gate.noiseZ),
      );
      if (before - after > tolerance) {
        reasons.push(
          `${suite} ${m} regressed from ${pct(before)} to ${pct(after)} (tolerance ${pct(tolerance)} over ${s.candidate.count} cases)`,
        );
      }
    }
    const rise = s.candidate.ece - s.active.ece;
    if (rise > gate.eceEpsilon)
      reasons.push(`${suite} calibration error rose from ${pct(s.active.ece)} to ${pct(s.candidate.ece)} (ε ${pct(gate.eceEpsilon)})`);
  }

  for (const [suite, s] of Object.entries(report.suites)) {
    const { answeredPrecision: precision, coverage, count } = s.candidate;
    if (precision === null) continue;
    const answered = Math.round(coverage * count);
    const target = report.targetPrecision;
    const tolerance = gate.noiseZ * Math.sqrt((target * (1 - target)) / answered);
    if (target - precision > tolerance) {
      reasons.push(
        `${suite}: ${pct(precision)} of the ${answered} answers were right, below the target precision ${pct(target)} (tolerance ${pct(tolerance)})`,
      );
    }
  }

  const oos = report.outOfScope;
  if (oos?.active && oos.candidate.count > 0) {
    const [before, after] = [oos.active.answeredRate, oos.candidate.answeredRate];
    const tolerance = Math.max(gate.outOfScopeEpsilon, noise(before, after, Math.min(oos.candidate.count, oos.active.count), gate.noiseZ));
    if (after - before > tolerance) {
      reasons.push(
        `answers ${pct(after)} of ${oos.candidate.count} out-of-scope questions, the active version ${pct(before)} (tolerance ${pct(tolerance)})`,
      );
    }
  }

  for (const f of report.failedMustPass) {
    reasons.push(`must-pass golden example ${f.exampleId} ("${f.text.slice(0, 60)}") answered ${f.predicted} instead of ${f.expected}`);
  }
  return { passed: reasons.length === 0, reasons };
}
