// The trajectory-selection options every trajectory-reading command shares (format, frames,
// species labels), declared once and turned into TrajectoryOptions in one place.
import { AtomTopology, moleculeIndices, molecularSystem, MolecularSystem, parseCentreAtoms, parseMoleculeNames } from '../topology/molecules';
import { chargesPerLabel, isTopologyFile, loadTopology } from '../topology/load';
import { subsetTopology } from '../topology/subset';
import { FrameBatch, openTrajectory, parseCharges, parseKeyValueList, parseReadOverrides, TrajectoryOptions } from '../trajectory';
import { integerOption, Options, Parsed, UsageError } from './command';

export const selectionOptions: Options = {
  format: { type: 'string' },
  start: { type: 'string' },
  stop: { type: 'string' },
  stride: { type: 'string' },
  'type-map': { type: 'string' },
  topology: { type: 'string' },
  allow: { type: 'string' },
};

/** Usage lines for the read overrides, shared by every trajectory-reading command. */
export const allowUsage = `  --allow LIST           accept input refused by default as a sign of a broken file (recorded in
                         the JSON): box-jumps (cell volume changes > 1.5× between read frames),
                         dcd-nsavc (DCD NSAVC <= 0), skewed-cells (cell angle outside 30–150°)`;

/**
 * A --topology that is a topology file: an ionfield JSON topology (<name>.topology.json, as
 * `convert` writes beside an XTC or DCD, molecules optional), a LAMMPS data file or a GROMACS .top.
 * Read once; trajectories given as topologies are added by typesFromTopology.
 */
const loaded = new Map<string, AtomTopology>();
function topologyFile(file: string): AtomTopology | null {
  if (!isTopologyFile(file)) return null;
  if (!loaded.has(file)) {
    try {
      loaded.set(file, loadTopology(file));
    } catch (err) {
      // A broken data file is bad input (exit 1, file:line in the message), not bad usage.
      if ((err as { code?: string }).code === 'IONFIELD_BAD_INPUT' && !/\.json$/i.test(file)) throw err;
      throw new UsageError(`--topology ${(err as Error).message}`);
    }
  }
  return loaded.get(file)!;
}

/**
 * A topology file cut down to the atoms of a trajectory that holds only some of them, matched by
 * atom ID (a LAMMPS dump of a group; molecules must be whole: lib/topology/subset.ts). Trajectories
 * without IDs, or with as many atoms as the topology, leave it as it is (a count that still
 * differs is refused when the frames are read).
 */
async function fitToTrajectory(file: string, topology: AtomTopology, trajectory: string, format?: string): Promise<AtomTopology> {
  for await (const b of openTrajectory(trajectory, { format, stop: 1, unwrap: false }).batches(1)) {
    if (!b.ids || b.natoms >= topology.types.length) return topology;
    const subset = subsetTopology(topology, b.ids, trajectory);
    loaded.set(file, subset);
    return subset;
  }
  return topology;  // no frames: the read itself will say so
}

/**
 * Species labels for formats without them: from an ionfield topology file (.topology.json), or
 * from the first frame of another trajectory (a LAMMPS dump, .gro or .xyz of the same system).
 * trajectory: the file to be read, whose atom IDs may select part of a topology file's atoms.
 */
export async function typesFromTopology(file: string, trajectory?: string, format?: string): Promise<string[]> {
  const topology = topologyFile(file);
  if (topology) return (trajectory ? await fitToTrajectory(file, topology, trajectory, format) : topology).types;
  for await (const b of openTrajectory(file, { stop: 1, unwrap: false }).batches(1)) {
    if (!b.types) throw new UsageError(`--topology ${file}: that file has no species labels either`);
    // A LAMMPS dump with a 'mol' column is a topology with molecules (masses from a 'mass' column, or --masses).
    loaded.set(file, trajectoryTopology(file, b));
    return b.types;
  }
  throw new UsageError(`--topology ${file}: no frames`);
}

/** What the first frame of a trajectory says about its atoms; molecule ID 0 is an atom on its own. */
function trajectoryTopology(file: string, b: FrameBatch): AtomTopology {
  const molecules = b.molecules ? moleculeIndices(b.molecules, 0) : null;
  return { file, types: b.types!, charges: b.charges, masses: b.masses ?? null, molecules, bonds: new Int32Array(0) };
}

export type Selection = Pick<TrajectoryOptions, 'format' | 'start' | 'stop' | 'stride' | 'typeMap' | 'types' | 'allow'>;

/** trajectory: the (first) file the command reads, for a topology that describes more atoms than it holds. */
export async function selectionFromValues(values: Parsed['values'], trajectory?: string): Promise<Selection> {
  const str = (k: string) => values[k] as string | undefined;
  return {
    format: str('format'),
    start: integerOption(str('start'), 'start'),
    stop: integerOption(str('stop'), 'stop'),
    stride: integerOption(str('stride'), 'stride', 1),
    typeMap: str('type-map') ? parseKeyValueList(str('type-map')!, '--type-map') : undefined,
    types: str('topology') ? await typesFromTopology(str('topology')!, trajectory, str('format')) : undefined,
    allow: str('allow') ? overrides(str('allow')!) : undefined,
  };
}

/**
 * Charges per species from a --topology file (undefined for trajectories, for data files whose
 * atoms of one type carry different partial charges, and when molecules are followed); --charges wins.
 */
export function topologyCharges(values: Parsed['values']): Record<string, number> | undefined {
  // Molecules carry their own (net) charges; per-label charges are for the atom-level analysis.
  if (followsMolecules(values)) return undefined;
  const file = values.topology as string | undefined;
  const topology = file ? topologyFile(file) : null;
  return topology ? chargesPerLabel(topology) : undefined;
}

/** Options that turn on molecular centres (commands that follow molecules declare them). */
export const moleculeOptions: Options = {
  centres: { type: 'string' },
  'molecule-names': { type: 'string' },
  'centre-atoms': { type: 'string' },
};

export const moleculeUsage = `  --centres molecules|atoms   what moves: centres of mass of the topology's molecules (default
                         when --topology has molecules: a LAMMPS data file with molecule IDs, a
                         GROMACS .top, a JSON topology with "molecules", a dump with a 'mol'
                         column) or every atom
  --molecule-names RULES names of molecular species, e.g. 'types 1-7=PF6,8=Li' (a molecule whose atom
                         types all lie in the set takes the name); default: the atom-type composition
  --centre-atoms RULES   a named atom stands for the molecules of a species instead of their centre
                         of mass, e.g. 'PF6=P,EC=C1' (type label, atom name or type number)`;

/** What a command's JSON says about the points it followed: atoms, or centres of mass of molecules. */
export function centresJson(molecules: MolecularSystem | undefined): { centres: 'atoms' } | { centres: 'molecules'; molecules: { topology: string; species: MolecularSystem['species'] } } {
  return molecules ? { centres: 'molecules', molecules: { topology: molecules.file, species: molecules.species } } : { centres: 'atoms' };
}

/** True when --topology names a topology with molecules and --centres is not 'atoms'. */
export function followsMolecules(values: Parsed['values']): boolean {
  const file = values.topology as string | undefined;
  if (!file || values.centres === 'atoms') return false;
  return Boolean((topologyFile(file) ?? loaded.get(file))?.molecules);
}

/**
 * The molecular system a --topology with molecules describes, unless --centres atoms. masses: per
 * species label, for topologies without masses (a dump's 'mol' column without a 'mass' column).
 * Call after selectionFromValues (which reads a trajectory given as the topology).
 */
export function moleculesFromValues(values: Parsed['values'], masses?: Record<string, number>): MolecularSystem | undefined {
  const file = values.topology as string | undefined;
  const centres = values.centres as string | undefined;
  if (centres !== undefined && centres !== 'molecules' && centres !== 'atoms') throw new UsageError(`--centres: '${centres}' is not one of molecules, atoms`);
  let topology = file ? topologyFile(file) ?? loaded.get(file) ?? null : null;
  if (topology?.molecules && !topology.masses && masses) {
    const missing = [...new Set(topology.types.filter((t) => !(t in masses)))];
    if (missing.length) throw new UsageError(`--masses: no mass for species ${missing.join(', ')}`);
    topology = { ...topology, masses: Float64Array.from(topology.types, (t) => masses[t]) };
  }
  if (centres === 'molecules' && !topology?.molecules) throw new UsageError(`--centres molecules needs --topology with molecules (a LAMMPS data file with molecule IDs, "molecules" in a JSON topology, or a LAMMPS dump with a 'mol' column)`);
  for (const key of ['molecule-names', 'centre-atoms'])
    if (values[key] !== undefined && !topology?.molecules) throw new UsageError(`--${key} needs --topology with molecules`);
  if (!topology?.molecules || centres === 'atoms') return undefined;
  if (values.charges !== undefined) {
    // Charges per atom label fill in a topology without any (LAMMPS 'Atoms # molecular'); they never
    // replace the partial charges a topology has.
    if (topology.charges) throw new UsageError('--charges: with molecules, each molecule carries its net charge from the partial charges of the topology (pass --centres atoms for per-species charges)');
    const given = parseCharges(values.charges as string);
    const ids = topology.typeIds;
    const charge = (i: number) => given[topology!.types[i]] ?? (ids ? given[ids[i]] : undefined);  // by label or type number
    const missing = [...new Set(topology.types.filter((t, i) => charge(i) === undefined))];
    if (missing.length) throw new UsageError(`--charges: no charge for atom species ${missing.join(', ')}`);
    topology = { ...topology, charges: Float64Array.from(topology.types, (_, i) => charge(i)!) };
  }
  try {
    const rules = values['molecule-names'] ? parseMoleculeNames(values['molecule-names'] as string) : [];
    const centres = values['centre-atoms'] ? parseCentreAtoms(values['centre-atoms'] as string) : undefined;
    return molecularSystem(topology, rules, centres);
  } catch (err) {
    if ((err as { code?: string }).code === 'IONFIELD_BAD_INPUT') throw err;
    throw new UsageError(`--topology ${(err as Error).message}`);
  }
}

function overrides(text: string) {
  try {
    return parseReadOverrides(text);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
