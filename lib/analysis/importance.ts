// Permutation importance of descriptor features: how much a model's error grows when one feature
// column is shuffled across samples (breaking its link to the target, keeping its distribution).
import { mean, rng } from './stats';

export interface FeatureImportance {
  feature: string;
  /** Mean increase of the mean squared error over the repeats, and its standard error. */
  increase: number;
  error: number;
}

export interface ImportanceResult {
  baselineMse: number;
  repeats: number;
  features: FeatureImportance[];
}

/**
 * X is samples × features (row-major); `predict` maps such a matrix to one prediction per row.
 * Features are returned most important first.
 */
export async function permutationImportance(
  X: Float32Array | Float64Array,
  y: ArrayLike<number>,
  features: string[],
  predict: (X: Float32Array | Float64Array) => Promise<ArrayLike<number>> | ArrayLike<number>,
  options: { repeats?: number; seed?: number } = {},
): Promise<ImportanceResult> {
  const n = y.length;
  const F = features.length;
  if (X.length !== n * F) throw new Error(`permutationImportance: X has ${X.length} numbers, expected ${n} × ${F}`);
  const mse = (p: ArrayLike<number>) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += (p[i] - y[i]) ** 2;
    return s / n;
  };
  const baseline = mse(await predict(X));
  const repeats = options.repeats ?? 5;
  const random = rng(options.seed ?? 12345);
  const out: FeatureImportance[] = [];
  const work = X.slice();
  for (let f = 0; f < F; f++) {
    const increases: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const order = Array.from({ length: n }, (_, i) => i);
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
      for (let i = 0; i < n; i++) work[i * F + f] = X[order[i] * F + f];
      increases.push(mse(await predict(work)) - baseline);
      for (let i = 0; i < n; i++) work[i * F + f] = X[i * F + f];
    }
    const m = mean(increases);
    const sd = Math.sqrt(increases.reduce((s, v) => s + (v - m) ** 2, 0) / Math.max(1, repeats - 1));
    out.push({ feature: features[f], increase: m, error: sd / Math.sqrt(repeats) });
  }
  out.sort((a, b) => b.increase - a.increase);
  return { baselineMse: baseline, repeats, features: out };
}
