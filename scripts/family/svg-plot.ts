// A small self-contained SVG line plot (log or linear x, linear y, error bars, legend): enough for
// the family figures without a plotting dependency.
export interface Series {
  label: string;
  points: { x: number; y: number; error?: number }[];
}

export interface PlotOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  logX?: boolean;
  width?: number;
  height?: number;
}

const COLOURS = ['#1b6ca8', '#d1495b', '#2e933c', '#edae49', '#6a4c93', '#00798c'];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function ticks(lo: number, hi: number, log: boolean): number[] {
  if (log) {
    const out: number[] = [];
    for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++)
      for (const m of [1, 2, 5]) {
        const v = m * 10 ** e;
        if (v >= lo * 0.999 && v <= hi * 1.001) out.push(v);
      }
    return out;
  }
  const span = hi - lo, step0 = 10 ** Math.floor(Math.log10(span / 5));
  const step = [1, 2, 5, 10].map((m) => m * step0).find((s) => span / s <= 6)!;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-12; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

export function linePlot(series: Series[], o: PlotOptions): string {
  const W = o.width ?? 620, H = o.height ?? 380, L = 70, R = 190, T = 40, B = 55; // R: room for legend labels
  const all = series.flatMap((s) => s.points);
  const xs = all.map((p) => p.x), ys = all.flatMap((p) => [p.y - (p.error ?? 0), p.y + (p.error ?? 0)]);
  let x0 = Math.min(...xs), x1 = Math.max(...xs);
  if (o.logX) [x0, x1] = [x0 / 1.3, x1 * 1.3];
  else [x0, x1] = [x0 - 0.05 * (x1 - x0), x1 + 0.05 * (x1 - x0)];
  let y0 = Math.min(0, ...ys), y1 = Math.max(...ys) * 1.08;
  if (y1 <= y0) y1 = y0 + 1;
  const fx = (x: number) => L + ((o.logX ? Math.log(x / x0) / Math.log(x1 / x0) : (x - x0) / (x1 - x0)) * (W - L - R));
  const fy = (y: number) => H - B - ((y - y0) / (y1 - y0)) * (H - T - B);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${(L + W - R) / 2}" y="22" text-anchor="middle" font-size="14">${esc(o.title)}</text>`,
    `<rect x="${L}" y="${T}" width="${W - L - R}" height="${H - T - B}" fill="none" stroke="#333"/>`,
  ];
  for (const t of ticks(x0, x1, Boolean(o.logX))) {
    const x = fx(t).toFixed(1);
    parts.push(`<line x1="${x}" y1="${H - B}" x2="${x}" y2="${H - B + 5}" stroke="#333"/><text x="${x}" y="${H - B + 18}" text-anchor="middle">${t}</text>`);
  }
  for (const t of ticks(y0, y1, false)) {
    const y = fy(t).toFixed(1);
    parts.push(`<line x1="${L - 5}" y1="${y}" x2="${L}" y2="${y}" stroke="#333"/><line x1="${L}" y1="${y}" x2="${W - R}" y2="${y}" stroke="#eee"/><text x="${L - 8}" y="${Number(y) + 4}" text-anchor="end">${t}</text>`);
  }
  parts.push(`<text x="${(L + W - R) / 2}" y="${H - 15}" text-anchor="middle">${esc(o.xLabel)}</text>`);
  parts.push(`<text transform="translate(18 ${(T + H - B) / 2}) rotate(-90)" text-anchor="middle">${esc(o.yLabel)}</text>`);
  series.forEach((s, k) => {
    const c = COLOURS[k % COLOURS.length];
    const pts = [...s.points].sort((a, b) => a.x - b.x);
    if (pts.length > 1) parts.push(`<polyline fill="none" stroke="${c}" stroke-width="1.5" points="${pts.map((p) => `${fx(p.x).toFixed(1)},${fy(p.y).toFixed(1)}`).join(' ')}"/>`);
    for (const p of pts) {
      const x = fx(p.x), y = fy(p.y);
      if (p.error) parts.push(`<line x1="${x.toFixed(1)}" y1="${fy(p.y - p.error).toFixed(1)}" x2="${x.toFixed(1)}" y2="${fy(p.y + p.error).toFixed(1)}" stroke="${c}"/>`);
      parts.push(`<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="3.5" fill="${c}"/>`);
    }
    const ly = T + 10 + 18 * k;
    parts.push(`<line x1="${W - R + 12}" y1="${ly}" x2="${W - R + 32}" y2="${ly}" stroke="${c}" stroke-width="2"/><circle cx="${W - R + 22}" cy="${ly}" r="3.5" fill="${c}"/><text x="${W - R + 38}" y="${ly + 4}">${esc(s.label)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
