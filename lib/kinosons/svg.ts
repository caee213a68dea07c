// Minimal self-contained SVG line/point plots for the kinoson report (no browser or library needed).

export interface Series {
  name: string;
  x: number[];
  y: number[];
  error?: number[];
  style?: 'line' | 'points';
}

export interface PlotOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  logY?: boolean;
  width?: number;
  height?: number;
}

const colours = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

// Ticks are counted by an integer index, never by `t += step`: on a range a few rounding steps
// wide, step is below the spacing of doubles near t, t stops moving, and the loop never ends.
function ticks(lo: number, hi: number, n = 5): number[] {
  const span = hi - lo;
  if (!(span > 0) || !Number.isFinite(span)) return Number.isFinite(lo) ? [lo] : [];
  const step0 = span / n;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= step0) ?? step0;
  const first = Math.ceil(lo / step), last = Math.floor(hi / step + 1e-12);
  const out: number[] = [];
  for (let k = first; k <= last && out.length <= 2 * n + 2; k++) out.push(Number((k * step).toPrecision(12)));
  return out;
}

/** A plotting range that is at least a readable width: [v − 1, v + 1] when it is (nearly) a point. */
function widen(lo: number, hi: number): [number, number] {
  const scale = Math.max(Math.abs(lo), Math.abs(hi));
  return hi - lo > 1e-9 * scale ? [lo, hi] : [lo - 1, hi + 1];
}

export function plot(series: Series[], o: PlotOptions): string {
  const W = o.width ?? 640, H = o.height ?? 420, L = 80, R = 170, T = 40, B = 55;
  const fy = (v: number) => (o.logY ? Math.log10(v) : v);
  const xs: number[] = [], ys: number[] = [];
  for (const s of series)
    s.x.forEach((x, i) => {
      const y = s.y[i];
      if (!Number.isFinite(x) || !Number.isFinite(y) || (o.logY && y <= 0)) return;
      xs.push(x);
      ys.push(fy(y));
      const e = s.error?.[i];
      if (e && Number.isFinite(e)) {
        if (!o.logY || y - e > 0) ys.push(fy(y - e));
        ys.push(fy(y + e));
      }
    });
  let [x0, x1] = xs.length ? [Math.min(...xs), Math.max(...xs)] : [0, 1];
  let [y0, y1] = ys.length ? [Math.min(...ys), Math.max(...ys)] : [0, 1];
  [x0, x1] = widen(x0, x1);
  [y0, y1] = widen(y0, y1);
  const pad = 0.05 * (y1 - y0);
  y0 -= pad;
  y1 += pad;
  const px = (x: number) => L + ((x - x0) / (x1 - x0)) * (W - L - R);
  const py = (y: number) => H - B - ((y - y0) / (y1 - y0)) * (H - T - B);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="14">${escape(o.title)}</text>`,
    `<rect x="${L}" y="${T}" width="${W - L - R}" height="${H - T - B}" fill="none" stroke="#333"/>`,
  ];
  for (const t of ticks(x0, x1))
    parts.push(`<line x1="${px(t)}" y1="${H - B}" x2="${px(t)}" y2="${H - B + 4}" stroke="#333"/><text x="${px(t)}" y="${H - B + 17}" text-anchor="middle">${t}</text>`);
  for (const t of ticks(y0, y1))
    parts.push(`<line x1="${L - 4}" y1="${py(t)}" x2="${L}" y2="${py(t)}" stroke="#333"/><text x="${L - 7}" y="${py(t) + 4}" text-anchor="end">${o.logY ? `1e${t}` : t}</text>`);
  parts.push(`<text x="${(L + W - R) / 2}" y="${H - 12}" text-anchor="middle">${escape(o.xLabel)}</text>`);
  parts.push(`<text transform="translate(18 ${(T + H - B) / 2}) rotate(-90)" text-anchor="middle">${escape(o.yLabel)}${o.logY ? ' (log scale)' : ''}</text>`);
  series.forEach((s, k) => {
    const c = colours[k % colours.length];
    const pts = s.x.map((x, i) => [x, s.y[i], s.error?.[i] ?? 0] as const).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!o.logY || y > 0));
    if ((s.style ?? 'line') === 'line') {
      if (pts.length) parts.push(`<polyline fill="none" stroke="${c}" stroke-width="1.6" points="${pts.map(([x, y]) => `${px(x).toFixed(1)},${py(fy(y)).toFixed(1)}`).join(' ')}"/>`);
    } else {
      for (const [x, y, e] of pts) {
        parts.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(fy(y)).toFixed(1)}" r="3.5" fill="${c}"/>`);
        if (e > 0) {
          const lo = o.logY ? (y - e > 0 ? fy(y - e) : y0) : y - e;
          parts.push(`<line x1="${px(x).toFixed(1)}" y1="${py(lo).toFixed(1)}" x2="${px(x).toFixed(1)}" y2="${py(fy(y + e)).toFixed(1)}" stroke="${c}"/>`);
        }
      }
    }
    const ly = T + 12 + 18 * k;
    parts.push(`<rect x="${W - R + 10}" y="${ly - 8}" width="14" height="4" fill="${c}"/><text x="${W - R + 30}" y="${ly - 2}">${escape(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
