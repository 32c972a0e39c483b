// Shared shapes of the model library's public API (re-exported by trainer/index.ts).

export interface TrainExample {
  text: string;
  previousTurn?: string | null;
  /** The canonical answer id this message should get. */
  label: string;
  /** 'negative': an agent rejected this answer for this message ("this question is NOT answer X"). */
  polarity?: 'positive' | 'negative';
}

export interface Prediction {
  label: string;
  /** Calibrated probability that `label` is right. */
  confidence: number;
  /** confidence ≥ the artifact's threshold: answer instead of handing off. */
  confident: boolean;
  alternatives: { label: string; confidence: number }[];
}
