// What the bot and the evals need from a loaded model version (the model library's Predictor).
export interface ModelPrediction {
  label: string;
  confidence: number;
  confident: boolean;
  /** False when the question is unlike anything the version was trained on (absent for older versions). */
  inScope?: boolean;
  inScopeScore?: number;
  alternatives: { label: string; confidence: number }[];
}

export interface ModelPredictor {
  labels: string[];
  threshold: number;
  predict(text: string, previousTurn?: string | null): Promise<ModelPrediction> | ModelPrediction;
  dispose(): void | Promise<void>;
}
