// A dataset seen by the shared network: every system becomes one "species" of all its ions with
// the folded inputs of shared-features.ts and the per-ion target μ_i = λ_i n_f / N.
// Why μ: λ_i = K N z_i Δr_i·J/τ with K = 1/(6 T n_f) carries the salt's bookkeeping N/n_f (2 for a
// 1:1 salt, 3 for a 2:1 salt, 4 for a 3:1 salt); μ_i = z_i Δr_i·J/(6 T τ) does not, so one network
// serves every stoichiometry, and Λ = (N/n_f)·⟨μ⟩ = Σ_ions μ_i / n_f exactly (neutral atoms have μ = 0).
import type { Dataset, DatasetManifest, LoadedSystem } from './dataset';
import { foldFrames, SharedLayout, sharedLayout, speciesFold } from './shared-features';
import { labelRecord } from '../label-record';

export interface SharedSystem extends LoadedSystem {
  /** Λ per unit of mean μ over the ions: (ions in the frame) / n_f. */
  conversion: number;
  /** The centre species in row order: each frame holds `ions` rows of each, one after the other. */
  centres: { label: string; charge: number; ions: number; size?: number }[];
}

/**
 * speciesMeans over chunks of whole frames, given in frame order: every centre's sums take their
 * terms in the order of one pass over the whole array, so the means are the same bits.
 */
export class SpeciesMeansAccumulator {
  private readonly sums: number[][];
  private seen = 0;

  constructor(private readonly system: Pick<SharedSystem, 'frames' | 'centres'>, private readonly ions: number, private readonly columns: number[]) {
    this.sums = system.centres.map(() => new Array(columns.length).fill(0));
  }

  /** The next `frames` frames: folded features [frames × ions × P] (P from the λ rows). */
  add(features: Float32Array, lambda: Float64Array, frames: number): void {
    const P = features.length / Math.max(1, lambda.length);
    let offset = 0;
    this.system.centres.forEach((c, k) => {
      const x = this.sums[k];
      for (let t = 0; t < frames; t++)
        for (let i = 0; i < c.ions; i++) {
          const r = t * this.ions + offset + i;
          this.columns.forEach((col, j) => (x[j] += features[r * P + col]));
        }
      offset += c.ions;
    });
    this.seen += frames;
  }

  finish(): { label: string; x: number[] }[] {
    return this.system.centres.map((c, k) => ({ label: c.label, x: this.sums[k].map((v) => v / (this.system.frames * c.ions)) }));
  }
}

/** Per centre species: the mean of the given feature columns over its rows (ions × frames). */
export function speciesMeans(system: SharedSystem, columns: number[]): { label: string; x: number[] }[] {
  const d = system.species[0];
  const m = new SpeciesMeansAccumulator(system, d.ions, columns);
  m.add(d.features, d.lambda, system.frames);
  return m.finish();
}

export function datasetLayout(manifest: DatasetManifest): SharedLayout {
  return sharedLayout(manifest.species.map((s) => manifest.featureColumns[s]));
}

/** Charge of every label: the system's own, else the label read as a number ("+2" → 2). */
export function chargesOf(system: LoadedSystem, manifest: DatasetManifest): Record<string, number> {
  const out: Record<string, number> = labelRecord();
  for (const s of manifest.species) {
    const z = system.info.charges?.[s] ?? (manifest.speciesLabels === 'charge' ? Number(s) : NaN);
    out[s] = z;
  }
  return out;
}

/**
 * Diameter of every label, in the trajectory's length unit: a system's own `sizes` entry when its
 * dataset records one, else the family's parameters (cations `sigcat`, anions `sigan`), else 1.
 */
export function sizesOf(system: LoadedSystem, charges: Record<string, number>): Record<string, number> {
  const recorded = system.info.sizes as Record<string, number> | undefined;
  if (recorded) return recorded;
  const p = (system.info.parameters ?? {}) as Record<string, unknown>;
  const cat = Number(p.sigcat ?? 1), an = Number(p.sigan ?? 1);
  return Object.fromEntries(Object.entries(charges).map(([l, z]) => [l, z > 0 ? cat : z < 0 ? an : 1]));
}

export function toSharedSystem(system: LoadedSystem, manifest: DatasetManifest, layout: SharedLayout): SharedSystem {
  const charges = chargesOf(system, manifest);
  const sizes = sizesOf(system, charges);
  const present = manifest.species.map((s, k) => ({ s, k })).filter(({ k }) => system.species[k].ions > 0);
  const folds = present.map(({ s }) => {
    if (!Number.isFinite(charges[s])) throw new Error(`${system.name}: species '${s}' has no charge; the shared network needs charges`);
    return speciesFold(layout, manifest.featureColumns[s], s, charges, sizes);
  });
  const parts = present.map(({ k }) => system.species[k]);
  const ions = parts.reduce((a, p) => a + p.ions, 0);
  const features = foldFrames(layout, folds, parts, system.frames);
  const nf = Number(system.info.formulaUnits);
  const atoms = Number(system.info.atoms ?? Object.values(system.info.ions ?? {}).reduce((a, n) => a + n, 0));
  if (!(nf > 0)) throw new Error(`${system.name}: the dataset records no formulaUnits; the shared target μ = λ n_f/N needs it`);
  // λ counts every atom in N (docs/dataset.md): `atoms`, else (older folders) the centre ions.
  const toMu = nf / atoms;
  const lambda = new Float64Array(system.frames * ions);
  for (let t = 0; t < system.frames; t++) {
    let r = t * ions;
    for (const p of parts) for (let i = 0; i < p.ions; i++, r++) lambda[r] = p.lambda[t * p.ions + i] * toMu;
  }
  return { ...system, species: [{ ions, features, lambda }], conversion: ions / nf, centres: present.map(({ s, k }) => ({ label: s, charge: charges[s], ions: system.species[k].ions, size: sizes[s] ?? 1 })) };
}

export function toSharedDataset(dataset: Dataset): { layout: SharedLayout; systems: SharedSystem[] } {
  const layout = datasetLayout(dataset.manifest);
  return { layout, systems: dataset.systems.map((s) => toSharedSystem(s, dataset.manifest, layout)) };
}
