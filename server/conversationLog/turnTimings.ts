// How long the chat's turns take, stage by stage, over the last turns this process served. Operators read
// it from GET /api/analytics/latency to see where a slow reply spends its time; the serving benchmark too.
export const TURN_STAGES = [
  "record", // the customer's message validated and stored (the widget gets its ack after this)
  "wait", // from the ack until the bot's turn started (event-loop queueing)
  "context", // the previous turn read for the model
  "inference", // the model's forward pass, queueing in the inference thread included
  "decide", // inference plus the answer lookup and rendering
  "store", // the reply or hand-off stored and published
  "total", // from the message arriving to the reply published
] as const;
export type TurnStage = (typeof TURN_STAGES)[number];
export type TurnTiming = Partial<Record<TurnStage, number>>;

export interface StageSummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];

export class TurnTimings {
  private readonly rows: TurnTiming[] = [];
  private next = 0;

  constructor(private readonly window = 5000) {}

  add(timing: TurnTiming): void {
    if (this.rows.length < this.window) this.rows.push(timing);
    else this.rows[this.next] = timing;
    this.next = (this.next + 1) % this.window;
  }

  reset(): void {
    this.rows.length = 0;
    this.next = 0;
  }

  /** Milliseconds per stage over the window; stages no turn reached are left out. */
  summary(): { turns: number; window: number; stages: Partial<Record<TurnStage, StageSummary>> } {
    const stages: Partial<Record<TurnStage, StageSummary>> = {};
    for (const stage of TURN_STAGES) {
      const ms = this.rows
        .map((r) => r[stage])
        .filter((v): v is number => v !== undefined)
        .sort((a, b) => a - b);
      if (ms.length === 0) continue;
      const round = (v: number) => Math.round(v * 10) / 10;
      stages[stage] = {
        count: ms.length,
        p50: round(quantile(ms, 0.5)),
        p95: round(quantile(ms, 0.95)),
        p99: round(quantile(ms, 0.99)),
        max: round(ms[ms.length - 1]),
      };
    }
    return { turns: this.rows.length, window: this.window, stages };
  }
}
