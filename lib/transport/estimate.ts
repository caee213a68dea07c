// Estimators on top of the accumulated displacement correlations (SCIENCE.md Part 1, "Global
// transport"): D per species, Einstein–Helfand σ, Λ, Λ_NE, ionicity, Onsager L_ab and transference
// numbers, all from straight-line fits over one window, with jackknife errors over blocks.
import { detectWindow, fitLine, glsSlopeWeights, localSlopes, olsSlopeWeights, randomWalkSlopeRelativeError } from './fit';
import type { NativeTransportSums } from '../native';
import { AVOGADRO, BOLTZMANN, ELEMENTARY_CHARGE, UnitSystem } from './units';

/** The accumulator's partial result (sums, never averages; see native/include/ionfield/transport.hpp). */
export type TransportSums = NativeTransportSums;

export interface SystemDescription {
  species: string[];
  counts: number[];
  charges: number[]; // per species, units of e
  frameInterval: number; // input time units per frame
  temperature: number; // input temperature units (K, or epsilon/k_B in lj)
  units: UnitSystem;
  volume: number; // mean cell volume, input length^3
  formulaUnits: number | null;
  formulaConvention: string;
}

export interface WindowOptions {
  /** Fit window in input time units; automatic where not given. */
  fitStart?: number;
  fitStop?: number;
  /** Automatic window: largest lag as a fraction of the trajectory length (default 0.025). */
  stopFraction?: number;
  /** Automatic window: stop at most this many times the diffusive onset (the window start; default 10). */
  stopOnsetFactor?: number;
  /** Automatic window: allowed |local log-log slope − 1| (default 0.1). */
  slopeTolerance?: number;
  /** Number of blocks for the jackknife (default: as many as allowed, each at least blockFactor × the fit stop). */
  blocks?: number;
  /** Shortest jackknife block as a multiple of the fit stop (default 2). */
  blockFactor?: number;
  /** Slope estimator: 'ols' (default) or 'gls' (random-walk covariance across lags; see docs/transport.md for when it is biased). */
  fit?: 'gls' | 'ols';
}

export interface Estimate {
  value: number;
  error: number;
}

export interface RawCoefficients {
  diffusion: number[];
  sigma: number; // input units, e = k_B = 1
  onsager: number[][];
  sigmaNE: number;
  ionicity: number;
  lambda: number;
  lambdaNE: number;
  transference: number[];
  sumRule: number; // Σ z_a z_b L_ab
}

export interface Curves {
  time: number[];
  origins: number[];
  msd: number[][]; // [species][lag], per atom
  cross: number[][]; // [pair][lag], ⟨ΔR_a·ΔR_b⟩
  charge: number[]; // ⟨|J|²⟩
}

export function pairIndex(a: number, b: number, n: number): number {
  if (a > b) [a, b] = [b, a];
  return a * n - (a * (a - 1)) / 2 + (b - a);
}

/** Per-lag sums over the chosen blocks (weights: +1 include, −1 subtract, 0 skip). */
function blockSums(s: TransportSums, weight: (block: number) => number) {
  const nl = s.lags.length, ns = s.nspecies, np = (ns * (ns + 1)) / 2, nb = s.blockFrames.length;
  const origins = new Float64Array(nl), charge = new Float64Array(nl), msd = new Float64Array(nl * ns), cross = new Float64Array(nl * np);
  for (let b = 0; b < nb; b++) {
    const w = weight(b);
    if (w === 0) continue;
    for (let l = 0; l < nl; l++) {
      origins[l] += w * s.origins[b * nl + l];
      charge[l] += w * s.charge[b * nl + l];
      for (let k = 0; k < ns; k++) msd[l * ns + k] += w * s.msd[(b * nl + l) * ns + k];
      for (let k = 0; k < np; k++) cross[l * np + k] += w * s.cross[(b * nl + l) * np + k];
    }
  }
  return { origins, charge, msd, cross };
}

function curvesFrom(s: TransportSums, sys: SystemDescription, weight: (block: number) => number): Curves {
  const { origins, charge, msd, cross } = blockSums(s, weight);
  const nl = s.lags.length, ns = s.nspecies, np = (ns * (ns + 1)) / 2;
  const c: Curves = { time: [], origins: [], msd: [], cross: [], charge: [] };
  for (let k = 0; k < ns; k++) c.msd.push([]);
  for (let k = 0; k < np; k++) c.cross.push([]);
  for (let l = 0; l < nl; l++) {
    const n = Math.round(origins[l]);
    c.time.push(s.lags[l] * sys.frameInterval);
    c.origins.push(n);
    c.charge.push(n > 0 ? charge[l] / n : NaN);
    for (let k = 0; k < ns; k++) c.msd[k].push(n > 0 && sys.counts[k] > 0 ? msd[l * ns + k] / (n * sys.counts[k]) : NaN);
    for (let k = 0; k < np; k++) c.cross[k].push(n > 0 ? cross[l * np + k] / n : NaN);
  }
  return c;
}

export function totalCurves(s: TransportSums, sys: SystemDescription): Curves {
  return curvesFrom(s, sys, () => 1);
}

/** All coefficients from one set of curves and one window (indices into the lag grid). */
export function coefficients(c: Curves, sys: SystemDescription, i0: number, i1: number, weights?: number[]): RawCoefficients {
  const ns = sys.species.length, V = sys.volume, T = sys.temperature, z = sys.charges;
  // GLS weights (one linear functional for every curve) where given, else ordinary least squares.
  const slope = weights ? (y: number[]) => weights.reduce((acc, w, i) => acc + w * y[i0 + i], 0) : (y: number[]) => fitLine(c.time, y, i0, i1).slope;
  const diffusion = c.msd.map((y) => slope(y) / 6);
  const sigma = slope(c.charge) / (6 * V * T);
  const onsager: number[][] = [];
  for (let a = 0; a < ns; a++) {
    onsager.push([]);
    for (let b = 0; b < ns; b++) onsager[a].push(slope(c.cross[pairIndex(a, b, ns)]) / (6 * V * T));
  }
  let sigmaNE = 0, sumRule = 0;
  for (let a = 0; a < ns; a++) {
    sigmaNE += (sys.counts[a] * z[a] * z[a] * diffusion[a]) / (V * T);
    for (let b = 0; b < ns; b++) sumRule += z[a] * z[b] * onsager[a][b];
  }
  const transference = z.map((za, a) => (za * z.reduce((acc, zb, b) => acc + zb * onsager[a][b], 0)) / sumRule);
  const nf = sys.formulaUnits;
  return {
    diffusion,
    sigma,
    onsager,
    sigmaNE,
    ionicity: sigma / sigmaNE,
    lambda: nf ? (sigma * V) / nf : NaN,
    lambdaNE: nf ? (sigmaNE * V) / nf : NaN,
    transference,
    sumRule,
  };
}

function flatten(r: RawCoefficients): number[] {
  return [...r.diffusion, r.sigma, ...r.onsager.flat(), r.sigmaNE, r.ionicity, r.lambda, r.lambdaNE, ...r.transference, r.sumRule];
}

function unflatten(v: number[], ns: number): RawCoefficients {
  let k = 0;
  const take = (n: number) => v.slice(k, (k += n));
  const diffusion = take(ns);
  const [sigma] = take(1);
  const flat = take(ns * ns);
  const onsager = Array.from({ length: ns }, (_, a) => flat.slice(a * ns, (a + 1) * ns));
  const [sigmaNE, ionicity, lambda, lambdaNE] = take(4);
  const transference = take(ns);
  const [sumRule] = take(1);
  return { diffusion, sigma, onsager, sigmaNE, ionicity, lambda, lambdaNE, transference, sumRule };
}

/** Contiguous groups of the accumulator's blocks, each covering at least minFrames frames. */
export function groupBlocks(blockFrames: ArrayLike<number>, minFrames: number, maxGroups?: number): number[][] {
  const total = Array.from(blockFrames).reduce((a, b) => a + b, 0);
  let target = Math.max(minFrames, 1);
  if (maxGroups && maxGroups > 0) target = Math.max(target, total / maxGroups);
  const groups: number[][] = [];
  let current: number[] = [], frames = 0;
  for (let b = 0; b < blockFrames.length; b++) {
    current.push(b);
    frames += blockFrames[b];
    if (frames >= target - 1e-9) {
      groups.push(current);
      current = [];
      frames = 0;
    }
  }
  if (current.length) {
    if (groups.length) groups[groups.length - 1].push(...current);
    else groups.push(current);
  }
  return groups;
}

export interface Analysis {
  curves: Curves;
  localSlopes: number[][]; // per species
  window: { start: number; stop: number; automatic: boolean; diffusive: boolean; note: string | null; slopeTolerance: number };
  estimator: 'gls' | 'ols';
  /** Relative error floor applied to σ, Λ and the ionicity (ideal random walk of J); null without errors. */
  errorFloor: number | null;
  value: RawCoefficients;
  error: RawCoefficients;
  blocks: number;
  blockFrames: number; // mean frames per jackknife block
  warnings: string[];
}

/** Fits every coefficient over one window and estimates errors by delete-one-block jackknife. */
export function analyse(s: TransportSums, sys: SystemDescription, options: WindowOptions = {}): Analysis {
  const warnings: string[] = [];
  const curves = totalCurves(s, sys);
  const nl = curves.time.length;
  // Lags that have data at all (every lag of the grid up to frames − 1 has at least one origin).
  let last = nl - 1;
  while (last >= 0 && !(curves.origins[last] > 0)) last--;
  if (last < 1) throw new Error(`too few frames (${s.frames}) for a transport estimate: need at least 3`);
  const slopes = curves.msd.map((y, k) => (sys.counts[k] > 0 ? localSlopes(curves.time, y) : []));
  const tolerance = options.slopeTolerance ?? 0.1;
  const totalTime = s.frames * sys.frameInterval;
  const indexAtOrBelow = (t: number) => {
    let i = -1;
    for (let l = 0; l <= last; l++) if (curves.time[l] <= t * (1 + 1e-6)) i = l; // 1e-6: float32 times (XTC, DCD)
    return i;
  };
  const indexAtOrAbove = (t: number) => {
    for (let l = 0; l <= last; l++) if (curves.time[l] >= t * (1 - 1e-6)) return l;
    return -1;
  };
  const stopAt = (fraction: number) => Math.min(Math.max(1, indexAtOrBelow(fraction * totalTime)), last);
  let stop: number;
  if (options.fitStop !== undefined) {
    stop = indexAtOrBelow(options.fitStop);
    if (stop < 0) throw new RangeError(`--fit-stop ${options.fitStop} is below the shortest lag (${curves.time[0]})`);
    if (options.fitStop > curves.time[last] * (1 + 1e-12))
      warnings.push(`--fit-stop ${options.fitStop} is beyond the longest lag with data (${curves.time[last]}); fitting up to ${curves.time[last]}`);
  } else {
    stop = stopAt(options.stopFraction ?? 0.025);
  }
  let window: Analysis['window'];
  if (options.fitStart !== undefined) {
    const start = indexAtOrAbove(options.fitStart);
    if (start < 0 || start >= stop) throw new RangeError(`--fit-start ${options.fitStart} leaves no lags before the fit stop (${curves.time[stop]})`);
    window = { start, stop, automatic: false, diffusive: true, note: null, slopeTolerance: tolerance };
  } else {
    const msds = curves.msd.filter((_, k) => sys.counts[k] > 0);
    let w = detectWindow(curves.time, msds, stop, tolerance);
    // Neither end given: if the run is not diffusive by the default stop, look further out (fewer
    // jackknife blocks, said in a warning) before giving up.
    if (!w.diffusive && options.fitStop === undefined && options.stopFraction === undefined) {
      for (const fraction of [0.05, 0.1, 0.2]) {
        const wider = detectWindow(curves.time, msds, stopAt(fraction), tolerance);
        if (wider.diffusive) {
          w = wider;
          warnings.push(`the MSD is not diffusive by 2.5 % of the run; the fit stop was extended to ${fraction * 100} % (fewer, less independent jackknife blocks)`);
          break;
        }
      }
    }
    // Past the onset, longer lags add little information about the slope and cost jackknife
    // blocks (each must be twice the stop): without a user stop, end at a few times the onset,
    // keeping at least 8 lags.
    if (w.diffusive && options.fitStop === undefined) {
      const factor = options.stopOnsetFactor ?? 10;
      const capped = Math.max(indexAtOrBelow(factor * curves.time[w.start]), Math.min(w.stop, w.start + 7));
      if (capped < w.stop) w = { ...w, stop: capped };
    }
    stop = w.stop;
    window = { ...w, automatic: true, slopeTolerance: tolerance };
    if (w.note) warnings.push(w.note);
  }
  if (window.stop - window.start + 1 < 2) throw new RangeError('the fit window holds fewer than two lags');
  const estimator = options.fit ?? 'ols';
  const weights = estimator === 'gls' ? glsSlopeWeights(curves.time, s.lags, s.frames, window.start, window.stop) : undefined;
  const value = coefficients(curves, sys, window.start, window.stop, weights);

  // Jackknife over contiguous blocks at least twice the fit's longest lag (so that blocks are
  // nearly independent), and at most the requested number of blocks.
  const stopFrames = s.lags[window.stop];
  const groups = groupBlocks(s.blockFrames, (options.blockFactor ?? 2) * stopFrames, options.blocks);
  const nb = groups.length;
  const ns = sys.species.length;
  let error: RawCoefficients;
  let errorFloor: number | null = null;
  if (nb < 2) {
    warnings.push(`only ${nb} block of at least twice the fit stop fits in the trajectory: no error estimate (shorten the fit window or use a longer trajectory)`);
    error = unflatten(flatten(value).map(() => NaN), ns);
  } else {
    if (nb < 5) warnings.push(`errors come from only ${nb} blocks; they are themselves uncertain by about ${Math.round(100 / Math.sqrt(2 * (nb - 1)))} %`);
    const groupOf = new Int32Array(s.blockFrames.length);
    groups.forEach((g, gi) => g.forEach((b) => (groupOf[b] = gi)));
    const samples: number[][] = [];
    for (let g = 0; g < nb; g++) {
      const c = curvesFrom(s, sys, (b) => (groupOf[b] === g ? 0 : 1));
      samples.push(flatten(coefficients(c, sys, window.start, window.stop, weights)));
    }
    const width = samples[0].length;
    const err: number[] = [];
    for (let k = 0; k < width; k++) {
      const mean = samples.reduce((acc, v) => acc + v[k], 0) / nb;
      const ss = samples.reduce((acc, v) => acc + (v[k] - mean) ** 2, 0);
      err.push(Math.sqrt(((nb - 1) / nb) * ss));
    }
    error = unflatten(err, ns);
    // Floor for the charge-current quantities: the relative error of the same slope for an ideal
    // random walk J over this run (data-independent; see randomWalkSlopeRelativeError). Ratios
    // that inherit σ's relative error (Λ, ionicity) get the same floor.
    const lagsFrames = Array.from(s.lags);
    const perFrame = weights ? glsSlopeWeights(lagsFrames, lagsFrames, s.frames, window.start, window.stop) : olsSlopeWeights(lagsFrames, window.start, window.stop);
    const floor = randomWalkSlopeRelativeError(lagsFrames, perFrame, window.start, s.frames);
    const raise = (e: number, v: number) => (Number.isFinite(v) && Number.isFinite(e) ? Math.max(e, floor * Math.abs(v)) : e);
    error.sigma = raise(error.sigma, value.sigma);
    error.lambda = raise(error.lambda, value.lambda);
    error.ionicity = raise(error.ionicity, value.ionicity);
    errorFloor = floor;
  }
  const covered = groups.map((g) => g.reduce((a, b) => a + s.blockFrames[b], 0));
  return {
    curves,
    localSlopes: slopes,
    window,
    estimator,
    errorFloor,
    value,
    error,
    blocks: nb,
    blockFrames: covered.reduce((a, b) => a + b, 0) / Math.max(1, nb),
    warnings,
  };
}

/** Factors from input units (e = k_B = 1 per input temperature unit) to SI; null in lj. */
export function siFactors(u: UnitSystem) {
  if (u.lengthSI === null || u.timeSI === null) return null;
  const L = u.lengthSI, t = u.timeSI;
  return {
    diffusion: (L * L) / t, // m²/s
    conductivity: (ELEMENTARY_CHARGE * ELEMENTARY_CHARGE) / (BOLTZMANN * L * t), // S/m
    onsager: 1 / (BOLTZMANN * L * t), // 1/(J m s)
    molarSI: (ELEMENTARY_CHARGE * ELEMENTARY_CHARGE * AVOGADRO * L * L) / (BOLTZMANN * t), // S m²/mol
  };
}
