// Species labels and charges for trajectories whose format stores neither (XTC, DCD): a small JSON
// file beside the trajectory, "<name>.topology.json" (schema ionfield.topology/1), as written by
// scripts/family/pack.ts: { "schema", "types": ["1","1",...,"2"], "charges": {"1": 1, "2": -1},
// "coordinates": "continuous" }. "continuous" says the file stores unwrapped coordinates, to be read
// as they are: minimum-image unwrapping would fold back the rare moves of more than half a cell
// between stored frames (they happen in small boxes when frames are 2 τ apart).
import * as fs from 'node:fs';
import { writeFileAtomic } from '../atomic-file';

export interface Topology {
  schema: 'ionfield.topology/1';
  types: string[];
  charges: Record<string, number>;
  /** 'continuous': coordinates are unwrapped already (read them as stored); absent: unknown. */
  coordinates?: 'continuous';
  /** Optional ion diameters per label (length unit of the trajectory), read by the shared model. */
  sizes?: Record<string, number>;
}

/** The topology file that belongs to a trajectory: its name with the extension(s) replaced. */
export function topologyPathFor(trajectory: string): string {
  return trajectory.replace(/(\.gz)?$/i, '').replace(/\.[^./\\]+$/, '') + '.topology.json';
}

export function readTopology(file: string): Topology {
  let doc: Topology;
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8')) as Topology;
  } catch (err) {
    throw Object.assign(new Error(`${file}: not a readable JSON topology (${(err as Error).message})`), { code: 'IONFIELD_BAD_INPUT' });
  }
  if (doc.schema !== 'ionfield.topology/1' || !Array.isArray(doc.types) || typeof doc.charges !== 'object')
    throw Object.assign(new Error(`${file}: expected schema ionfield.topology/1 with "types" (one label per atom) and "charges" (per label)`), { code: 'IONFIELD_BAD_INPUT' });
  for (const t of new Set(doc.types))
    if (typeof doc.charges[t] !== 'number') throw Object.assign(new Error(`${file}: no charge for species '${t}'`), { code: 'IONFIELD_BAD_INPUT' });
  if (doc.sizes !== undefined)
    for (const [t, d] of Object.entries(doc.sizes ?? {}))
      if (!(typeof d === 'number' && d > 0 && Number.isFinite(d))) throw Object.assign(new Error(`${file}: "sizes" of species '${t}' must be a positive number, got ${JSON.stringify(d)}`), { code: 'IONFIELD_BAD_INPUT' });
  return doc;
}

export function writeTopology(file: string, types: string[], charges: Record<string, number>, continuous = false, sizes?: Record<string, number>): void {
  writeFileAtomic(file, JSON.stringify({ schema: 'ionfield.topology/1', charges, ...(sizes ? { sizes } : {}), ...(continuous ? { coordinates: 'continuous' } : {}), types }) + '\n');
}
