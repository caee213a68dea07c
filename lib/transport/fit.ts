// Straight-line fits of correlation functions and detection of the diffusive regime.

export interface LineFit {
  slope: number;
  intercept: number;
}

/** Ordinary least squares y = a + b t over indices i0..i1 (inclusive). */
export function fitLine(t: ArrayLike<number>, y: ArrayLike<number>, i0: number, i1: number): LineFit {
  let n = 0, st = 0, sy = 0;
  for (let i = i0; i <= i1; i++) {
    n++;
    st += t[i];
    sy += y[i];
  }
  const mt = st / n, my = sy / n;
  let stt = 0, sty = 0;
  for (let i = i0; i <= i1; i++) {
    stt += (t[i] - mt) ** 2;
    sty += (t[i] - mt) * (y[i] - my);
  }
  const slope = stt > 0 ? sty / stt : NaN;
  return { slope, intercept: my - slope * mt };
}

/**
 * Local log-log slope d ln y / d ln t at every point, from the grid points nearest to t/1.5 and
 * 1.5 t (a wide stencil: the multiple-tau grid is dense and neighbouring points are noisy).
 * 1 means diffusive, 2 ballistic, below 1 sub-diffusive (caging). NaN where undefined.
 */
export function localSlopes(t: ArrayLike<number>, y: ArrayLike<number>): number[] {
  const n = t.length;
  const out: number[] = [];
  let lo = 0, hi = 0;
  for (let i = 0; i < n; i++) {
    while (lo < i && t[lo + 1] <= t[i] / 1.5) lo++;
    if (hi < i) hi = i;
    while (hi < n - 1 && t[hi] < t[i] * 1.5) hi++;
    const a = lo < i ? lo : i, b = hi > i ? hi : i;
    if (a === b || !(y[a] > 0) || !(y[b] > 0)) out.push(NaN);
    else out.push(Math.log(y[b] / y[a]) / Math.log(t[b] / t[a]));
  }
  return out;
}

export interface WindowChoice {
  start: number; // index into the lag grid
  stop: number;
  diffusive: boolean; // false: no lag range with local slope within tolerance was found
  note: string | null;
}

/**
 * The diffusive window: ends at stopIndex; starts at the earliest grid point from which the local
 * slope of every given MSD stays within 1 ± tolerance up to the end. At least minPoints points.
 */
export function detectWindow(t: ArrayLike<number>, msds: ArrayLike<number>[], stopIndex: number, tolerance: number, minPoints = 4): WindowChoice {
  let start = 0;
  for (const y of msds) {
    const s = localSlopes(t, y);
    let first = stopIndex + 1;
    for (let i = stopIndex; i >= 0; i--) {
      if (Number.isFinite(s[i]) && Math.abs(s[i] - 1) <= tolerance) first = i;
      else break;
    }
    start = Math.max(start, first);
  }
  if (stopIndex - start + 1 >= minPoints) return { start, stop: stopIndex, diffusive: true, note: null };
  // No diffusive stretch long enough: fit the last half (in log time) of the range and say so.
  const tStop = t[stopIndex];
  let fallback = stopIndex;
  while (fallback > 0 && t[fallback - 1] >= tStop / 2) fallback--;
  fallback = Math.min(fallback, Math.max(0, stopIndex - minPoints + 1));
  return {
    start: fallback,
    stop: stopIndex,
    diffusive: false,
    note: `no diffusive regime found (local log-log MSD slope within 1 ± ${tolerance} over at least ${minPoints} lags up to ${tStop}); fitted the last factor of two in lag time — the trajectory may be too short, or set --fit-start/--fit-stop`,
  };
}
