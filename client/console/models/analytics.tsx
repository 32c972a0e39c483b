import { LineChart, pct } from "./charts.js";
import type { DailyStats } from "./types.js";

/** Containment, hand-off rate and thumbs-up rate per model version per day: one line per version. */
export function ModelAnalytics({ rows }: { rows: DailyStats[] }) {
  const days = [...new Set(rows.map((r) => r.day))].sort();
  const versions = [...new Set(rows.map((r) => r.version))];
  const series = (k: "containment" | "handoffRate" | "thumbsUpRate") =>
    versions.map((v) => ({ name: v, points: rows.filter((r) => r.version === v).map((r) => ({ x: days.indexOf(r.day), y: r[k] })) }));
  const label = (x: number) => days[x]?.slice(5) ?? "";
  return (
    <div class="charts" data-testid="analytics">
      <LineChart
        testId="containment-chart"
        title="Containment"
        yMin={0}
        yMax={1}
        format={pct}
        xLabels={label}
        series={series("containment")}
      />
      <LineChart title="Hand-off rate" yMin={0} yMax={1} format={pct} xLabels={label} series={series("handoffRate")} />
      <LineChart title="Thumbs-up rate" yMin={0} yMax={1} format={pct} xLabels={label} series={series("thumbsUpRate")} />
    </div>
  );
}
