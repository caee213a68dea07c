// The per-system sums behind dataset.json's summary numbers (⟨λ⟩, λ per species, EH at τ, mean
// cell volume), kept as one value per origin (and per frame for the volume) added in frame order.
// Why per-origin subtotals rather than one running sum over atoms: a `dataset --shard` run records
// its origins' subtotals, and the merge adds them in the same order as the single run does, so the
// merged summary is the single run's bit for bit, not just to round-off.
import { labelRecord } from '../label-record';

/** What one origin adds: |J|², Σ_i λ_i, and Σ λ_i over the atoms of each species. */
export interface OriginSums {
  j2: number;
  lambdaSum: number;
  bySpecies: Record<string, number>;
}

export class SystemSums {
  j2 = 0;
  lambda = 0;
  volume = 0;
  volumeFrames = 0;
  origins = 0;
  readonly bySpecies: Record<string, number> = labelRecord();

  addOrigin(o: OriginSums): void {
    this.j2 += o.j2;
    this.lambda += o.lambdaSum;
    for (const [s, v] of Object.entries(o.bySpecies)) this.bySpecies[s] = (this.bySpecies[s] ?? 0) + v;
    this.origins++;
  }

  addVolume(v: number): void {
    this.volume += v;
    this.volumeFrames++;
  }
}

/** One origin's subtotals from its per-atom λ (species of each atom given), in atom order. */
export function originSums(j2: number, lambdaSum: number, lambda: Float64Array, atomSpecies: string[]): OriginSums {
  const bySpecies: Record<string, number> = labelRecord();
  for (let i = 0; i < atomSpecies.length; i++) bySpecies[atomSpecies[i]] = (bySpecies[atomSpecies[i]] ?? 0) + lambda[i];
  return { j2, lambdaSum, bySpecies };
}
