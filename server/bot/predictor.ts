// What the bot and the evals need from a loaded model version (the model library's Predictor).
export interface ModelPrediction {
  label: string;
  confidence: number;
  confident: boolean;
  alternatives: { label: string; confidence: number }[];
}

export interface ModelPredictor {
  labels: string[];
  threshold: number;
  predict(text: string, previousTurn?: string | null): Promise<ModelPrediction> | ModelPrediction;
  dispose(): void | Promise<void>;
}
