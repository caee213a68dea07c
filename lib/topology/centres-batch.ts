// Batches of atoms turned into batches of molecules: one point per molecule at its centre of mass
// (molecules made whole, continuous across frames: native MoleculeCentres), labelled by its
// molecular species and charged with its net charge. This is what lets every command that reads
// a trajectory (descriptors, dataset, predict, analyze) work on molecular ions and solvent
// molecules: to them a molecule is an "ion" of its species, solvent molecules neighbours of their own.
import { native, NativeMoleculeCentresHandle } from '../native';
import { MolecularSystem } from './molecules';

export interface AtomBatchView {
  frames: number;
  natoms: number;
  positions: Float64Array;
  boxes: Float64Array | null;
  periodic: boolean[];
}

/** Net charge of each molecule (its species' net charge). */
export function moleculeCharges(system: MolecularSystem): Float64Array {
  const byName = new Map(system.species.map((s) => [s.name, s.netCharge]));
  return Float64Array.from(system.speciesOf, (name) => byName.get(name)!);
}

export function moleculeCentresHandle(system: MolecularSystem, file: string, natoms: number): NativeMoleculeCentresHandle {
  if (natoms !== system.molecule.length)
    throw Object.assign(new Error(`${file}: ${natoms} atoms per frame, but the topology ${system.file} describes ${system.molecule.length}`), { code: 'IONFIELD_BAD_INPUT' });
  return new (native().NativeMoleculeCentres)({ molecule: system.molecule, masses: system.masses, charges: system.charges, bonds: system.bonds, centreAtoms: system.centreAtoms });
}

export class MoleculeBatches {
  private readonly handle: NativeMoleculeCentresHandle;
  readonly charges: Float64Array;

  constructor(readonly system: MolecularSystem, file: string, natoms: number) {
    this.handle = moleculeCentresHandle(system, file, natoms);
    this.charges = moleculeCharges(system);
  }

  /** Centres of mass of the batch's molecules (frames × molecules × 3). */
  centres(b: AtomBatchView): Float64Array {
    return this.handle.compute(b.positions, b.boxes, b.frames, b.periodic, null).centres;
  }
}
