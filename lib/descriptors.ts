// Symmetry-function descriptors for whole trajectories: batches of frames go to the native core
// in one call each, and the results stream into a .npy file (frames x rows x features, float32)
// with a JSON file beside it that names every column.
import * as fs from 'node:fs';
import { bindSet, BoundSet, DescriptorSetDef, loadSet, nativeSet, SymmetryFunction } from './descriptor-sets';
import { native } from './native';
import { NpyWriter } from './npy';
import { discardTemporary, temporaryFor } from './atomic-file';
import { FrameBatch, openTrajectory, TrajectoryOptions } from './trajectory';
import { labelRecord } from './label-record';
import { LongCallOptions, stageReporter } from './progress';

export type Device = 'cpu' | 'cuda' | 'auto';

export interface ComputeOptions {
  /** CPU threads (0 or absent: all). */
  threads?: number;
  device?: Device;
  precision?: 'float32' | 'float64';
  /** Fast paths (on by default); switch off to evaluate every function by its definition. */
  separableG5?: boolean;
  shiftRecurrence?: boolean;
}

/** Which atoms get a row, and the species index of every atom (-1: not in the set, ignored). */
export interface RowMap {
  rows: Int32Array;
  speciesIndex: Int32Array;
  rowSpecies: string[];
}

export function rowMap(bound: BoundSet, types: string[]): RowMap {
  const speciesIndex = Int32Array.from(types, (t) => bound.species.indexOf(t));
  const rows: number[] = [];
  types.forEach((t, i) => {
    if (speciesIndex[i] >= 0 && bound.columns[t].length > 0) rows.push(i);
  });
  return { rows: Int32Array.from(rows), speciesIndex, rowSpecies: rows.map((i) => types[i]) };
}

/** Resolves 'auto' to the GPU when one is usable; says why not otherwise. */
export function resolveDevice(device: Device = 'auto'): { device: 'cpu' | 'cuda'; note: string } {
  const gpu = native().descriptorsGpu();
  if (device === 'cuda' && !gpu.available) throw Object.assign(new Error(`--device cuda: ${gpu.reason}`), { code: 'IONFIELD_BAD_INPUT' });
  if (device === 'cpu') return { device: 'cpu', note: 'CPU requested' };
  if (gpu.available) return { device: 'cuda', note: 'GPU' };
  return { device: 'cpu', note: `no GPU: ${gpu.reason}` };
}

/** Descriptors of every row in every frame of a batch: frames x rows x maxFeatures (NaN padding). */
export async function computeBatch(bound: BoundSet, batch: FrameBatch, map: RowMap, options: ComputeOptions = {}): Promise<Float32Array | Float64Array> {
  const dev = resolveDevice(options.device ?? 'auto').device;
  return native().computeDescriptors(
    nativeSet(bound),
    { positions: batch.positions, frames: batch.frames, natoms: batch.natoms, boxes: batch.boxes, origins: batch.origins, periodic: batch.periodic },
    map.speciesIndex,
    map.rows,
    { threads: options.threads ?? 0, device: dev, precision: options.precision ?? 'float32', separableG5: options.separableG5 ?? true, shiftRecurrence: options.shiftRecurrence ?? true },
  );
}

export interface DescriptorRunOptions extends TrajectoryOptions, ComputeOptions, LongCallOptions {
  /** Shipped set name or file (JSON or n2p2), or a parsed set. */
  set: string | DescriptorSetDef;
  /** Multiplies the set's lengths (rs, cutoff) and divides eta by its square. */
  scale?: number;
  /** Species order for generic sets (default: the trajectory's labels, naturally sorted). */
  species?: string[];
  /** Where the column description goes (default: <out without .npy>.columns.json). */
  columnsPath?: string;
}

export interface DescriptorSummary {
  schema: 'ionfield.descriptors/2';
  trajectory: string;
  output: string;
  columns: string;
  set: string;
  species: string[];
  features: Record<string, number>;
  shape: [number, number, number];
  dtype: 'float32';
  frames: number;
  rows: number;
  device: 'cpu' | 'cuda';
  deviceNote: string;
  threads: number;
  seconds: number;
  framesPerSecond: number;
}

export function columnsPathFor(out: string): string {
  return out.replace(/\.npy$/i, '') + '.columns.json';
}

function naturalSort(labels: string[]): string[] {
  return [...labels].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

function describeFunction(f: SymmetryFunction, index: number): Record<string, unknown> {
  const o: Record<string, unknown> = { index, type: f.type, n2p2Type: f.type === 'G2' ? 2 : f.type === 'G4' ? 3 : 9, centre: f.centre, neighbours: f.neighbours, eta: f.eta, rs: f.rs };
  if (f.type !== 'G2') Object.assign(o, { zeta: f.zeta, lambda: f.lambda });
  Object.assign(o, { cutoff: f.cutoff, cutoffFunction: f.cutoffFunction });
  o.name = f.type === 'G2'
    ? `G2[${f.centre}<-${f.neighbours[0]}](eta=${f.eta},rs=${f.rs},rc=${f.cutoff})`
    : `${f.type}[${f.centre}<-${f.neighbours.join(',')}](eta=${f.eta},zeta=${f.zeta},lambda=${f.lambda},rs=${f.rs},rc=${f.cutoff})`;
  return o;
}

/** The column description written beside the array (schema ionfield.descriptor-columns/2). */
export function columnsDocument(bound: BoundSet, map: RowMap, info: { array: string; frames: number; steps: number[]; source: string; scale: number }): Record<string, unknown> {
  const columns: Record<string, unknown[]> = labelRecord();
  for (const s of bound.species) columns[s] = bound.columns[s].map((f, k) => describeFunction(f, k));
  return {
    schema: 'ionfield.descriptor-columns/2',
    array: info.array,
    shape: [info.frames, map.rows.length, bound.maxFeatures],
    dtype: 'float32',
    layout:
      'array[frame, row, column]; row r is atom rows.atoms[r] (0-based, trajectory order) of species rows.species[r]; its columns are columns[rows.species[r]] in order; columns beyond that species\' count are NaN',
    set: bound.name,
    setSource: info.source,
    lengthScale: info.scale,
    species: bound.species,
    features: Object.fromEntries(bound.species.map((s) => [s, bound.columns[s].length])),
    columns,
    rows: { atoms: Array.from(map.rows), species: map.rowSpecies },
    frames: { count: info.frames, steps: info.steps },
  };
}

/** Computes descriptors for a trajectory and streams them to a .npy file (temporary name + rename). */
export async function writeDescriptors(trajectory: string, out: string, options: DescriptorRunOptions): Promise<DescriptorSummary> {
  const def = typeof options.set === 'string' ? loadSet(options.set) : options.set;
  const scale = options.scale ?? 1;
  const { device, note } = resolveDevice(options.device ?? 'auto');
  const traj = openTrajectory(trajectory, { ...options, unwrap: false, batchSize: options.batchSize ?? 16 });
  const columnsPath = options.columnsPath ?? columnsPathFor(out);
  const started = Date.now();
  let writer: NpyWriter | null = null;
  let bound: BoundSet | null = null;
  let map: RowMap | null = null;
  const steps: number[] = [];
  let frames = 0;
  const report = stageReporter(options.onProgress, 'descriptors', 'frames');
  try {
    const it = traj.batches();
    let next = it.next();
    for (;;) {
      const r = await next;
      if (r.done) break;
      const batch = r.value;
      next = it.next(); // read the following batch while this one is computed
      next.catch(() => undefined); // its failure is reported when awaited, not as an unhandled rejection
      if (!batch.types) throw Object.assign(new Error(`${trajectory}: the file has no species labels; pass types (--topology) to name them`), { code: 'IONFIELD_BAD_INPUT' });
      if (!bound || !map) {
        const labels = options.species ?? naturalSort([...new Set(batch.types)]);
        bound = bindSet(def, labels, scale);
        const missing = bound.species.filter((s) => !batch.types!.includes(s));
        if (missing.length === bound.species.length)
          throw Object.assign(new Error(`${trajectory}: none of the set's species (${bound.species.join(', ')}) occur in the trajectory (species: ${[...new Set(batch.types)].join(', ')}); use --type-map`), { code: 'IONFIELD_BAD_INPUT' });
        map = rowMap(bound, batch.types);
        if (map.rows.length === 0) throw Object.assign(new Error(`${trajectory}: no atom is a centre of the set`), { code: 'IONFIELD_BAD_INPUT' });
        writer = new NpyWriter(out, 'float32', [map.rows.length, bound.maxFeatures]);
      }
      let values: Float32Array;
      try {
        values = (await computeBatch(bound, batch, map, { ...options, device, precision: 'float32' })) as Float32Array;
      } catch (err) {
        const e = err as Error;
        throw Object.assign(new Error(`${trajectory}: frames ${batch.first}..${batch.first + batch.frames - 1} (selected frames, 0-based): ${e.message}`), { code: 'IONFIELD_BAD_INPUT' });
      }
      options.signal?.throwIfAborted();
      writer!.append(values, batch.frames);
      for (let k = 0; k < batch.frames; k++) steps.push(batch.steps[k]);
      frames += batch.frames;
      report(frames);
    }
    if (!writer || !bound || !map) throw Object.assign(new Error(`${trajectory}: no frames selected`), { code: 'IONFIELD_BAD_INPUT' });
    // The description (with the array's checksum) goes into place first and the array last, so
    // whatever a crash leaves, a reader can tell whether the two belong together.
    const doc = { ...columnsDocument(bound, map, { array: out, frames, steps, source: def.source, scale }), arraySha256: writer.finish() };
    const columnsTmp = temporaryFor(columnsPath);
    try {
      fs.writeFileSync(columnsTmp, JSON.stringify(doc, null, 1) + '\n');
      writer.closeWith([{ tmp: columnsTmp, destination: columnsPath }]);
    } catch (err) {
      discardTemporary(columnsTmp);
      throw err;
    }
  } catch (err) {
    writer?.abort();
    traj.close(); // the batch being read ahead is not wanted any more
    throw err;
  }
  const seconds = (Date.now() - started) / 1000;
  return {
    schema: 'ionfield.descriptors/2',
    trajectory,
    output: out,
    columns: columnsPath,
    set: bound.name,
    species: bound.species,
    features: Object.fromEntries(bound.species.map((s) => [s, bound!.columns[s].length])),
    shape: [frames, map.rows.length, bound.maxFeatures],
    dtype: 'float32',
    frames,
    rows: map.rows.length,
    device,
    deviceNote: note,
    threads: options.threads ?? 0,
    seconds,
    framesPerSecond: seconds > 0 ? frames / seconds : 0,
  };
}

export interface NeighborListOptions {
  cutoff: number;
  full?: boolean;
  threads?: number;
  device?: Device;
}

export interface NeighborListResult {
  first: Int32Array;
  second: Int32Array;
  shifts: Int32Array;
  distances: Float64Array;
  vectors: Float64Array;
  seconds: number;
}

/**
 * Pairs closer than the cutoff. box: 9 numbers (cell vectors as rows) or null for open boundaries.
 * The vector of pair k is r[second] - r[first] + shifts[k] . box.
 */
export async function neighborList(positions: Float64Array, box: Float64Array | null, options: NeighborListOptions, periodic: boolean[] = [true, true, true]): Promise<NeighborListResult> {
  if (!(options.cutoff > 0)) throw new RangeError(`cutoff must be positive, got ${options.cutoff}`);
  const dev = resolveDevice(options.device ?? 'cpu').device;
  return native().neighborList({ positions, boxes: box, periodic }, { cutoff: options.cutoff, full: options.full ?? false, threads: options.threads ?? 0, device: dev });
}
