// The linear readout of the shared network, fitted in closed form from per-system moments.
// Per-ion least squares μ̂_i = b + w·x̃_i (x̃: features standardised with the training systems'
// mean and standard deviation; ridge penalty α·n on w, not on b) needs only each system's row
// count, Σx, Σxxᵀ, Σxμ: the moments are computed once per system, and the fit for any subset of
// systems (a fold of a nested study, a bootstrap sample) is a sum of moments and one small solve.
// That is what makes a nested leave-one-system-out study with an inner hyperparameter search
// exact and cheap (docs/model.md, "Nested evaluation").
import { choleskySolve } from './baselines';
import type { SharedSystem } from './shared-dataset';

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
  frames: number;
  /** Λ per unit mean μ (ions / n_f). */
  conversion: number;
}

export function momentsOf(system: SharedSystem, columns: Column[]): SystemMoments {
  const d = system.species[0];
  const P = d.features.length / Math.max(1, d.lambda.length);
  const F = columns.length;
  const sum = new Float64Array(F), cross = new Float64Array(F * F), xy = new Float64Array(F);
  const frameMeans = new Float64Array(system.frames * F);
  const x = new Float64Array(F);
  let ySum = 0;
  const ions = d.ions;
  for (let t = 0; t < system.frames; t++)
    for (let i = 0; i < ions; i++) {
      const r = t * ions + i;
      for (let k = 0; k < F; k++) x[k] = valueOf(d.features, r * P, columns[k]);
      const y = d.lambda[r];
      ySum += y;
      for (let a = 0; a < F; a++) {
        sum[a] += x[a];
        xy[a] += x[a] * y;
        frameMeans[t * F + a] += x[a] / ions;
        const row = a * F;
        for (let b = 0; b <= a; b++) cross[row + b] += x[a] * x[b];
      }
    }
  for (let a = 0; a < F; a++) for (let b = 0; b < a; b++) cross[b * F + a] = cross[a * F + b];
  return { name: system.name, n: system.frames * ions, columns, sum, cross, xy, ySum, frameMeans, frames: system.frames, conversion: system.conversion };
}

export interface Readout {
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
  let y = r.intercept;
  for (let a = 0; a < r.weights.length; a++) y += r.weights[a] * (m.sum[a] / m.n);
  return m.conversion * y;
}

/** Λ of every frame of a system under the readout (for the snapshot-sampling error). */
export function readoutFrameLambdas(r: Readout, m: SystemMoments): Float64Array {
  const F = r.weights.length;
  const out = new Float64Array(m.frames);
  for (let t = 0; t < m.frames; t++) {
    let y = r.intercept;
    for (let a = 0; a < F; a++) y += r.weights[a] * m.frameMeans[t * F + a];
    out[t] = m.conversion * y;
  }
  return out;
}
