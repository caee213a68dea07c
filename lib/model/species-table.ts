// Predict's per-species summary in the vocabulary every other command uses (issue 19): species are
// the trajectory's own labels (after --type-map / the topology), each with its charge as an
// attribute, and only species that have ions in the field are listed. The models themselves may
// fold ions by charge ("+1", "-1"); that is how they compute, not how results are named.
import { labelRecord } from '../label-record';

export interface SpeciesSummary {
  /** Charge of the species' ions (units of e); null where the input gives no charges. */
  charge: number | null;
  /** Ions of this species in the field. */
  ions: number;
  /** Mean λ̂ over its ions and all frames. */
  lambdaMean: number;
}

/** Per field column: the file label and charge of its ion. */
export interface FieldColumns {
  types: string[];
  charges: (number | null)[];
}

/**
 * Groups per-ion sums over frames (Σ_t λ̂_i(t), one per field column) by file species.
 * scale multiplies every mean (the shared model's field scale, 1 otherwise).
 */
export function speciesTable(columns: FieldColumns, ionSums: ArrayLike<number>, frames: number, scale = 1): Record<string, SpeciesSummary> {
  const table = labelRecord<SpeciesSummary>();
  const sums = labelRecord<number>();
  // A label whose ions carry different charges (possible where charges come per atom from a q
  // column) is split by charge, "1:+2", so that every entry has one charge.
  const chargesOf = labelRecord<Set<number | null>>();
  columns.types.forEach((label, i) => (chargesOf[label] ??= new Set()).add(columns.charges[i]));
  const keyOf = (label: string, q: number | null) => (chargesOf[label].size > 1 ? `${label}:${q === null ? '?' : (q > 0 ? '+' : '') + q}` : label);
  columns.types.forEach((type, i) => {
    const label = keyOf(type, columns.charges[i]);
    const entry = (table[label] ??= { charge: columns.charges[i], ions: 0, lambdaMean: NaN });
    entry.ions++;
    sums[label] = (sums[label] ?? 0) + ionSums[i];
  });
  const ordered = Object.keys(table).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  // Own, enumerable properties in label order: a species called '__proto__' stays a key.
  return Object.fromEntries(ordered.map((label) => [label, { ...table[label], lambdaMean: (scale * sums[label]) / (frames * table[label].ions) }]));
}

/** Adds one batch (frames × ions, row-major) into per-ion sums over frames. */
export function addIonSums(ionSums: Float64Array, lambda: ArrayLike<number>, frames: number): void {
  const ions = ionSums.length;
  for (let t = 0; t < frames; t++) for (let i = 0; i < ions; i++) ionSums[i] += lambda[t * ions + i];
}

