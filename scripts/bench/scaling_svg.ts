// A log–log SVG of one-thread CPU time against ions for scripts/bench/scaling.ts, with a dashed line of slope
// 1 through the first SF point: linear cost runs parallel to it. Plain SVG, no plotting library.
export interface ScalingPoint { n: number; nl: number; sf: number }

export function scalingSvg(points: ScalingPoint[]): string {
  const W = 520, H = 360, m = { l: 70, r: 20, t: 20, b: 50 };
  const xs = points.map((p) => Math.log10(p.n));
  const ys = points.flatMap((p) => [p.nl, p.sf]).map(Math.log10);
  const [x0, x1] = [Math.floor(Math.min(...xs)), Math.ceil(Math.max(...xs))];
  const [y0, y1] = [Math.floor(Math.min(...ys)), Math.ceil(Math.max(...ys))];
  const X = (lx: number) => m.l + ((lx - x0) / (x1 - x0)) * (W - m.l - m.r);
  const Y = (ly: number) => H - m.b - ((ly - y0) / (y1 - y0)) * (H - m.t - m.b);
  const line = (key: 'nl' | 'sf') => points.map((p, k) => `${k ? 'L' : 'M'}${X(Math.log10(p.n)).toFixed(1)},${Y(Math.log10(p[key])).toFixed(1)}`).join(' ');
  const out: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`];
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  for (let d = x0; d <= x1; d++) out.push(`<line x1="${X(d)}" x2="${X(d)}" y1="${m.t}" y2="${H - m.b}" stroke="#ddd"/><text x="${X(d)}" y="${H - m.b + 16}" text-anchor="middle">10^${d}</text>`);
  for (let d = y0; d <= y1; d++) out.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${Y(d)}" y2="${Y(d)}" stroke="#ddd"/><text x="${m.l - 6}" y="${Y(d) + 4}" text-anchor="end">${d >= 0 ? `${10 ** d} s` : `${10 ** (d + 3)} ms`}</text>`);
  out.push(`<text x="${(W + m.l) / 2}" y="${H - 12}" text-anchor="middle">ions (ρ = 0.38, uniform random), one thread</text>`);
  const p0 = points[0];
  const ly = (lx: number) => Math.log10(p0.sf) + lx - Math.log10(p0.n);
  out.push(`<path d="M${X(x0)},${Y(ly(x0))} L${X(x1)},${Y(ly(x1))}" stroke="#999" stroke-dasharray="4 4" fill="none"/>`);
  out.push(`<path d="${line('nl')}" stroke="#1f77b4" stroke-width="2" fill="none"/><path d="${line('sf')}" stroke="#d62728" stroke-width="2" fill="none"/>`);
  out.push(`<text x="${m.l + 10}" y="${m.t + 14}" fill="#1f77b4">neighbour half list, rc 6</text><text x="${m.l + 10}" y="${m.t + 30}" fill="#d62728">symmetry functions, 34 features</text><text x="${m.l + 10}" y="${m.t + 46}" fill="#999">slope 1 (linear in ions)</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}
