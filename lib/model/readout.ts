// The linear readout of the shared network, fitted in closed form from per-system moments.
// Per-ion least squares μ̂_i = b + w·x̃_i (x̃: features standardised with the training systems'
// mean and standard deviation; ridge penalty α·n on w, not on b) needs only each system's row
// count, Σx, Σxxᵀ, Σxμ: the moments are computed once per system, and the fit for any subset of
// systems (a fold of a nested study, a bootstrap sample) is a sum of moments and one small solve.
// That is what makes a nested leave-one-system-out study with an inner hyperparameter search
// exact and cheap (docs/model.md, "Nested evaluation").
import { choleskySolve } from './baselines';
import type { SharedSystem } from './shared-dataset';
import { groupASign } from './shared-features';

/** An input of the readout: a folded feature, or the product of two (an interaction, e.g. |z|·Q). */
export type Column = number | [number, number];

function valueOf(row: Float32Array, base: number, c: Column): number {
  return typeof c === 'number' ? row[base + c] : row[base + c[0]] * row[base + c[1]];
}

export interface SystemMoments {
  name: string;
  /** Rows (ions × frames) and feature columns used. */
  n: number;
  columns: Column[];
  sum: Float64Array; // Σ x            [F]
  cross: Float64Array; // Σ x xᵀ       [F × F]
  xy: Float64Array; // Σ x μ           [F]
  ySum: number;
  /** Per frame: the mean feature vector over the frame's ions [frames × F] (for sampling errors). */
  frameMeans: Float64Array;
  /** Per frame: the same over the frame's group-A ions, and over group B [frames × F] (shared-features.ts; log readout). */
  framePlus: Float64Array;
  frameMinus: Float64Array;
  frames: number;
  /** Λ per unit mean μ (ions / n_f). */
  conversion: number;
}

/**
 * The moments of a system accumulated over chunks of whole frames, given in frame order (a shared
 * training set read from disk a chunk at a time, shared-stream.ts): each sum takes its terms in
 * the order of one pass over the whole arrays, so the result is momentsOf's bit for bit.
 */
export class MomentsAccumulator {
  private readonly F: number;
  private readonly sum: Float64Array;
  private readonly cross: Float64Array;
  private readonly xy: Float64Array;
  private readonly frameMeans: Float64Array;
  private readonly framePlus: Float64Array;
  private readonly frameMinus: Float64Array;
  private readonly x: Float64Array;
  private readonly sign: Int8Array;
  private readonly cations: number;
  private readonly anions: number;
  private ySum = 0;
  private seen = 0;

  constructor(
    private readonly system: Pick<SharedSystem, 'name' | 'frames' | 'conversion' | 'centres'>,
    private readonly ions: number,
    readonly columns: Column[],
  ) {
    const F = (this.F = columns.length);
    this.sum = new Float64Array(F);
    this.cross = new Float64Array(F * F);
    this.xy = new Float64Array(F);
    this.frameMeans = new Float64Array(system.frames * F);
    this.framePlus = new Float64Array(system.frames * F);
    this.frameMinus = new Float64Array(system.frames * F);
    this.x = new Float64Array(F);
    // Row i of a frame belongs to centre species `sign[i]` (rows are in centre order, shared-dataset.ts).
    this.sign = new Int8Array(ions);
    const signA = groupASign((system.centres ?? []).map((c) => ({ charge: c.charge, size: c.size ?? 1 })));
    let at = 0;
    for (const c of system.centres ?? []) for (let i = 0; i < c.ions; i++) this.sign[at++] = Math.sign(c.charge * signA);
    this.cations = this.sign.filter((v) => v > 0).length;
    this.anions = this.sign.filter((v) => v < 0).length;
  }

  /** The next `frames` frames: folded features [frames × ions × P] and μ [frames × ions]. */
  add(features: Float32Array, lambda: Float64Array, frames: number): void {
    const { F, x, sign, ions, columns, sum, xy, cross, frameMeans, framePlus, frameMinus } = this;
    const P = features.length / Math.max(1, lambda.length);
    for (let c = 0; c < frames; c++) {
      const t = this.seen + c;
      for (let i = 0; i < ions; i++) {
        const r = c * ions + i;
        for (let k = 0; k < F; k++) x[k] = valueOf(features, r * P, columns[k]);
        const y = lambda[r];
        this.ySum += y;
        const signed = sign[i] > 0 ? framePlus : sign[i] < 0 ? frameMinus : null;
        const per = sign[i] > 0 ? this.cations : this.anions;
        for (let a = 0; a < F; a++) {
          sum[a] += x[a];
          xy[a] += x[a] * y;
          frameMeans[t * F + a] += x[a] / ions;
          if (signed) signed[t * F + a] += x[a] / per;
          const row = a * F;
          for (let b = 0; b <= a; b++) cross[row + b] += x[a] * x[b];
        }
      }
    }
    this.seen += frames;
  }

  finish(): SystemMoments {
    const { F, cross, system } = this;
    if (this.seen !== system.frames) throw new Error(`${system.name}: moments over ${this.seen} of ${system.frames} frames`);
    for (let a = 0; a < F; a++) for (let b = 0; b < a; b++) cross[b * F + a] = cross[a * F + b];
    return {
      name: system.name, n: system.frames * this.ions, columns: this.columns, sum: this.sum, cross, xy: this.xy, ySum: this.ySum,
      frameMeans: this.frameMeans, framePlus: this.framePlus, frameMinus: this.frameMinus, frames: system.frames, conversion: system.conversion,
    };
  }
}

export function momentsOf(system: SharedSystem, columns: Column[]): SystemMoments {
  const d = system.species[0];
  const m = new MomentsAccumulator(system, d.ions, columns);
  m.add(d.features, d.lambda, system.frames);
  return m.finish();
}

export interface Readout {
  /** 'linear' (default): μ̂ = b + w·x. 'log': see LogScale. */
  kind?: 'linear' | 'log';
  /** The log readout's scale part (kind 'log'). */
  logScale?: LogScale;
  columns: Column[];
  alpha: number;
  /** Standardisation of the training systems. */
  mean: Float64Array;
  scale: Float64Array;
  /** μ̂ = intercept + Σ_k weights[k] · x[columns[k]] in raw feature units. */
  weights: Float64Array;
  intercept: number;
}

/**
 * Ridge fit over the systems with multiplicities `count` (1 each by default; a bootstrap sample
 * repeats some): per-ion least squares, each row weighted alike.
 */
export function fitReadout(systems: SystemMoments[], alpha: number, count?: number[]): Readout {
  const F = systems[0].columns.length;
  let n = 0, ySum = 0;
  const sum = new Float64Array(F), cross = new Float64Array(F * F), xy = new Float64Array(F);
  systems.forEach((m, s) => {
    const c = count ? count[s] : 1;
    if (c === 0) return;
    n += c * m.n;
    ySum += c * m.ySum;
    for (let a = 0; a < F; a++) {
      sum[a] += c * m.sum[a];
      xy[a] += c * m.xy[a];
    }
    for (let k = 0; k < F * F; k++) cross[k] += c * m.cross[k];
  });
  const mean = sum.map((v) => v / n);
  const scale = new Float64Array(F);
  for (let a = 0; a < F; a++) {
    const v = cross[a * F + a] / n - mean[a] * mean[a];
    scale[a] = v > 1e-24 * Math.max(1, mean[a] * mean[a]) ? Math.sqrt(v) : 1;
  }
  const yMean = ySum / n;
  // Centred, standardised normal equations: A = Σ x̃ x̃ᵀ + α n I, b = Σ x̃ (μ − μ̄).
  const A = new Float64Array(F * F), b = new Float64Array(F);
  for (let a = 0; a < F; a++) {
    b[a] = (xy[a] - n * mean[a] * yMean) / scale[a];
    for (let c = 0; c < F; c++) A[a * F + c] = (cross[a * F + c] - n * mean[a] * mean[c]) / (scale[a] * scale[c]);
    A[a * F + a] += alpha * n;
  }
  const w = choleskySolve(A, b, F);
  const weights = w.map((v, a) => v / scale[a]);
  let intercept = yMean;
  for (let a = 0; a < F; a++) intercept -= weights[a] * mean[a];
  return { columns: systems[0].columns, alpha, mean, scale, weights, intercept };
}

/** Mean μ̂ of a system (its rows' mean features through the readout) and Λ = conversion × that. */
export function readoutLambda(r: Readout, m: SystemMoments): number {
  if (r.kind === 'log') return m.conversion * Math.exp(logArgument(r.logScale!, meanOver(m.framePlus, m), meanOver(m.frameMinus, m)));
  let y = r.intercept;
  for (let a = 0; a < r.weights.length; a++) y += r.weights[a] * (m.sum[a] / m.n);
  return m.conversion * y;
}

/** Λ of every frame of a system under the readout (for the snapshot-sampling error). */
export function readoutFrameLambdas(r: Readout, m: SystemMoments): Float64Array {
  const F = r.weights.length;
  const out = new Float64Array(m.frames);
  if (r.kind === 'log') {
    for (let t = 0; t < m.frames; t++)
      out[t] = m.conversion * Math.exp(logArgument(r.logScale!, m.framePlus.subarray(t * F, (t + 1) * F), m.frameMinus.subarray(t * F, (t + 1) * F)));
    return out;
  }
  for (let t = 0; t < m.frames; t++) {
    let y = r.intercept;
    for (let a = 0; a < F; a++) y += r.weights[a] * m.frameMeans[t * F + a];
    out[t] = m.conversion * y;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The log-linear readout. Conductivity is multiplicative in its causes (a denser electrolyte and
// stronger pairing each scale it down by a factor), so the electrolyte's scale is fitted in log
// space from the frame's group-A and group-B mean features (shared-features.ts), and each ion's share around it
// linearly from its own features relative to the frame's mean:
//   μ̂_i = exp(c + u⁺·x̄⁺ + u⁻·x̄⁻) · (1 + v·(x_i − x̄))
// The second factor averages to exactly 1 over a frame's ions, so Λ = conversion · exp(…): the
// scale decides Λ, the local factor only distributes it over the ions.
//   scale: ridge on log(mean μ) of each training system (one point per system, standardised);
//   local: ridge on μ_i/μ̄_s − 1 against x_i − x̄_s, pooled over rows (from the same moments).

export interface LogScale {
  /** Weights on the cation-mean and anion-mean of each readout column, in raw units. */
  plus: Float64Array;
  minus: Float64Array;
  intercept: number;
}

function meanOver(perFrame: Float64Array, m: SystemMoments): Float64Array {
  const F = m.columns.length;
  const out = new Float64Array(F);
  for (let t = 0; t < m.frames; t++) for (let a = 0; a < F; a++) out[a] += perFrame[t * F + a] / m.frames;
  return out;
}

function logArgument(s: LogScale, plus: ArrayLike<number>, minus: ArrayLike<number>): number {
  let v = s.intercept;
  for (let a = 0; a < s.plus.length; a++) v += s.plus[a] * plus[a] + s.minus[a] * minus[a];
  return v;
}

/** Fits the log readout (plain columns only) on systems with a positive mean target. */
export function fitLogReadout(systems: SystemMoments[], alpha: number, count?: number[]): Readout {
  const F = systems[0].columns.length;
  if (systems[0].columns.some((c) => typeof c !== 'number')) throw new Error('the log readout takes plain feature columns only');
  // Scale: one point per system (repeated by its bootstrap count), features [x̄⁺, x̄⁻].
  const pts: { x: number[]; y: number }[] = [];
  systems.forEach((m, s) => {
    const yMean = m.ySum / m.n;
    if (!(yMean > 0)) return; // log undefined: such a system cannot set a scale
    const x = [...meanOver(m.framePlus, m), ...meanOver(m.frameMinus, m)];
    for (let c = 0; c < (count ? count[s] : 1); c++) pts.push({ x, y: Math.log(yMean) });
  });
  const G = 2 * F, n = pts.length;
  if (n < 2) throw new Error('the log readout needs at least two training systems with a positive mean target');
  const mu = Array.from({ length: G }, (_, k) => pts.reduce((a, p) => a + p.x[k], 0) / n);
  const sd = Array.from({ length: G }, (_, k) => {
    const v = pts.reduce((a, p) => a + (p.x[k] - mu[k]) ** 2, 0) / n;
    return v > 1e-24 * Math.max(1, mu[k] * mu[k]) ? Math.sqrt(v) : 1;
  });
  const Z = pts.map((p) => p.x.map((v, k) => (v - mu[k]) / sd[k]));
  const yBar = pts.reduce((a, p) => a + p.y, 0) / n;
  // Dual form (n ≤ a few dozen systems, G up to ~100 features): w = Zᵀ (Z Zᵀ + α n I)⁻¹ (y − ȳ).
  const K = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) K[i * n + j] = Z[i].reduce((a, v, k) => a + v * Z[j][k], 0) + (i === j ? alpha * n : 0);
  const c = choleskySolve(K, Float64Array.from(pts, (p) => p.y - yBar), n);
  const w = Array.from({ length: G }, (_, k) => Z.reduce((a, z, i) => a + z[k] * c[i], 0) / sd[k]);
  let intercept = yBar;
  for (let k = 0; k < G; k++) intercept -= w[k] * mu[k];
  const logScale: LogScale = { plus: Float64Array.from(w.slice(0, F)), minus: Float64Array.from(w.slice(F)), intercept };
  // Local share: pooled within-system deviations, relative to the system's mean target.
  const A = new Float64Array(F * F), b = new Float64Array(F);
  let rows = 0;
  systems.forEach((m, s) => {
    const cnt = count ? count[s] : 1;
    const yMean = m.ySum / m.n;
    if (!(yMean > 0) || cnt === 0) return;
    rows += cnt * m.n;
    const xBar = m.sum.map((v) => v / m.n);
    for (let a = 0; a < F; a++) {
      b[a] += (cnt * (m.xy[a] - xBar[a] * m.ySum)) / yMean;
      for (let q = 0; q < F; q++) A[a * F + q] += cnt * (m.cross[a * F + q] - m.n * xBar[a] * xBar[q]);
    }
  });
  const scale = new Float64Array(F);
  for (let a = 0; a < F; a++) scale[a] = A[a * F + a] > 1e-24 * rows ? Math.sqrt(A[a * F + a] / rows) : 1;
  for (let a = 0; a < F; a++) {
    b[a] /= scale[a];
    for (let q = 0; q < F; q++) A[a * F + q] /= scale[a] * scale[q];
    A[a * F + a] += alpha * rows;
  }
  const v = choleskySolve(A, b, F);
  return { kind: 'log', logScale, columns: systems[0].columns, alpha, mean: Float64Array.from(mu.slice(0, F)), scale, weights: v.map((x, a) => x / scale[a]), intercept: 0 };
}
