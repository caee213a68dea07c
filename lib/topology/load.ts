// One entry point for `--topology FILE`: an ionfield JSON topology (<name>.topology.json, with
// molecules optional) or a LAMMPS data file, turned into what every atom is (AtomTopology).
// Other trajectories given as a topology (labels from their first frame) stay in cli/selection.ts.
import { readTopology } from '../dataset/topology';
import { readGromacsTop } from './gromacs-top';
import { looksLikeLammpsData, readLammpsData } from './lammps-data';
import { AtomTopology, moleculeIndices, parseMoleculeNames } from './molecules';
import { labelRecord } from '../label-record';

/** True when FILE is a topology this module reads (JSON topology or LAMMPS data file). */
export function isTopologyFile(file: string): boolean {
  return /\.(json|top)$/i.test(file) || looksLikeLammpsData(file);
}

export function loadTopology(file: string): AtomTopology {
  if (/\.json$/i.test(file)) return fromJson(file);
  if (/\.top$/i.test(file)) return readGromacsTop(file);
  return fromLammpsData(file);
}

function fromJson(file: string): AtomTopology {
  const doc = readTopology(file);
  const molecules = doc.molecules ? moleculeIndices(doc.molecules) : null;
  const names = doc.names ? parseMoleculeNames(Object.entries(doc.names).map(([k, v]) => `${k}=${v}`).join(','), `${file}: "names"`) : undefined;
  return {
    file,
    types: doc.types,
    charges: Float64Array.from(doc.types, (t) => doc.charges[t]),
    masses: doc.masses ? Float64Array.from(doc.types, (t) => doc.masses![t]) : null,
    molecules,
    bonds: Int32Array.from((doc.bonds ?? []).flat()),
    names,
  };
}

function fromLammpsData(file: string): AtomTopology {
  const data = readLammpsData(file);
  // Type labels become the atoms' species labels only when they are unique per type (two types
  // both labelled "C" stay "1" and "2" as species, but count as C in composition names).
  const labels = data.typeLabels;
  const used = [...new Set(data.types)];
  const unique = used.every((t) => labels[t]) && new Set(used.map((t) => labels[t])).size === used.length;
  return {
    file,
    ids: data.ids,
    types: unique ? data.types.map((t) => labels[t]) : data.types,
    formulaLabels: data.types.map((t) => labels[t] ?? t),
    typeIds: data.types,
    charges: data.charges,
    masses: data.masses,
    molecules: data.molecules,
    bonds: data.bonds,
  };
}

/** Charge per species label when every atom of a label has the same charge (else undefined). */
export function chargesPerLabel(topo: AtomTopology): Record<string, number> | undefined {
  if (!topo.charges) return undefined;
  const out = labelRecord<number>();
  for (let i = 0; i < topo.types.length; i++) {
    const t = topo.types[i], q = topo.charges[i];
    if (t in out && Math.abs(out[t] - q) > 1e-9) return undefined;
    out[t] = q;
  }
  return out;
}
