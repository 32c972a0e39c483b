// Hand-drawn SVG line charts: a few dozen points per series, so no charting library is needed.
const COLORS = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#4b5563"];

export interface Series {
  name: string;
  points: { x: number; y: number | null }[];
}

export function LineChart({
  title,
  series,
  xLabels,
  yMin,
  yMax,
  format = (v: number) => v.toFixed(2),
  testId,
}: {
  title: string;
  series: Series[];
  xLabels?: (x: number) => string;
  yMin?: number;
  yMax?: number;
  format?: (v: number) => string;
  testId?: string;
}) {
  const W = 420;
  const H = 180;
  const pad = { l: 44, r: 10, t: 22, b: 26 };
  const all = series.flatMap((s) => s.points.filter((p) => p.y !== null && Number.isFinite(p.y))) as { x: number; y: number }[];
  if (all.length === 0) {
    return (
      <figure class="chart" data-testid={testId}>
        <figcaption>{title}</figcaption>
        <p class="muted">No data yet.</p>
      </figure>
    );
  }
  const xs = all.map((p) => p.x);
  const ys = all.map((p) => p.y);
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs);
  const y0 = yMin ?? Math.min(...ys);
  let y1 = yMax ?? Math.max(...ys);
  if (y1 === y0) y1 = y0 + 1;
  const sx = (x: number) => pad.l + (x1 === x0 ? (W - pad.l - pad.r) / 2 : ((x - x0) / (x1 - x0)) * (W - pad.l - pad.r));
  const sy = (y: number) => H - pad.b - ((y - y0) / (y1 - y0)) * (H - pad.t - pad.b);
  const ticks = [y0, (y0 + y1) / 2, y1];
  const xTicks = [...new Set(xs)].sort((a, b) => a - b);
  const shownX = xTicks.filter((_, i) => i % Math.ceil(xTicks.length / 6) === 0);
  return (
    <figure class="chart" data-testid={testId}>
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} width={W} height={H} role="img" aria-label={title}>
        {ticks.map((v) => (
          <g key={v}>
            <line x1={pad.l} x2={W - pad.r} y1={sy(v)} y2={sy(v)} stroke="#e5e7eb" />
            <text x={pad.l - 4} y={sy(v) + 4} text-anchor="end" font-size="10" fill="#6b7280">
              {format(v)}
            </text>
          </g>
        ))}
        {shownX.map((x) => (
          <text key={x} x={sx(x)} y={H - 8} text-anchor="middle" font-size="10" fill="#6b7280">
            {xLabels ? xLabels(x) : String(x)}
          </text>
        ))}
        {series.map((s, i) => {
          const pts = s.points.filter((p) => p.y !== null && Number.isFinite(p.y)) as { x: number; y: number }[];
          const color = COLORS[i % COLORS.length];
          return (
            <g key={s.name} class="series" data-series={s.name}>
              <polyline fill="none" stroke={color} stroke-width="2" points={pts.map((p) => `${sx(p.x)},${sy(p.y)}`).join(" ")} />
              {pts.map((p) => (
                <circle key={p.x} cx={sx(p.x)} cy={sy(p.y)} r="2.5" fill={color}>
                  <title>{`${s.name}: ${format(p.y)}`}</title>
                </circle>
              ))}
            </g>
          );
        })}
      </svg>
      <div class="legend">
        {series.map((s, i) => (
          <span key={s.name} style={{ color: COLORS[i % COLORS.length], marginRight: "1em" }}>
            ● {s.name}
          </span>
        ))}
      </div>
    </figure>
  );
}

export const pct = (v: number | null | undefined) => (v === null || v === undefined ? "—" : `${(v * 100).toFixed(1)}%`);
export const signedPct = (v: number | null | undefined) =>
  v === null || v === undefined ? "" : `${v >= 0 ? "+" : ""}${(v * 100).toFixed(1)}`;
