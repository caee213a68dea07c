// A trajectory that holds only some of a topology's atoms (a LAMMPS `dump ID group ...` of a group,
// e.g. the ions and their solvation shell left out of the solvent, or the solvent left out): the
// topology cut down to the atoms whose IDs the trajectory has. A molecule cut in two would give a
// centre of mass of part of it, so every molecule must be wholly in the trajectory or wholly out
// of it; the first one that is not is named, with the IDs that are missing.
import { AtomTopology, moleculeIndices } from './molecules';

const badInput = (message: string) => Object.assign(new Error(message), { code: 'IONFIELD_BAD_INPUT' });

/** IDs of the topology's atoms: its own (LAMMPS data), else 1..N in file order. */
export function topologyIds(topo: AtomTopology): ArrayLike<number> {
  return topo.ids ?? Int32Array.from({ length: topo.types.length }, (_, i) => i + 1);
}

/** The topology restricted to the atoms with these IDs, in the trajectory's order. */
export function subsetTopology(topo: AtomTopology, frameIds: ArrayLike<number>, trajectory: string): AtomTopology {
  const ids = topologyIds(topo);
  const indexOf = new Map<number, number>();
  for (let i = 0; i < ids.length; i++) indexOf.set(ids[i], i);
  const pick = Int32Array.from({ length: frameIds.length }, (_, k) => {
    const i = indexOf.get(frameIds[k]);
    if (i === undefined) throw badInput(`${trajectory}: atom ID ${frameIds[k]} is not in the topology ${topo.file} (its IDs run ${ids[0]}..${ids[ids.length - 1]})`);
    return i;
  });
  const kept = new Uint8Array(ids.length);
  for (const i of pick) kept[i] = 1;
  if (topo.molecules) checkWholeMolecules(topo, topo.molecules, ids, kept, trajectory);
  const newIndex = new Int32Array(ids.length).fill(-1);
  pick.forEach((i, k) => (newIndex[i] = k));
  // Both ends of a bond lie in one molecule, and molecules are whole: a bond is kept or dropped whole.
  const bonds: number[] = [];
  for (let b = 0; b < topo.bonds.length; b += 2)
    if (kept[topo.bonds[b]]) bonds.push(newIndex[topo.bonds[b]], newIndex[topo.bonds[b + 1]]);
  const oldMolecules = topo.molecules;
  const molecules = oldMolecules ? moleculeIndices(Array.from(pick, (i) => oldMolecules[i])) : null;
  let moleculeNames: string[] | undefined;
  if (topo.moleculeNames && oldMolecules && molecules) {
    moleculeNames = [];
    pick.forEach((i, k) => (moleculeNames![molecules[k]] = topo.moleculeNames![oldMolecules[i]]));
  }
  const take = <T>(a: ArrayLike<T>) => Array.from(pick, (i) => a[i]);
  return {
    ...topo,
    ids: take(ids),
    types: take(topo.types),
    formulaLabels: topo.formulaLabels && take(topo.formulaLabels),
    typeIds: topo.typeIds && take(topo.typeIds),
    charges: topo.charges && Float64Array.from(pick, (i) => topo.charges![i]),
    masses: topo.masses && Float64Array.from(pick, (i) => topo.masses![i]),
    molecules,
    bonds: Int32Array.from(bonds),
    moleculeNames,
  };
}

function checkWholeMolecules(topo: AtomTopology, molecules: Int32Array, ids: ArrayLike<number>, kept: Uint8Array, trajectory: string): void {
  const nmol = molecules.reduce((m, x) => Math.max(m, x + 1), 0);
  const present = new Int32Array(nmol), total = new Int32Array(nmol);
  for (let i = 0; i < molecules.length; i++) {
    total[molecules[i]]++;
    present[molecules[i]] += kept[i];
  }
  // The first split molecule in the topology's order.
  for (let i = 0; i < molecules.length; i++) {
    const m = molecules[i];
    if (present[m] === 0 || present[m] === total[m]) continue;
    const members = [...Array(molecules.length).keys()].filter((a) => molecules[a] === m);
    const missing = members.filter((a) => !kept[a]).map((a) => ids[a]);
    const type = topo.moleculeNames?.[m] !== undefined ? ` (${topo.moleculeNames[m]})` : '';
    throw badInput(
      `${trajectory}: molecule ${m + 1}${type} of the topology ${topo.file}, atoms ${members.map((a) => ids[a]).join(', ')}, is split: ` +
        `the trajectory has ${present[m]} of its ${total[m]} atoms (missing ID${missing.length > 1 ? 's' : ''} ${missing.join(', ')}); ` +
        'a trajectory with part of the atoms must hold each molecule wholly or not at all (dump a group of whole molecules)',
    );
  }
}
