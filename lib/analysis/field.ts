// A per-ion field over frames (λ̂ from `ionfield predict`, or target λ_i(t0)) together with the
// structure of those frames: the input of every analysis. Arrays are frame-major.
import { openTrajectory, TrajectoryOptions } from '../trajectory';
import { NpyFile } from '../npy-file';
import { LongCallOptions, stageReporter } from '../progress';

export interface Field {
  frames: number;
  natoms: number;
  /** frames * natoms; NaN marks an ion left out (e.g. solvent). */
  values: Float64Array;
  /** frames * natoms * 3, any images (distances use the periodic cell). */
  positions: Float64Array;
  /** frames * 9, cell vectors as rows. */
  boxes: Float64Array;
  species: string[];
  charges: Float64Array;
  /** Where the field came from (file names, model), carried into results and the report. */
  provenance?: Record<string, unknown>;
}

const badInput = (message: string) => Object.assign(new Error(message), { code: 'IONFIELD_BAD_INPUT' });

export function checkField(f: Field): void {
  if (f.values.length !== f.frames * f.natoms) throw badInput(`field: ${f.values.length} values for ${f.frames} frames × ${f.natoms} ions`);
  if (f.positions.length !== f.frames * f.natoms * 3) throw badInput('field: positions do not match frames × ions × 3');
  if (f.boxes.length !== f.frames * 9) throw badInput('field: every frame needs a periodic cell (9 numbers)');
  if (f.species.length !== f.natoms || f.charges.length !== f.natoms) throw badInput('field: species and charges need one entry per ion');
}

export interface LoadFieldOptions extends TrajectoryOptions, LongCallOptions {
  /** Ions the field covers, as species labels (default: every atom with a non-zero charge if the field has fewer columns than atoms). */
  species?: string[];
}

/** The field file opened and its values checked (in chunks): [frames, ions]. */
export function openFieldValues(fieldFile: string): NpyFile {
  const npy = NpyFile.open(fieldFile);
  try {
    if (npy.shape.length !== 2) throw badInput(`${fieldFile}: expected an array of shape [frames, ions], got (${npy.shape.join(', ')})`);
    checkFieldValues(npy, fieldFile);
    return npy;
  } catch (err) {
    npy.close();
    throw err;
  }
}

/**
 * Reads the frames of `trajectory` a field of `frames` × `ions` belongs to and hands each batch's
 * positions of the field's ions ([k × ions × 3]) and cells ([k × 9]) to `sink`, in frame order
 * (both valid during the call only).
 * When the field has fewer columns than the trajectory has atoms, its columns are the atoms of the
 * listed species (or the charged atoms), in file order.
 */
export async function readFieldFrames(
  trajectory: string,
  fieldFile: string,
  frames: number,
  ions: number,
  options: LoadFieldOptions,
  sink: (first: number, count: number, positions: Float64Array, boxes: Float64Array) => void,
): Promise<{ species: string[]; charges: Float64Array; format: string }> {
  const traj = openTrajectory(trajectory, { ...options, unwrap: false });
  let species: string[] | null = null;
  let charges: Float64Array | null = null;
  let columns: number[] | null = null;
  let read = 0;
  let buffer = new Float64Array(0);
  const report = stageReporter(options.onProgress, 'read frames', 'frames', frames);
  for await (const b of traj.batches()) {
    if (!columns) {
      const types = b.types ?? new Array<string>(b.natoms).fill('X');
      const q = b.charges ?? new Float64Array(b.natoms);
      if (ions === b.natoms) columns = types.map((_, i) => i);
      else {
        const wanted = options.species ? new Set(options.species) : null;
        columns = types.map((t, i) => i).filter((i) => (wanted ? wanted.has(types[i]) : q[i] !== 0));
        if (columns.length !== ions)
          throw badInput(`${fieldFile}: ${ions} columns, but ${trajectory} has ${b.natoms} atoms of which ${columns.length} are ${wanted ? `of species ${[...wanted].join(', ')}` : 'charged'}`);
      }
      species = columns.map((i) => types[i]);
      charges = Float64Array.from(columns, (i) => q[i]);
    }
    if (!b.boxes) throw badInput(`${trajectory}: frame ${b.first} has no periodic cell; the analyses need one`);
    if (read + b.frames > frames) throw badInput(`${fieldFile}: has ${frames} frames, but the trajectory selection has more; pass --start/--stop/--stride to select the field's frames`);
    // One buffer for every batch (grown if a batch is larger): the sink copies or writes it out.
    if (buffer.length < b.frames * ions * 3) buffer = new Float64Array(b.frames * ions * 3);
    const positions = buffer.subarray(0, b.frames * ions * 3);
    for (let k = 0; k < b.frames; k++)
      for (let c = 0; c < columns.length; c++)
        for (let d = 0; d < 3; d++) positions[(k * ions + c) * 3 + d] = b.positions[(k * b.natoms + columns[c]) * 3 + d];
    sink(read, b.frames, positions, b.boxes.subarray(0, 9 * b.frames));
    read += b.frames;
    report(Math.min(read, frames));
  }
  if (read !== frames) throw badInput(`${fieldFile}: has ${frames} frames, the trajectory selection ${read}; pass --start/--stop/--stride to select the field's frames`);
  return { species: species ?? [], charges: charges ?? new Float64Array(0), format: traj.format };
}

/**
 * Reads a field .npy of shape [frames, ions] and the frames of `trajectory` it belongs to (the
 * selection start/stop/stride must give exactly those frames) into memory. For fields larger than
 * memory, openField (open-field.ts) reads the same in chunks from disk.
 */
export async function loadField(trajectory: string, fieldFile: string, options: LoadFieldOptions = {}, window?: { from: number; to: number }): Promise<Field> {
  const npy = openFieldValues(fieldFile);
  const [allFrames, ions] = npy.shape;
  // A shard (lib/analysis/shard.ts) loads frames [from, to) of the field and of the selection only;
  // the last one reads to the selection's end, so that a longer selection is still noticed.
  const from = window?.from ?? 0, frames = (window?.to ?? allFrames) - from;
  const start = options.start ?? 0, stride = options.stride ?? 1;
  const selection = window ? { ...options, start: start + from * stride, stop: window.to === allFrames ? options.stop : start + window.to * stride } : options;
  let values: Float64Array;
  try {
    values = Float64Array.from(npy.readRows(from, frames));
  } finally {
    npy.close();
  }
  const positions = new Float64Array(frames * ions * 3);
  const boxes = new Float64Array(frames * 9);
  const { species, charges, format } = await readFieldFrames(trajectory, fieldFile, frames, ions, selection, (first, count, p, b) => {
    positions.set(p, first * ions * 3);
    boxes.set(b, 9 * first);
  });
  return { frames, natoms: ions, values, positions, boxes, species, charges, provenance: { trajectory, field: fieldFile, format } };
}

/**
 * A field value is a finite number, or NaN in every frame for an ion left out on purpose. An
 * infinity, or a NaN in some frames of an ion only, is an error: dropping it would bias every
 * average silently. Read in chunks of frames; the error names the first bad element in ion-then-
 * frame order (as a check over the whole array would).
 */
function checkFieldValues(npy: NpyFile, file: string): void {
  const [frames, ions] = npy.shape;
  if (frames === 0) return;
  const first = npy.readRows(0, 1);
  const leftOut = Uint8Array.from({ length: ions }, (_, i) => (Number.isNaN(first[i]) ? 1 : 0));
  const badFrame = new Float64Array(ions).fill(-1);
  const badValue = new Float64Array(ions);
  for (const c of npy.chunks(npy.rowsPerChunk()))
    for (let f = 0; f < c.count; f++)
      for (let i = 0; i < ions; i++) {
        const v = c.data[f * ions + i];
        if (Number.isFinite(v) || (leftOut[i] && Number.isNaN(v)) || badFrame[i] >= 0) continue;
        badFrame[i] = c.first + f;
        badValue[i] = v;
      }
  const i = badFrame.findIndex((f) => f >= 0);
  if (i < 0) return;
  const f = badFrame[i], v = badValue[i];
  throw badInput(`${file}: element [${f}, ${i}] (frame ${f}, ion ${i}) is ${v}; expected a finite number${Number.isNaN(v) ? ' (NaN is accepted only for an ion left out in every frame)' : ''}${leftOut[i] ? ' — this ion is NaN in frame 0, so it must be NaN in every frame' : ''}`);
}

/** The distinct species labels in first-appearance order, and each ion's index into them. */
export function speciesIndex(species: string[]): { labels: string[]; index: Int32Array } {
  const labels = [...new Set(species)];
  return { labels, index: Int32Array.from(species, (s) => labels.indexOf(s)) };
}
