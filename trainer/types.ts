// Shared shapes of the model library's public API (re-exported by trainer/index.ts).

export interface TrainExample {
  text: string;
  previousTurn?: string | null;
  /** The canonical answer id this message should get. */
  label: string;
  /** 'negative': an agent rejected this answer for this message ("this question is NOT answer X"). */
  polarity?: "positive" | "negative";
  /** No answer fits this message ("not for the bot"): trained against every answer; `label` is ignored. */
  outOfScope?: boolean;
}

export interface Prediction {
  label: string;
  /** Calibrated probability that `label` is right. */
  confidence: number;
  /** confidence ≥ the artifact's threshold. */
  confident: boolean;
  /** The question is near enough to what the version was trained on to have an answer at all (always true for
   *  versions trained before the open-world signal). */
  inScope: boolean;
  /** Cosine to the nearest trained question, lowered when a "not for the bot" question is nearer. */
  inScopeScore: number;
  /** confident and inScope: answer instead of handing off. */
  answer: boolean;
  alternatives: { label: string; confidence: number }[];
}
