// Transport of molecular species: each batch of continuous atom coordinates becomes centres of
// mass of whole molecules (native MoleculeCentres), which the ordinary correlator follows as
// "atoms" labelled by molecular species and charged with the molecule's net charge. A second,
// one-point correlator follows the atomic charge moment Σ q_i r_i of the same molecules, so that σ
// is also estimated from the atomic partial charges (equal to the molecular one at long times: the
// two differ by the bounded change of the molecular dipoles).
import { native, NativeMoleculeCentresHandle, NativeTransportHandle, NativeTransportSums } from '../native';
import { moleculeCentresHandle, moleculeCharges } from '../topology/centres-batch';
import { MolecularSystem, MoleculeSpecies } from '../topology/molecules';

export interface MolecularMeta {
  /** The topology file the molecules came from. */
  topology: string;
  species: MoleculeSpecies[];
  /** Largest atom-to-first-atom distance within a whole molecule (length units). */
  reach: number;
  bonds: number;
  /** Shards only: the smallest cell vector length the shard saw (the merge decides the whole-molecule warning from it). */
  smallestCell?: number;
}

/** The warning for molecules without bonds that reach far enough across the cell to have been folded. */
export function wholeMoleculeWarnings(bonds: number, reach: number, smallestCell: number): string[] {
  if (bonds === 0 && reach > 0.4 * smallestCell)
    return [`a molecule reaches ${reach.toPrecision(3)} from its first atom, ${(reach / smallestCell).toFixed(2)} of the smallest cell length, and the topology has no bonds: molecules are made whole by minimum image from their first atom, which folds molecules longer than half the cell (give bonds)`];
  return [];
}

/** What a molecular run feeds the ordinary set-up: one "atom" per molecule. */
export interface MolecularFrames {
  natoms: number;
  types: string[];
  charges: Float64Array;
  /** Per-species molecular masses: the weights for --remove-com (always mass-weighted). */
  masses: Record<string, number>;
}

export class MolecularCentres {
  private readonly centres: NativeMoleculeCentresHandle;
  private atomic: NativeTransportHandle | null = null;
  private selected: Uint8Array | null = null;
  reach = 0;
  /** Smallest cell vector length seen (for the whole-molecule check). */
  private smallestCell = Infinity;

  constructor(readonly system: MolecularSystem, readonly file: string, natoms: number) {
    this.centres = moleculeCentresHandle(system, file, natoms);
  }

  frames(): MolecularFrames {
    const s = this.system;
    return {
      natoms: s.speciesOf.length,
      types: s.speciesOf,
      charges: moleculeCharges(s),
      masses: Object.fromEntries(s.species.map((x) => [x.name, x.mass])),
    };
  }

  /** Starts the atomic-charge correlator with the same lag grid; speciesIndex: per molecule, −1 left out. */
  start(speciesIndex: Int32Array, options: { pointsPerLevel: number; decimation: number; maxLag: number; threads: number; firstFrame?: number; ownFrom?: number; blockLength?: number }): void {
    this.selected = Uint8Array.from(speciesIndex, (k) => (k >= 0 ? 1 : 0));
    this.atomic = new (native().NativeTransport)({ species: new Int32Array([0]), nspecies: 1, charges: new Float64Array([1]), ...options, removeCom: false });
  }

  /** Centres of a batch (for the molecular correlator); feeds the atomic-charge correlator itself. */
  batch(positions: Float64Array, boxes: Float64Array | null, volumes: Float64Array | null, frames: number, periodic: boolean[]): { centres: Float64Array; atomic: Promise<void> } {
    const r = this.centres.compute(positions, boxes, frames, periodic, this.selected);
    this.reach = Math.max(this.reach, r.reach);
    if (boxes) this.noteCell(boxes);
    // The same volumes as the molecular correlator: σ needs V.
    return { centres: r.centres, atomic: this.atomic!.addFrames(r.moments, volumes, frames) };
  }

  private noteCell(boxes: Float64Array): void {
    for (let k = 0; k < boxes.length; k += 3) this.smallestCell = Math.min(this.smallestCell, Math.hypot(boxes[k], boxes[k + 1], boxes[k + 2]));
  }

  atomicSums(): NativeTransportSums {
    return this.atomic!.partial();
  }

  /** A warning when molecules without bonds reach far enough across the cell to have been folded. */
  warnings(): string[] {
    return wholeMoleculeWarnings(this.system.bonds.length, this.reach, this.smallestCell);
  }

  /** Smallest cell vector length seen (Infinity: no cell). */
  smallestCellLength(): number {
    return this.smallestCell;
  }

  meta(): MolecularMeta {
    return { topology: this.system.file, species: this.system.species, reach: this.reach, bonds: this.system.bonds.length / 2 };
  }
}
