// Streaming access to trajectories: async iteration over frames or batches of frames, with
// frame selection, unwrapping and species/charge mapping. Memory holds one batch at a time.
import * as fs from 'node:fs';
import { readTopology, topologyPathFor } from './dataset/topology';
import { unwrapWarnings } from './info';
import { native, NativeBatch, NativeSelection, NativeTrajectoryHandle } from './native';
import { RandomAccess } from './trajectory/random-access';
import { labelRecord } from './label-record';
import { MoleculeBatches } from './topology/centres-batch';
import type { MolecularSystem } from './topology/molecules';

export interface TrajectoryOptions {
  /** 'auto' (default: from extension, then content), 'lammps-dump', 'xyz', 'dcd', 'xtc' or 'gro'. */
  format?: string;
  /** First frame (0-based, default 0), one past the last (default: end), and stride (default 1). */
  start?: number;
  stop?: number;
  stride?: number;
  /** Return continuous coordinates (default true): image flags, else minimum-image continuity. */
  unwrap?: boolean;
  /** Per-atom species labels for formats that carry none (DCD, XTC), in file order. */
  types?: string[];
  /** Renames species labels, e.g. {"1": "Na", "2": "Cl"} for LAMMPS numeric types. */
  typeMap?: Record<string, string>;
  /** Charge per species label (after typeMap); overrides charges stored in the file. */
  charges?: Record<string, number>;
  /**
   * How atoms are labelled (default 'type': the file's labels after typeMap). 'charge' labels each
   * atom by its charge ("+1", "-1", "+2": chargeLabel), so ions of different valence are different
   * species even where the file gives them the same type (docs/dataset.md, "Species labels").
   */
  labelBy?: LabelBy;
  /** Frames per native call (default 64). */
  batchSize?: number;
  /**
   * Input the readers refuse by default because it usually means a broken file, let through on
   * purpose (docs/formats.md, "Validation"): 'box-jumps' (the cell volume changes by more than 1.5×
   * between read frames), 'dcd-nsavc' (a DCD header with NSAVC <= 0: steps count frames),
   * 'skewed-cells' (a cell angle outside 30–150°). Commands record what was allowed in their JSON.
   */
  allow?: ReadOverride[];
  /**
   * Called once, as soon as unwrapping meets a frame-to-frame move too large to be sure of (see
   * `TrajectoryInfo.suspiciousMoves`). Default: `process.emitWarning` (code IONFIELD_UNWRAP),
   * which Node prints to stderr.
   */
  onWarning?: (message: string) => void;
  /** Aborting makes the next read reject with `signal.reason` (reads are checked batch by batch). */
  signal?: AbortSignal;
  /**
   * Molecules (lib/topology): deliver one point per molecule — its centre of mass, molecules made
   * whole — labelled by molecular species and charged with its net charge, instead of atoms.
   * types, typeMap and charges do not apply; labelBy 'charge' labels by net charge.
   */
  molecules?: MolecularSystem;
}

/** A slice of the selected frames, as in Python: [start, stop) every step-th frame. */
export interface FrameRange {
  start?: number;
  stop?: number;
  step?: number;
}

export type LabelBy = 'type' | 'charge';

export const READ_OVERRIDES = ['box-jumps', 'dcd-nsavc', 'skewed-cells'] as const;
export type ReadOverride = (typeof READ_OVERRIDES)[number];

/** Parses an --allow value ("box-jumps,dcd-nsavc"). */
export function parseReadOverrides(text: string, what = '--allow'): ReadOverride[] {
  const names = text.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names)
    if (!(READ_OVERRIDES as readonly string[]).includes(n)) throw new RangeError(`${what}: '${n}' is not one of ${READ_OVERRIDES.join(', ')}`);
  return names as ReadOverride[];
}

/** The species label of a charge: "+1", "-1", "+2", "+0.5", "0" (6 significant digits, so float noise in a q column does not split a species). */
export function chargeLabel(z: number): string {
  const v = Number(z.toPrecision(6));
  return v > 0 ? `+${v}` : String(v === 0 ? 0 : v);
}

/** Parses a --label-by value. */
export function parseLabelBy(text: string | undefined, what = '--label-by'): LabelBy | undefined {
  if (text === undefined) return undefined;
  if (text !== 'type' && text !== 'charge') throw Object.assign(new TypeError(`${what}: expected 'type' or 'charge', got '${text}'`), { code: 'IONFIELD_USAGE' });
  return text;
}

/** A block of consecutive (selected) frames; arrays are frame-major. */
export interface FrameBatch {
  /** Index, in the selected sequence, of the batch's first frame. */
  first: number;
  frames: number;
  natoms: number;
  positions: Float64Array; // frames * natoms * 3
  boxes: Float64Array | null; // frames * 9, cell vectors as rows
  origins: Float64Array; // frames * 3
  steps: Float64Array;
  times: Float64Array; // < 0 where the file stores no time
  types: string[] | null;
  charges: Float64Array | null;
  /** Molecule ID and mass per atom where the file has them (LAMMPS dump 'mol', 'mass' columns). */
  molecules?: Float64Array | null;
  /** Atom IDs where the file has them (LAMMPS dumps), of the batch's first frame: subsetTopology matches a topology to them. */
  ids?: Float64Array | null;
  masses?: Float64Array | null;
  unwrapped: boolean;
  /** Periodicity of the cell along a, b, c (LAMMPS 'ff'/'fm' boundaries are not periodic). */
  periodic: boolean[];
}

export interface Frame {
  index: number;
  step: number;
  time: number | null;
  natoms: number;
  positions: Float64Array; // natoms * 3 (a view into the batch)
  box: Float64Array | null;
  origin: Float64Array;
  types: string[] | null;
  charges: Float64Array | null;
}

/**
 * A trajectory file opened for reading. Iterate it once (frames or batches()), or read any frame
 * with frame(i) and frames({ start, stop, step }). close() (or `await using`) releases the reader.
 */
export class Trajectory implements AsyncIterable<Frame>, AsyncDisposable {
  private handle: NativeTrajectoryHandle;
  private readonly options: TrajectoryOptions;
  private readonly open: (selection: NativeSelection) => NativeTrajectoryHandle;
  private readonly formatName: string;
  private delivered = 0;
  private started = false;
  private closed = false;
  private readonly access: RandomAccess;

  constructor(readonly path: string, options: TrajectoryOptions = {}) {
    for (const key of ['start', 'stop', 'stride', 'batchSize'] as const) {
      const v = options[key];
      if (v !== undefined && (!Number.isInteger(v) || v < (key === 'stride' || key === 'batchSize' ? 1 : 0)))
        throw new TypeError(`${key} must be a ${key === 'stride' || key === 'batchSize' ? 'positive' : 'non-negative'} integer, got ${v}`);
    }
    const base = { format: options.format ?? 'auto', start: options.start ?? 0, stop: options.stop ?? -1, stride: options.stride ?? 1, allow: options.allow ?? [] };
    const open = (unwrap: boolean) => new (native().NativeTrajectory)(path, { ...base, unwrap });
    this.handle = open(options.unwrap ?? true);
    // XTC and DCD store neither species nor charges: a <name>.topology.json beside the file (as
    // scripts/family/pack.ts writes) supplies them unless the caller gave types. When it says the
    // coordinates are stored continuous, they are read as stored: minimum-image unwrapping would
    // fold back the rare moves of more than half a cell between stored frames.
    const topologyFile = topologyPathFor(path);
    if (!options.types && ['xtc', 'dcd'].includes(this.handle.format()) && fs.existsSync(topologyFile)) {
      const topology = readTopology(topologyFile);
      options = { ...options, types: topology.types, charges: options.charges ?? topology.charges };
      if (topology.coordinates === 'continuous' && (options.unwrap ?? true)) {
        this.handle.close();
        this.handle = open(false);
        options = { ...options, unwrap: false };
      }
    }
    this.options = options;
    this.formatName = this.handle.format();
    // Random access opens further readers on the same file, with the same format and overrides.
    this.open = (selection) => new (native().NativeTrajectory)(path, { ...base, format: this.formatName, ...selection });
    this.access = new RandomAccess(
      { start: base.start, stop: base.stop, stride: base.stride, unwrap: options.unwrap ?? true },
      (selection) => this.open(selection),
      (raw, first) => this.finish(raw, first),
    );
  }

  get format(): string {
    return this.formatName;
  }

  /** Releases the native readers now (rather than at garbage collection); later reads throw. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.handle.close();
    this.access.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }

  /** Frame i of the selection (the i-th frame the iterator would give), read without the frames before it where the format allows. */
  async frame(i: number): Promise<Frame> {
    this.checkOpen();
    this.options.signal?.throwIfAborted();
    return this.access.frame(i, this.path);
  }

  /** Frames [start, stop) every step-th of the selection, as slicing a full read would give them. */
  async *frames(range: FrameRange = {}): AsyncGenerator<Frame> {
    this.checkOpen();
    for await (const b of this.access.batches(range, this.options.batchSize ?? 64)) {
      this.checkOpen();
      this.options.signal?.throwIfAborted();
      yield* framesOf(b.batch, b.indices);
    }
  }

  private checkOpen(): void {
    if (this.closed) throw Object.assign(new Error(`${this.path}: the Trajectory is closed`), { code: 'IONFIELD_CLOSED' });
  }

  /** How coordinates were unwrapped, and how many frame-to-frame moves looked suspiciously large. */
  unwrapReport(): { method: string; suspiciousMoves: number; firstSuspiciousFrame: number } {
    return this.handle.unwrapReport();
  }

  /**
   * Batches of frames. A Trajectory is a single forward pass: iterate it once. cuts: selected
   * frames before which a batch ends, so that unwrapReport(), read when the batch ending there
   * arrives, counts exactly the frames before the cut.
   */
  async *batches(size = this.options.batchSize ?? 64, cuts: number[] = []): AsyncGenerator<FrameBatch> {
    this.checkOpen();
    if (this.started) throw new Error(`${this.path}: a Trajectory can be iterated only once; open it again (or use frames())`);
    this.started = true;
    const signal = this.options.signal;
    try {
      for (;;) {
        this.checkOpen();
        signal?.throwIfAborted();
        const cut = cuts.filter((c) => c > this.delivered).reduce((a, c) => Math.min(a, c), Infinity);
        const raw = await this.handle.readBatch(Math.min(size, cut - this.delivered));
        this.checkOpen();
        signal?.throwIfAborted();
        if (!raw) return;
        const batch = this.finish(raw, this.delivered);
        this.delivered += raw.frames;
        this.checkUnwrap();
        yield batch;
      }
    } finally {
      // Done, failed, aborted or left early: the single pass is over, so the reader can go.
      this.handle.close();
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Frame> {
    for await (const b of this.batches()) yield* framesOf(b);
  }

  private warned = false;

  private checkUnwrap(): void {
    if (this.warned || this.options.unwrap === false) return;
    const r = this.handle.unwrapReport();
    if (r.suspiciousMoves <= 0) return;
    this.warned = true;
    const text = selectedUnwrapWarning(this.path, r.method, r.suspiciousMoves, r.firstSuspiciousFrame);
    if (this.options.onWarning) this.options.onWarning(text);
    else process.emitWarning(text, { code: 'IONFIELD_UNWRAP' });
  }

  private molecular: MoleculeBatches | null = null;

  private finish(raw: NativeBatch, first: number): FrameBatch {
    if (this.options.molecules) return this.finishMolecules(raw, first);
    let types = raw.types;
    if (this.options.types) {
      if (this.options.types.length !== raw.natoms)
        throw Object.assign(new Error(`${this.path}: ${this.options.types.length} species labels were given (--topology, or types) for ${raw.natoms} atoms per frame: a topology must describe every atom of the trajectory, in the same order`), { code: 'IONFIELD_BAD_INPUT' });
      types = this.options.types;
    }
    const map = this.options.typeMap;
    if (types && map) types = types.map((t) => map[t] ?? t);
    let charges = raw.charges;
    const chargeMap = this.options.charges;
    if (chargeMap) {
      if (!types) throw new Error(`${this.path}: charges by species need species labels, and this file has none (pass types)`);
      const missing = [...new Set(types.filter((t) => !(t in chargeMap)))];
      if (missing.length) throw new Error(`${this.path}: no charge given for species ${missing.join(', ')}`);
      charges = Float64Array.from(types, (t) => chargeMap[t]);
    }
    if (this.options.labelBy === 'charge') {
      if (!charges)
        throw Object.assign(new Error(`${this.path}: species labelled by charge need charges, and this file has no q column: pass --charges (e.g. 1:1,2:-1) or a topology with charges`), { code: 'IONFIELD_BAD_INPUT' });
      const c = charges;
      types = Array.from(c, chargeLabel);
    }
    return {
      first,
      frames: raw.frames,
      natoms: raw.natoms,
      positions: raw.positions,
      boxes: raw.boxes,
      origins: raw.origins,
      steps: raw.steps,
      times: raw.times,
      types,
      charges,
      molecules: raw.molecules ?? null,
      masses: raw.masses ?? null,
      ids: raw.ids,
      unwrapped: raw.unwrapped,
      periodic: raw.periodic,
    };
  }

  private finishMolecules(raw: NativeBatch, first: number): FrameBatch {
    this.molecular ??= new MoleculeBatches(this.options.molecules!, this.path, raw.natoms);
    const m = this.molecular;
    const types = this.options.labelBy === 'charge' ? Array.from(m.charges, chargeLabel) : m.system.speciesOf;
    return { first, frames: raw.frames, natoms: m.charges.length, positions: m.centres(raw), boxes: raw.boxes, origins: raw.origins, steps: raw.steps, times: raw.times, types, charges: m.charges, molecules: null, masses: null, unwrapped: raw.unwrapped, periodic: raw.periodic };
  }
}

/** The frames of a batch, as views into its arrays; indices: each frame's index (default first + k). */
function* framesOf(b: FrameBatch, indices?: number[]): Generator<Frame> {
  const n3 = b.natoms * 3;
  for (let k = 0; k < b.frames; k++) {
    yield {
      index: indices ? indices[k] : b.first + k,
      step: b.steps[k],
      time: b.times[k] >= 0 ? b.times[k] : null,
      natoms: b.natoms,
      positions: b.positions.subarray(k * n3, (k + 1) * n3),
      box: b.boxes ? b.boxes.subarray(9 * k, 9 * k + 9) : null,
      origin: b.origins.subarray(3 * k, 3 * k + 3),
      types: b.types,
      charges: b.charges,
    };
  }
}

export function openTrajectory(path: string, options: TrajectoryOptions = {}): Trajectory {
  return new Trajectory(path, options);
}

/** The unwrapping warning naming its frame in the selected sequence (frames counted from the selection's first). */
export function selectedUnwrapWarning(file: string, method: string, moves: number, firstFrame: number): string {
  const [message] = unwrapWarnings(file, method, moves, firstFrame);
  return message.replace(/first at frame (\d+)/, 'first at selected frame $1');
}

/**
 * The unwrapping a reader of `options`' selection that starts at its selected frame `at` settles
 * on at its first frame ('minimum-image', 'image-flags', 'already-unwrapped'): shards decide from
 * it whether a reader starting late gives the single run's positions.
 */
export async function unwrapMethodAt(file: string, options: TrajectoryOptions, at: number): Promise<string> {
  const start = (options.start ?? 0) + at * (options.stride ?? 1);
  const traj = openTrajectory(file, { ...options, charges: undefined, molecules: undefined, unwrap: true, start, stop: start + 1, stride: 1, batchSize: 1 });
  try {
    for await (const _ of traj.batches()) break;
    return traj.unwrapReport().method;
  } finally {
    traj.close();
  }
}

/** Parses "1:Na,2:Cl" (typeMap) or "Na:1,Cl:-1" (charges) style lists. */
export function parseKeyValueList(text: string, what: string): Record<string, string> {
  const out: Record<string, string> = labelRecord();
  for (const item of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const at = item.lastIndexOf(':');
    if (at <= 0 || at === item.length - 1) throw new TypeError(`${what}: expected label:value pairs separated by commas, got '${item}'`);
    out[item.slice(0, at)] = item.slice(at + 1);
  }
  return out;
}

/** Parses "1:1,2:-1" into numbers per label (--charges, and --sizes with what = '--sizes'). */
export function parseCharges(text: string, what = '--charges'): Record<string, number> {
  const out: Record<string, number> = labelRecord();
  for (const [k, v] of Object.entries(parseKeyValueList(text, what))) {
    const z = Number(v);
    if (!Number.isFinite(z)) throw new TypeError(`${what}: '${v}' for species ${k} is not a number`);
    out[k] = z;
  }
  return out;
}
