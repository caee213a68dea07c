// Fluctuation against Λ across systems (the paper's finding 3): per system the spread of λ (std
// and std/mean, over all ions) and Λ; the rank and linear correlations between them.
import { pearson, spearman } from './stats';

export interface SystemFluctuation {
  system: string;
  /** Λ of the system (Einstein–Helfand, or the field's mean), with its error when known. */
  molarConductivity: number;
  molarConductivityError: number | null;
  std: number;
  relativeStd: number;
}

export interface FluctuationResult {
  systems: SystemFluctuation[];
  /** Correlation of std (and of std/mean) with Λ across systems; null with fewer than 3 systems. */
  pearsonStd: number | null;
  spearmanStd: number | null;
  pearsonRelativeStd: number | null;
  spearmanRelativeStd: number | null;
}

export function fluctuationAgainstLambda(systems: SystemFluctuation[]): FluctuationResult {
  const enough = systems.length >= 3;
  const L = systems.map((s) => s.molarConductivity);
  const sd = systems.map((s) => s.std);
  const rel = systems.map((s) => s.relativeStd);
  return {
    systems,
    pearsonStd: enough ? pearson(L, sd) : null,
    spearmanStd: enough ? spearman(L, sd) : null,
    pearsonRelativeStd: enough ? pearson(L, rel) : null,
    spearmanRelativeStd: enough ? spearman(L, rel) : null,
  };
}
