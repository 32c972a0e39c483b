// Hand-written SVG charts (no dependency): one x axis, one y axis, several series.
export interface Series {
  name: string;
  color: string;
  points: { x: number; y: number | null }[];
  dashed?: boolean;
  /** "line" (default) or "dots" (scatter). */
  kind?: "line" | "dots";
}

export interface ChartSpec {
  title: string;
  subtitle?: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  yMin?: number;
  yMax?: number;
  yFormat?: (v: number) => string;
  /** Horizontal reference lines, e.g. a goal. */
  hlines?: { y: number; label: string; color: string }[];
  /** Vertical markers, e.g. the hot-swap instant. */
  vlines?: { x: number; label: string; color: string }[];
  width?: number;
  height?: number;
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function niceStep(range: number, ticks: number): number {
  const raw = range / Math.max(1, ticks);
  const mag = 10 ** Math.floor(Math.log10(raw || 1));
  const n = raw / mag;
  return (n <= 1 ? 1 : n <= 2 ? 2 : n <= 5 ? 5 : 10) * mag;
}

export function lineChart(spec: ChartSpec): string {
  const W = spec.width ?? 760;
  const H = spec.height ?? 420;
  const m = { l: 64, r: 170, t: spec.subtitle ? 58 : 40, b: 48 };
  const pts = spec.series.flatMap((s) => s.points.filter((p) => p.y !== null)) as { x: number; y: number }[];
  const xs = pts.map((p) => p.x).concat(spec.series.flatMap((s) => s.points.map((p) => p.x)));
  if (xs.length === 0) xs.push(0, 1);
  const x0 = Math.min(...xs, ...(spec.vlines ?? []).map((v) => v.x));
  const x1 = Math.max(...xs, x0 + 1, ...(spec.vlines ?? []).map((v) => v.x));
  const ys = pts.map((p) => p.y).concat((spec.hlines ?? []).map((h) => h.y));
  const y0 = spec.yMin ?? Math.min(0, ...ys);
  let y1 = spec.yMax ?? Math.max(...ys, y0 + 1e-9);
  if (spec.yMax === undefined) y1 = y0 + (y1 - y0) * 1.08;
  const fmt = spec.yFormat ?? ((v: number) => String(Number(v.toPrecision(3))));
  const X = (x: number) => m.l + ((x - x0) / (x1 - x0 || 1)) * (W - m.l - m.r);
  const Y = (y: number) => H - m.b - ((y - y0) / (y1 - y0 || 1)) * (H - m.t - m.b);
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">`,
  );
  out.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  out.push(`<text x="${m.l}" y="22" font-size="15" font-weight="600">${esc(spec.title)}</text>`);
  if (spec.subtitle) out.push(`<text x="${m.l}" y="40" fill="#555">${esc(spec.subtitle)}</text>`);
  const ys_ = Math.max(niceStep(y1 - y0, 6), 1e-9);
  for (let v = Math.ceil(y0 / ys_) * ys_; v <= y1 + 1e-9; v += ys_) {
    out.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${Y(v)}" y2="${Y(v)}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${m.l - 6}" y="${Y(v) + 4}" text-anchor="end" fill="#444">${esc(fmt(v))}</text>`);
  }
  const xs_ = Math.max(niceStep(x1 - x0, 10), 1e-9);
  for (let v = Math.ceil(x0 / xs_) * xs_; v <= x1 + 1e-9; v += xs_) {
    out.push(`<line x1="${X(v)}" x2="${X(v)}" y1="${H - m.b}" y2="${H - m.b + 4}" stroke="#888"/>`);
    out.push(`<text x="${X(v)}" y="${H - m.b + 17}" text-anchor="middle" fill="#444">${esc(String(Number(v.toPrecision(4))))}</text>`);
  }
  out.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${H - m.b}" y2="${H - m.b}" stroke="#888"/>`);
  out.push(`<line x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${H - m.b}" stroke="#888"/>`);
  out.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 10}" text-anchor="middle" fill="#222">${esc(spec.xLabel)}</text>`);
  out.push(
    `<text transform="translate(16 ${(m.t + H - m.b) / 2}) rotate(-90)" text-anchor="middle" fill="#222">${esc(spec.yLabel)}</text>`,
  );
  for (const h of spec.hlines ?? []) {
    out.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${Y(h.y)}" y2="${Y(h.y)}" stroke="${h.color}" stroke-dasharray="2 3"/>`);
    out.push(`<text x="${W - m.r + 4}" y="${Y(h.y) + 4}" fill="${h.color}">${esc(h.label)}</text>`);
  }
  for (const v of spec.vlines ?? []) {
    out.push(`<line x1="${X(v.x)}" x2="${X(v.x)}" y1="${m.t}" y2="${H - m.b}" stroke="${v.color}" stroke-dasharray="4 3"/>`);
    out.push(`<text x="${X(v.x) + 4}" y="${m.t + 12}" fill="${v.color}">${esc(v.label)}</text>`);
  }
  spec.series.forEach((s, i) => {
    const p = s.points.filter((q) => q.y !== null) as { x: number; y: number }[];
    if (s.kind === "dots") {
      for (const q of p)
        out.push(`<circle cx="${X(q.x).toFixed(1)}" cy="${Y(q.y).toFixed(1)}" r="1.6" fill="${s.color}" fill-opacity="0.5"/>`);
    } else if (p.length) {
      out.push(
        `<polyline fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ""} points="${p.map((q) => `${X(q.x).toFixed(1)},${Y(q.y).toFixed(1)}`).join(" ")}"/>`,
      );
      if (p.length <= 40)
        for (const q of p) out.push(`<circle cx="${X(q.x).toFixed(1)}" cy="${Y(q.y).toFixed(1)}" r="3" fill="${s.color}"/>`);
    }
    const ly = m.t + 8 + i * 18;
    out.push(`<rect x="${W - m.r + 10}" y="${ly - 8}" width="14" height="4" fill="${s.color}"/>`);
    out.push(`<text x="${W - m.r + 30}" y="${ly - 2}" fill="#222">${esc(s.name)}</text>`);
  });
  out.push(`</svg>`);
  return out.join("\n") + "\n";
}
