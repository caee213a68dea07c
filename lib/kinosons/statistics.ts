// Statistics of kinosons (single-transition contributions to D): their mean with error, the
// density of log10 κ by group, the cumulative share of D by kinoson size, and D(T) models.

export interface Estimate {
  mean: number;
  error: number;
}

/** The plain {mean, error} of a native estimate (or any object that has them). */
export function estimate(e: { mean: number; error: number }): Estimate {
  return { mean: e.mean, error: e.error };
}

export interface KinosonSet {
  value: Float64Array; // κ per sampled transition
  state: Int32Array; // the state it was sampled from
  species: Uint8Array; // jumping species
  environment: Uint8Array; // like-species nearest neighbours of the jumping atom
}

/** D = (1/states) Σ κ, with the standard error over states (κ of one state are summed first). */
/**
 * D as the mean of the per-state kinoson sums. `blocks` (block of each state; default: every state
 * its own block) gives the error from block means, so states of one Monte Carlo chain, which are
 * correlated, are not counted as independent: err² = B/(B−1) Σ_b (n_b/n)² (m_b − m)².
 */
export function kinosonMean(k: KinosonSet, states: number, blocks?: Int32Array): Estimate {
  const perState = new Float64Array(states);
  for (let i = 0; i < k.value.length; i++) perState[k.state[i]] += k.value[i];
  let mean = 0;
  for (const v of perState) mean += v;
  mean /= states;
  if (!blocks) {
    let ss = 0;
    for (const v of perState) ss += (v - mean) ** 2;
    return { mean, error: states > 1 ? Math.sqrt(ss / (states - 1) / states) : 0 };
  }
  const sums = new Map<number, { sum: number; n: number }>();
  perState.forEach((v, i) => {
    const b = sums.get(blocks[i]) ?? { sum: 0, n: 0 };
    b.sum += v;
    b.n++;
    sums.set(blocks[i], b);
  });
  let ss = 0;
  for (const { sum, n } of sums.values()) ss += (n / states) ** 2 * (sum / n - mean) ** 2;
  const B = sums.size;
  return { mean, error: B > 1 ? Math.sqrt((ss * B) / (B - 1)) : 0 };
}

export interface Density {
  group: string;
  count: number;
  /** Share of D carried by this group. */
  share: number;
  /** Bin centres of log10 κ and the probability density per unit log10 κ (normalised over all kinosons). */
  centres: number[];
  density: number[];
}

/** Densities of log10 κ for each group (κ <= 0 are left out and counted as `zero`). */
export function logDensities(k: KinosonSet, groupOf: (i: number) => string, bins = 40): { densities: Density[]; zero: number; range: [number, number] } {
  let lo = Infinity, hi = -Infinity, zero = 0, total = 0;
  for (const v of k.value) {
    total += v;
    if (v > 0) {
      const l = Math.log10(v);
      lo = Math.min(lo, l);
      hi = Math.max(hi, l);
    } else zero++;
  }
  // Equal kinosons (a pure lattice) give a range of zero or a few rounding steps: centre one
  // decade on them instead of bins narrower than the doubles can resolve.
  if (!(hi - lo > 1e-9 * Math.max(1, Math.abs(lo)))) [lo, hi] = Number.isFinite(lo) ? [lo - 0.5, hi + 0.5] : [0, 1];
  const width = (hi - lo) / bins;
  const groups = new Map<string, { counts: number[]; n: number; sum: number }>();
  const positive = k.value.length - zero;
  for (let i = 0; i < k.value.length; i++) {
    const v = k.value[i];
    const g = groupOf(i);
    let e = groups.get(g);
    if (!e) groups.set(g, (e = { counts: new Array(bins).fill(0), n: 0, sum: 0 }));
    e.n++;
    e.sum += v;
    if (v > 0) e.counts[Math.min(bins - 1, Math.floor((Math.log10(v) - lo) / width))]++;
  }
  const centres = Array.from({ length: bins }, (_, b) => lo + (b + 0.5) * width);
  const densities = [...groups.entries()]
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .map(([group, e]) => ({ group, count: e.n, share: total > 0 ? e.sum / total : 0, centres, density: e.counts.map((c) => (positive > 0 ? c / (positive * width) : 0)) })); // all κ = 0: no density, not 0/0
  return { densities, zero, range: [lo, hi] };
}

export interface CumulativeShare {
  /** Fraction of kinosons (largest first) that carry 50 %, 90 % and 99 % of D. */
  fractionFor50: number;
  fractionFor90: number;
  fractionFor99: number;
  /** Sampled curve: fraction of kinosons (largest first) → fraction of D. */
  kinosonFraction: number[];
  shareOfD: number[];
}

export function cumulativeShare(values: Float64Array, points = 200): CumulativeShare {
  const sorted = Float64Array.from(values).sort().reverse();
  const n = sorted.length;
  let total = 0;
  for (const v of sorted) total += v;
  const cum = new Float64Array(n);
  let run = 0;
  for (let i = 0; i < n; i++) cum[i] = run += sorted[i];
  const fractionFor = (q: number) => {
    for (let i = 0; i < n; i++) if (cum[i] >= q * total) return (i + 1) / n;
    return 1;
  };
  const kinosonFraction: number[] = [0], shareOfD: number[] = [0];
  for (let p = 1; p <= points; p++) {
    const i = Math.min(n - 1, Math.max(0, Math.round((p / points) * n) - 1));
    kinosonFraction.push((i + 1) / n);
    shareOfD.push(total > 0 ? cum[i] / total : 0);
  }
  return { fractionFor50: fractionFor(0.5), fractionFor90: fractionFor(0.9), fractionFor99: fractionFor(0.99), kinosonFraction, shareOfD };
}

/** Weighted least squares y = a + b x; returns a, b and their standard errors. Weights 1/σ² only
 *  when every σ is positive and finite: a point with σ = 0 (or unknown) given weight 1 next to
 *  weights 1/σ² ~ 10⁴ would all but drop out, so then all points weigh alike. */
export function linearFit(x: number[], y: number[], sigma?: number[]): { a: number; b: number; aError: number; bError: number } {
  const weighted = sigma !== undefined && sigma.every((s) => s > 0 && Number.isFinite(s));
  const w = x.map((_, i) => (weighted ? 1 / sigma![i] ** 2 : 1));
  let S = 0, Sx = 0, Sy = 0, Sxx = 0, Sxy = 0;
  for (let i = 0; i < x.length; i++) {
    S += w[i];
    Sx += w[i] * x[i];
    Sy += w[i] * y[i];
    Sxx += w[i] * x[i] * x[i];
    Sxy += w[i] * x[i] * y[i];
  }
  const det = S * Sxx - Sx * Sx;
  const b = det !== 0 ? (S * Sxy - Sx * Sy) / det : 0;
  const a = (Sy - b * Sx) / S;
  return { a, b, aError: det > 0 ? Math.sqrt(Sxx / det) : 0, bError: det > 0 ? Math.sqrt(S / det) : 0 };
}

export const kBoltzmannEv = 8.617333262e-5;

export interface TemperaturePoint {
  temperature: number;
  D: Estimate;
  /** Mean and variance of ln κ over κ > 0, and the mean number of such kinosons per state. */
  lnMean: number;
  lnVariance: number;
  perState: number;
  /** The same per group (jumping species), for the mixture model. */
  groups?: { group: string; lnMean: number; lnVariance: number; perState: number }[];
}

export interface DTModels {
  arrhenius: { D0: number; Q: number; QError: number; predicted: number[] };
  /** ln κ ~ Normal(μ(T), s²(T)) with μ and s² linear in 1/kT: D(T) = n(T) exp(μ + s²/2). */
  lognormal: { mu: [number, number]; variance: [number, number]; perState: [number, number]; predicted: number[] };
  /** One log-normal per group (jumping species), each with μ, s², n linear in 1/kT; D = Σ_g n_g exp(μ_g + s_g²/2). */
  mixture: { groups: { group: string; mu: [number, number]; variance: [number, number]; perState: [number, number] }[]; predicted: number[] } | null;
  /** Root-mean-square of ln(D_model / D) over the fitted temperatures (null where a model
   *  predicts D <= 0 at one of them: a count per state fitted below zero). */
  rmsLogError: { arrhenius: number | null; lognormal: number | null; mixture: number | null };
  /** The temperatures the models were fitted to: those with D > 0. `predicted` is at every point. */
  from: number[];
}

function lnMoments(values: Iterable<number>, states: number): { lnMean: number; lnVariance: number; perState: number } {
  let n = 0, s = 0, s2 = 0;
  for (const v of values)
    if (v > 0) {
      const l = Math.log(v);
      n++;
      s += l;
      s2 += l * l;
    }
  const lnMean = n ? s / n : 0;
  return { lnMean, lnVariance: n > 1 ? (s2 - n * lnMean * lnMean) / (n - 1) : 0, perState: n / states };
}

export function temperaturePoint(k: KinosonSet, states: number, temperature: number, groupOf?: (i: number) => string, blocks?: Int32Array): TemperaturePoint {
  const point: TemperaturePoint = { temperature, D: kinosonMean(k, states, blocks), ...lnMoments(k.value, states) };
  if (groupOf) {
    const byGroup = new Map<string, number[]>();
    for (let i = 0; i < k.value.length; i++) {
      const g = groupOf(i);
      if (!byGroup.has(g)) byGroup.set(g, []);
      byGroup.get(g)!.push(k.value[i]);
    }
    point.groups = [...byGroup.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([group, v]) => ({ group, ...lnMoments(v, states) }));
  }
  return point;
}

/**
 * Fits an Arrhenius law to D(T) and the log-normal kinoson-density models, predicted at every
 * point's temperature. Only points with D > 0 are fitted: ln D of a species that did not move
 * (its rates below double range at a low temperature) is −∞ and would turn every fit into NaN.
 * Null when fewer than two such points remain.
 */
export function fitTemperatureModels(all: TemperaturePoint[]): DTModels | null {
  const points = all.filter((p) => p.D.mean > 0 && Number.isFinite(p.D.mean));
  if (points.length < 2) return null;
  const beta = points.map((p) => 1 / (kBoltzmannEv * p.temperature));
  const betaAll = all.map((p) => 1 / (kBoltzmannEv * p.temperature));
  const lnD = points.map((p) => Math.log(p.D.mean));
  const arr = linearFit(beta, lnD, points.map((p) => p.D.error / p.D.mean));
  const mu = linearFit(beta, points.map((p) => p.lnMean));
  const variance = linearFit(beta, points.map((p) => p.lnVariance));
  const perState = linearFit(beta, points.map((p) => p.perState));
  const arrhenius = (b: number) => Math.exp(arr.a + arr.b * b);
  const lognormal = (b: number) => (perState.a + perState.b * b) * Math.exp(mu.a + mu.b * b + 0.5 * (variance.a + variance.b * b));
  // In logs: predictions near the bottom of the double range must not underflow to a ratio of 0.
  const logError = (lnPred: number, i: number) => lnPred - Math.log(points[i].D.mean);
  const rmsOf = (errors: number[]) => {
    const r = Math.sqrt(errors.reduce((a, e) => a + e * e, 0) / errors.length);
    return Number.isFinite(r) ? r : null;
  };
  const lnLognormal = (b: number) => Math.log(perState.a + perState.b * b) + mu.a + mu.b * b + 0.5 * (variance.a + variance.b * b);
  // Mixture: only when every temperature has the same groups.
  let mixture: DTModels['mixture'] = null;
  let mixtureRms: number | null = null;
  const names = points[0].groups?.map((g) => g.group);
  if (names && points.every((p) => p.groups && p.groups.length === names.length && p.groups.every((g, i) => g.group === names[i]))) {
    const groups = names.map((group, gi) => {
      const m = linearFit(beta, points.map((p) => p.groups![gi].lnMean));
      const v = linearFit(beta, points.map((p) => p.groups![gi].lnVariance));
      const n = linearFit(beta, points.map((p) => p.groups![gi].perState));
      return { group, mu: [m.a, m.b] as [number, number], variance: [v.a, v.b] as [number, number], perState: [n.a, n.b] as [number, number] };
    });
    const mix = (b: number) => groups.reduce((a, g) => a + (g.perState[0] + g.perState[1] * b) * Math.exp(g.mu[0] + g.mu[1] * b + 0.5 * (g.variance[0] + g.variance[1] * b)), 0);
    mixture = { groups, predicted: betaAll.map(mix) };
    mixtureRms = rmsOf(beta.map((b, i) => logError(Math.log(mix(b)), i)));
  }
  return {
    arrhenius: { D0: Math.exp(arr.a), Q: -arr.b, QError: arr.bError, predicted: betaAll.map(arrhenius) },
    lognormal: { mu: [mu.a, mu.b], variance: [variance.a, variance.b], perState: [perState.a, perState.b], predicted: betaAll.map(lognormal) },
    mixture,
    rmsLogError: { arrhenius: rmsOf(beta.map((b, i) => logError(arr.a + arr.b * b, i))), lognormal: rmsOf(beta.map((b, i) => logError(lnLognormal(b), i))), mixture: mixtureRms },
    from: points.map((p) => p.temperature),
  };
}
