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

/**
 * Covariance (up to a common factor) of the all-origins mean-squared displacement of a Gaussian
 * random walk at lags a ≤ b frames over a run of `frames` frames. A displacement over lag a and one
 * over lag b share overlap(u) steps for an origin offset u, and Cov(X², Y²) = 2 Cov(X, Y)² for
 * Gaussian X, Y; summed over offsets, Σ overlap² = a²(b − a + 1) + a(a − 1)(2a − 1)/3, divided by
 * the number of origins (taken as the run length: fitted lags are a few per cent of it, and this
 * keeps the kernel positive definite). Decimated origins, spaced at most lag/16 apart, carry
 * almost the same information as all origins, so the all-origins form is used for every lag.
 */
export function randomWalkCovariance(a: number, b: number, frames: number): number {
  if (a > b) [a, b] = [b, a];
  const k = a * a * (b - a + 1) + (a * (a - 1) * (2 * a - 1)) / 3;
  return k / Math.max(1, frames);
}

/**
 * Generalised-least-squares slope of y = c + m t over indices i0..i1 with the covariance of the
 * points across lags taken from the random-walk model (kinisi's approach for MSDs). Returns the
 * weights w with m = Σ w_i y_i: the same linear functional for every curve (so sums of curves —
 * σ = Σ z_a z_b L_ab — stay exact) and for every jackknife sample. Only the shape of the
 * covariance matters for the weights, not the diffusion coefficient. Long lags, nearly redundant
 * given the shorter ones, get little weight, so a generous window costs little precision.
 */
export function glsSlopeWeights(t: ArrayLike<number>, lagFrames: ArrayLike<number>, frames: number, i0: number, i1: number): number[] {
  const n = i1 - i0 + 1;
  if (n < 2) throw new RangeError('a slope needs at least two lags');
  // Covariance matrix, normalised to unit diagonal scale for conditioning.
  const C = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) C[i * n + j] = C[j * n + i] = randomWalkCovariance(lagFrames[i0 + i], lagFrames[i0 + j], frames);
  const scale = C[(n - 1) * n + (n - 1)];
  for (let i = 0; i < n * n; i++) C[i] /= scale;
  // Neighbouring long lags are nearly collinear: a relative jitter on the diagonal (white noise far
  // below the model's) keeps the Cholesky factorisation stable; raised until it succeeds.
  const base = Float64Array.from(C);
  for (let jitter = 1e-9; !cholesky(C, n); jitter *= 10) {
    if (jitter > 1e-2) throw new Error('GLS covariance is not positive definite');
    C.set(base);
    for (let i = 0; i < n; i++) C[i * n + i] *= 1 + jitter;
  }
  const solve = (b: number[]): number[] => {
    const y = b.slice();
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < i; k++) y[i] -= C[i * n + k] * y[k];
      y[i] /= C[i * n + i];
    }
    for (let i = n - 1; i >= 0; i--) {
      for (let k = i + 1; k < n; k++) y[i] -= C[k * n + i] * y[k];
      y[i] /= C[i * n + i];
    }
    return y;
  };
  // Centre time for conditioning; the intercept absorbs the shift.
  const tm = (t[i0] + t[i1]) / 2;
  const x = Array.from({ length: n }, (_, i) => t[i0 + i] - tm);
  const ones = new Array(n).fill(1);
  const ci1 = solve(ones), cix = solve(x); // C⁻¹1, C⁻¹x
  let s11 = 0, s1x = 0, sxx = 0;
  for (let i = 0; i < n; i++) {
    s11 += ci1[i];
    s1x += cix[i];
    sxx += x[i] * cix[i];
  }
  const det = s11 * sxx - s1x * s1x;
  // Slope row of (XᵀC⁻¹X)⁻¹ XᵀC⁻¹ with X = [1, x].
  return Array.from({ length: n }, (_, i) => (s11 * cix[i] - s1x * ci1[i]) / det);
}

/** In-place Cholesky factorisation (lower triangle) of an n × n matrix; false if not positive definite. */
function cholesky(C: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    let d = C[j * n + j];
    for (let k = 0; k < j; k++) d -= C[j * n + k] ** 2;
    if (!(d > 0)) return false;
    const l = Math.sqrt(d);
    C[j * n + j] = l;
    for (let i = j + 1; i < n; i++) {
      let s = C[i * n + j];
      for (let k = 0; k < j; k++) s -= C[i * n + k] * C[j * n + k];
      C[i * n + j] = s / l;
    }
  }
  return true;
}

/** OLS slope weights w (slope = Σ w_i y_i) over indices i0..i1. */
export function olsSlopeWeights(t: ArrayLike<number>, i0: number, i1: number): number[] {
  let mt = 0;
  for (let i = i0; i <= i1; i++) mt += t[i];
  mt /= i1 - i0 + 1;
  let stt = 0;
  for (let i = i0; i <= i1; i++) stt += (t[i] - mt) ** 2;
  return Array.from({ length: i1 - i0 + 1 }, (_, k) => (t[i0 + k] - mt) / stt);
}

/**
 * Relative standard error of a slope Σ w_i M_i when M is the origin-averaged squared displacement
 * of ONE three-dimensional Gaussian random walk observed for `frames` frames (the charge
 * displacement J of an ideal electrolyte): Var(M_a, M_b) = 6 q² K(a, b)/frames per the kernel above
 * with q the per-axis step variance, and the slope is 3q per frame, so
 * (error/slope)² = (2/3) wᵀKw / frames with lags in frames and w per frame. It does not depend on
 * the data, which makes it a floor for the jackknife: a quadratic quantity of one vector is skewed
 * (chi-square-like), and a jackknife error computed from the same data is then small exactly when
 * the estimate is low, so its z = (estimate − truth)/error has too wide a spread.
 */
export function randomWalkSlopeRelativeError(lagFrames: ArrayLike<number>, weightsPerFrame: number[], i0: number, frames: number): number {
  let v = 0;
  for (let i = 0; i < weightsPerFrame.length; i++)
    for (let j = 0; j < weightsPerFrame.length; j++) v += weightsPerFrame[i] * weightsPerFrame[j] * randomWalkCovariance(lagFrames[i0 + i], lagFrames[i0 + j], frames);
  return Math.sqrt((2 / 3) * v);
}
