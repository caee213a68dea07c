// Fluctuation against Λ across systems (the paper's finding 3): per system the spread of λ (std
// and std/mean, over all ions) and Λ; the rank and linear correlations between them.
import { pearson, spearman } from './stats';

export interface SystemFluctuation {
  system: string;
  /** Λ of the system (Einstein–Helfand, or the field's mean), with its error when known. */
  molar_conductivity: number;
  molar_conductivity_error: number | null;
  std: number;
  relative_std: number;
}

export interface FluctuationResult {
  systems: SystemFluctuation[];
  /** Correlation of std (and of std/mean) with Λ across systems; null with fewer than 3 systems. */
  pearson_std: number | null;
  spearman_std: number | null;
  pearson_relative_std: number | null;
  spearman_relative_std: number | null;
}

export function fluctuationAgainstLambda(systems: SystemFluctuation[]): FluctuationResult {
  const enough = systems.length >= 3;
  const L = systems.map((s) => s.molar_conductivity);
  const sd = systems.map((s) => s.std);
  const rel = systems.map((s) => s.relative_std);
  return {
    systems,
    pearson_std: enough ? pearson(L, sd) : null,
    spearman_std: enough ? spearman(L, sd) : null,
    pearson_relative_std: enough ? pearson(L, rel) : null,
    spearman_relative_std: enough ? spearman(L, rel) : null,
  };
}
