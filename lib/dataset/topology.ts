// Species labels and charges for trajectories whose format stores neither (XTC, DCD): a small JSON
// file beside the trajectory, "<name>.topology.json" (schema ionfield.topology/2), as written by
// scripts/family/pack.ts: { "schema", "types": ["1","1",...,"2"], "charges": {"1": 1, "2": -1},
// "coordinates": "continuous" }. "continuous" says the file stores unwrapped coordinates, to be read
// as they are: minimum-image unwrapping would fold back the rare moves of more than half a cell
// between stored frames (they happen in small boxes when frames are 2 τ apart).
// Molecules (optional, docs/formats.md): "molecules" (one molecule ID per atom), "masses" (per
// label), "bonds" ([[i, j], ...], 0-based atom indices) and "names" ({"types 1-7": "PF6"}) make
// `transport` follow molecular centres of mass (lib/topology/).
import * as fs from 'node:fs';
import { writeFileAtomic } from '../atomic-file';
import { upgradeLegacyDocument } from '../legacy-document';

export interface Topology {
  schema: 'ionfield.topology/2';
  types: string[];
  charges: Record<string, number>;
  /** 'continuous': coordinates are unwrapped already (read them as stored); absent: unknown. */
  coordinates?: 'continuous';
  /** Optional ion diameters per label (length unit of the trajectory), read by the shared model. */
  sizes?: Record<string, number>;
  /** Molecule ID of each atom (any integers; atoms sharing one form a molecule). */
  molecules?: number[];
  /** Atom mass per label (needed with molecules: centres of mass). */
  masses?: Record<string, number>;
  /** Bonds as 0-based atom index pairs (optional: molecules are made whole along them). */
  bonds?: [number, number][];
  /** Names of molecular species: "SPEC": "NAME" rules as in --molecule-names. */
  names?: Record<string, string>;
}

/** The topology file that belongs to a trajectory: its name with the extension(s) replaced. */
export function topologyPathFor(trajectory: string): string {
  return trajectory.replace(/(\.gz)?$/i, '').replace(/\.[^./\\]+$/, '') + '.topology.json';
}

export function readTopology(file: string): Topology {
  let doc: Topology;
  try {
    doc = upgradeLegacyDocument(JSON.parse(fs.readFileSync(file, 'utf8')) as Topology);
  } catch (err) {
    throw Object.assign(new Error(`${file}: not a readable JSON topology (${(err as Error).message})`), { code: 'IONFIELD_BAD_INPUT' });
  }
  if (doc.schema !== 'ionfield.topology/2' || !Array.isArray(doc.types) || typeof doc.charges !== 'object')
    throw Object.assign(new Error(`${file}: expected schema ionfield.topology/2 with "types" (one label per atom) and "charges" (per label)`), { code: 'IONFIELD_BAD_INPUT' });
  for (const t of new Set(doc.types))
    if (typeof doc.charges[t] !== 'number') throw Object.assign(new Error(`${file}: no charge for species '${t}'`), { code: 'IONFIELD_BAD_INPUT' });
  if (doc.sizes !== undefined)
    for (const [t, d] of Object.entries(doc.sizes ?? {}))
      if (!(typeof d === 'number' && d > 0 && Number.isFinite(d))) throw Object.assign(new Error(`${file}: "sizes" of species '${t}' must be a positive number, got ${JSON.stringify(d)}`), { code: 'IONFIELD_BAD_INPUT' });
  checkMolecules(file, doc);
  return doc;
}

function checkMolecules(file: string, doc: Topology): void {
  const bad = (what: string) => {
    throw Object.assign(new Error(`${file}: ${what}`), { code: 'IONFIELD_BAD_INPUT' });
  };
  if (doc.molecules !== undefined) {
    if (!Array.isArray(doc.molecules) || doc.molecules.length !== doc.types.length)
      bad(`"molecules" must list one molecule ID per atom (${doc.types.length} atoms in "types")`);
    doc.molecules.forEach((m, i) => Number.isInteger(m) || bad(`"molecules"[${i}] must be an integer molecule ID, got ${JSON.stringify(m)}`));
    if (typeof doc.masses !== 'object' || doc.masses === null) bad('"molecules" need "masses" (per label) for centres of mass');
  }
  for (const t of doc.masses ? new Set(doc.types) : [])
    if (!(typeof doc.masses![t] === 'number' && doc.masses![t] > 0)) bad(`"masses" has no positive mass for species '${t}'`);
  if (doc.bonds !== undefined) {
    if (!Array.isArray(doc.bonds)) bad('"bonds" must be a list of [i, j] atom index pairs (0-based)');
    doc.bonds.forEach((b, k) => {
      if (!Array.isArray(b) || b.length !== 2 || !b.every((x) => Number.isInteger(x) && x >= 0 && x < doc.types.length))
        bad(`"bonds"[${k}] must be [i, j] with 0-based atom indices below ${doc.types.length}, got ${JSON.stringify(b)}`);
    });
  }
  if (doc.names !== undefined && (typeof doc.names !== 'object' || Object.values(doc.names).some((v) => typeof v !== 'string')))
    bad('"names" must map "SPEC" (e.g. "types 1-7") to a species name');
}

export function writeTopology(file: string, types: string[], charges: Record<string, number>, continuous = false, sizes?: Record<string, number>): void {
  writeFileAtomic(file, JSON.stringify({ schema: 'ionfield.topology/2', charges, ...(sizes ? { sizes } : {}), ...(continuous ? { coordinates: 'continuous' } : {}), types }) + '\n');
}
