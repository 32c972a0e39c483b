import type { ModelPrediction } from "../predictor.js";

// Messages between the chat process and its inference thread. Every request carries an id; the thread
// answers each one exactly once.
export type InferenceRequest =
  | { id: number; op: "load"; dir: string }
  | { id: number; op: "predict"; handle: number; text: string; previousTurn: string | null }
  | { id: number; op: "dispose"; handle: number };

export interface LoadedModel {
  handle: number;
  labels: string[];
  threshold: number;
}

export type InferenceResult = LoadedModel | ModelPrediction | null;

export type InferenceResponse =
  { id: number; ok: true; result: InferenceResult } | { id: number; ok: false; error: { name: string; message: string } };

export interface InferenceThreadData {
  entry: string;
  baseModelDir: string;
}
