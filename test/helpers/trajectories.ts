// Test helpers for trajectories: read every frame through the public API, and an independent
// (deliberately simple) LAMMPS dump parser that gives the ground truth the readers are checked
// against, plus comparisons that respect periodic images.
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { openTrajectory, TrajectoryOptions } from '../../lib/index';

export interface Loaded {
  format: string;
  natoms: number;
  positions: Float64Array[]; // one natoms*3 array per frame
  boxes: (Float64Array | null)[];
  origins: Float64Array[];
  steps: number[];
  times: number[];
  types: string[] | null;
  charges: Float64Array | null;
  unwrapped: boolean;
}

export async function readAll(file: string, options: TrajectoryOptions = {}): Promise<Loaded> {
  const t = openTrajectory(file, { onWarning: () => undefined, ...options });
  const out: Loaded = { format: t.format, natoms: 0, positions: [], boxes: [], origins: [], steps: [], times: [], types: null, charges: null, unwrapped: false };
  for await (const b of t.batches(options.batchSize ?? 7)) {
    out.natoms = b.natoms;
    out.types = b.types;
    out.charges = b.charges;
    out.unwrapped = b.unwrapped;
    const n3 = 3 * b.natoms;
    for (let k = 0; k < b.frames; k++) {
      out.positions.push(b.positions.slice(k * n3, (k + 1) * n3));
      out.boxes.push(b.boxes ? b.boxes.slice(9 * k, 9 * k + 9) : null);
      out.origins.push(b.origins.slice(3 * k, 3 * k + 3));
      out.steps.push(b.steps[k]);
      out.times.push(b.times[k]);
    }
  }
  return out;
}

/** One frame of a LAMMPS text dump, parsed without ionfield. */
export interface DumpFrame {
  step: number;
  time: number | null;
  cell: number[][]; // rows a, b, c
  origin: number[];
  columns: string[];
  rows: number[][]; // per atom, in id order
}

export function parseDump(file: string): DumpFrame[] {
  const raw = fs.readFileSync(file);
  const text = (file.endsWith('.gz') ? zlib.gunzipSync(raw) : raw).toString('utf8');
  const lines = text.split('\n');
  const frames: DumpFrame[] = [];
  let i = 0;
  let time: number | null = null;
  while (i < lines.length) {
    const line = lines[i];
    if (line.startsWith('ITEM: TIME') && !line.startsWith('ITEM: TIMESTEP')) {
      time = Number(lines[i + 1]);
      i += 2;
    } else if (line.startsWith('ITEM: TIMESTEP')) {
      const step = Number(lines[i + 1]);
      const n = Number(lines[i + 3]);
      const tri = lines[i + 4].includes('xy');
      const b = [5, 6, 7].map((k) => lines[i + k].trim().split(/\s+/).map(Number));
      const [xy, xz, yz] = tri ? [b[0][2], b[1][2], b[2][2]] : [0, 0, 0];
      // LAMMPS Howto triclinic: the dump holds the bounding box of the tilted cell.
      const xlo = b[0][0] - Math.min(0, xy, xz, xy + xz), xhi = b[0][1] - Math.max(0, xy, xz, xy + xz);
      const ylo = b[1][0] - Math.min(0, yz), yhi = b[1][1] - Math.max(0, yz);
      const columns = lines[i + 8].trim().split(/\s+/).slice(2);
      const rows = lines.slice(i + 9, i + 9 + n).map((l) => l.trim().split(/\s+/).map(Number));
      const id = columns.indexOf('id');
      rows.sort((p, q) => p[id] - q[id]);
      frames.push({ step, time, cell: [[xhi - xlo, 0, 0], [xy, yhi - ylo, 0], [xz, yz, b[2][1] - b[2][0]]], origin: [xlo, ylo, b[2][0]], columns, rows });
      time = null;
      i += 9 + n;
    } else i++;
  }
  return frames;
}

/** Columns `names` of every atom of a parsed frame, flattened (natoms * names.length). */
export function columns(frame: DumpFrame, names: string[]): Float64Array {
  const idx = names.map((n) => {
    const k = frame.columns.indexOf(n);
    if (k < 0) throw new Error(`no column ${n}`);
    return k;
  });
  const out = new Float64Array(frame.rows.length * names.length);
  frame.rows.forEach((r, a) => idx.forEach((k, j) => (out[a * names.length + j] = r[k])));
  return out;
}

/** Ground truth: x + ix a + iy b + iz c from a dump with x y z ix iy iz. */
export function unwrappedFromImages(frame: DumpFrame): Float64Array {
  const x = columns(frame, ['x', 'y', 'z']);
  const im = columns(frame, ['ix', 'iy', 'iz']);
  const h = frame.cell;
  for (let a = 0; a < x.length / 3; a++)
    for (let k = 0; k < 3; k++) x[3 * a + k] += im[3 * a] * h[0][k] + im[3 * a + 1] * h[1][k] + im[3 * a + 2] * h[2][k];
  return x;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>, scaleB = 1): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - scaleB * b[i]));
  return m;
}

/** Largest |a - b| after removing whole cell vectors (cell rows h), i.e. equality modulo the lattice. */
export function maxPeriodicDiff(a: ArrayLike<number>, b: ArrayLike<number>, h: number[][], scaleB = 1): number {
  // Lower-triangular h (LAMMPS convention): solve s from d = s h by forward substitution.
  let m = 0;
  for (let i = 0; i < a.length / 3; i++) {
    const d = [0, 1, 2].map((k) => a[3 * i + k] - scaleB * b[3 * i + k]);
    const s2 = d[2] / h[2][2];
    const s1 = (d[1] - s2 * h[2][1]) / h[1][1];
    const s0 = (d[0] - s1 * h[1][0] - s2 * h[2][0]) / h[0][0];
    const s = [s0, s1, s2].map((v) => v - Math.round(v));
    for (let k = 0; k < 3; k++) m = Math.max(m, Math.abs(s[0] * h[0][k] + s[1] * h[1][k] + s[2] * h[2][k]));
  }
  return m;
}

/** Displacements r(t) - r(0) of every frame (removes a constant shift such as a lost origin). */
export function displacements(frames: ArrayLike<number>[]): Float64Array[] {
  return frames.map((f) => Float64Array.from(f, (v, i) => v - frames[0][i]));
}

export function boxRows(b: ArrayLike<number>): number[][] {
  return [[b[0], b[1], b[2]], [b[3], b[4], b[5]], [b[6], b[7], b[8]]];
}
