// Baselines for the leave-systems-out evaluation (docs/model.md):
// - linear: per species λ̂ = b + w·G̃ on the same standardised descriptors, closed-form ridge
//   (normal equations accumulated in float64 over all training ions, solved by Cholesky);
// - concentration only: Λ = a + b·√c over the training systems (Kohlrausch's form), c = n_f / ⟨V⟩;
//   it ignores everything but concentration, which is what the descriptors must beat.
import type { LoadedSystem } from './dataset';
import { targetLambda } from './dataset';

/** Solves A x = b for symmetric positive definite A (n x n, row-major); throws if A is not SPD. */
export function choleskySolve(A: Float64Array, b: Float64Array, n: number): Float64Array {
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let s = A[i * n + j];
      for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k];
      if (i === j) {
        if (!(s > 0)) throw new Error('ridge: normal matrix is not positive definite (increase alpha)');
        L[i * n + i] = Math.sqrt(s);
      } else L[i * n + j] = s / L[j * n + j];
    }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[i * n + k] * y[k];
    y[i] = s / L[i * n + i];
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < n; k++) s -= L[k * n + i] * x[k];
    x[i] = s / L[i * n + i];
  }
  return x;
}

export interface LinearModel {
  /** Per species: mean and scale of each feature, weights, intercept. */
  species: { mean: Float64Array; scale: Float64Array; weights: Float64Array; intercept: number }[];
  alpha: number;
}

/** Ridge regression per species on standardised features; alpha penalises weights, not the intercept. */
export function fitLinear(train: LoadedSystem[], alpha = 1e-3): LinearModel {
  const S = train[0].species.length;
  const out: LinearModel = { species: [], alpha };
  for (let s = 0; s < S; s++) {
    const dims = train.map((sys) => sys.species[s]).find((d) => d.lambda.length > 0);
    if (!dims) throw new Error(`linear baseline: species ${s} has no training ions`);
    const Fs = dims.features.length / dims.lambda.length;
    const mean = new Float64Array(Fs);
    const sq = new Float64Array(Fs);
    let n = 0;
    for (const sys of train) {
      const d = sys.species[s];
      for (let r = 0; r < d.lambda.length; r++) for (let f = 0; f < Fs; f++) mean[f] += d.features[r * Fs + f];
      n += d.lambda.length;
    }
    for (let f = 0; f < Fs; f++) mean[f] /= n;
    for (const sys of train) {
      const d = sys.species[s];
      for (let r = 0; r < d.lambda.length; r++) for (let f = 0; f < Fs; f++) sq[f] += (d.features[r * Fs + f] - mean[f]) ** 2;
    }
    const scale = sq.map((q) => (Math.sqrt(q / n) > 1e-12 ? Math.sqrt(q / n) : 1));
    // Normal equations with the intercept as column Fs (centred features make it the target mean).
    const P = Fs + 1;
    const A = new Float64Array(P * P);
    const b = new Float64Array(P);
    const x = new Float64Array(P);
    for (const sys of train) {
      const d = sys.species[s];
      for (let r = 0; r < d.lambda.length; r++) {
        for (let f = 0; f < Fs; f++) x[f] = (d.features[r * Fs + f] - mean[f]) / scale[f];
        x[Fs] = 1;
        for (let i = 0; i < P; i++) {
          b[i] += x[i] * d.lambda[r];
          for (let j = 0; j <= i; j++) A[i * P + j] += x[i] * x[j];
        }
      }
    }
    for (let i = 0; i < P; i++) for (let j = 0; j < i; j++) A[j * P + i] = A[i * P + j];
    for (let f = 0; f < Fs; f++) A[f * P + f] += alpha * n;
    const w = choleskySolve(A, b, P);
    out.species.push({ mean, scale, weights: w.subarray(0, Fs), intercept: w[Fs] });
  }
  return out;
}

/** Λ of a system under the linear model: mean of λ̂ over all ions and frames. */
export function linearSystemLambda(model: LinearModel, system: LoadedSystem): number {
  let sum = 0;
  let n = 0;
  system.species.forEach((d, s) => {
    const m = model.species[s];
    const F = m.mean.length;
    for (let r = 0; r < d.lambda.length; r++) {
      let y = m.intercept;
      for (let f = 0; f < F; f++) y += m.weights[f] * ((d.features[r * F + f] - m.mean[f]) / m.scale[f]);
      sum += y;
    }
    n += d.lambda.length;
  });
  return sum / n;
}

/** Formula-unit concentration n_f / ⟨V⟩ of a system from its dataset entry (null when unknown). */
export function concentration(system: LoadedSystem): number | null {
  const nf = system.info.formulaUnits as number | undefined;
  const v = system.info.volumeMean;
  return nf && v ? nf / v : null;
}

/** The salt a system is made of, as its sorted species labels with charges (e.g. "+2,-1"): the
 * concentration baseline fits each salt type on its own, since Λ per formula unit of a 2:1 salt is
 * on another scale than a 1:1 salt's. */
export function saltType(system: Pick<LoadedSystem, 'info'>): string {
  const charges = system.info.charges ?? {};
  return Object.keys(system.info.ions ?? {})
    .filter((s) => (system.info.ions[s] ?? 0) > 0)
    .map((s) => `${s}:${charges[s] ?? '?'}`)
    .sort()
    .join(',');
}

export interface ConcentrationModel {
  /** Λ = a + b √c per salt type (saltType), and a pooled fit for salt types with fewer than two training systems. */
  bySalt: Record<string, { a: number; b: number; systems: number }>;
  pooled: { a: number; b: number; systems: number };
}

function fitLine(pts: (readonly [number, number])[]): { a: number; b: number; systems: number } {
  const xs = pts.map(([c]) => Math.sqrt(c));
  const ys = pts.map(([, l]) => l);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let sxx = 0;
  let sxy = 0;
  xs.forEach((x, i) => {
    sxx += (x - mx) ** 2;
    sxy += (x - mx) * (ys[i] - my);
  });
  const b = sxx > 0 ? sxy / sxx : 0;
  return { a: my - b * mx, b, systems: pts.length };
}

/** Least-squares Λ = a + b √c over the training systems, per salt type where it has two or more
 * systems (a constant when their concentrations coincide), else pooled over all. */
export function fitConcentration(train: LoadedSystem[]): ConcentrationModel {
  const known = train.filter((s) => concentration(s) !== null);
  if (known.length === 0) throw new Error('concentration baseline: no training system records formulaUnits and volumeMean');
  const point = (s: LoadedSystem) => [concentration(s)!, targetLambda(s)] as const;
  const groups = new Map<string, LoadedSystem[]>();
  for (const s of known) groups.set(saltType(s), [...(groups.get(saltType(s)) ?? []), s]);
  const bySalt: ConcentrationModel['bySalt'] = {};
  for (const [salt, members] of groups) if (members.length >= 2) bySalt[salt] = fitLine(members.map(point));
  return { bySalt, pooled: fitLine(known.map(point)) };
}

export function concentrationSystemLambda(model: ConcentrationModel, system: LoadedSystem): number {
  const c = concentration(system);
  if (c === null) throw new Error(`concentration baseline: system '${system.name}' records no formulaUnits/volumeMean`);
  const line = model.bySalt[saltType(system)] ?? model.pooled;
  return line.a + line.b * Math.sqrt(c);
}
