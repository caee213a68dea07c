// Trajectory format conversion: streams batches from a reader into a native writer, which writes
// to a temporary file and renames it into place only when every frame is written.
// Units: each format has its own (docs/formats.md): LAMMPS dumps, XYZ and DCD hold Å (LAMMPS
// real/metal units), XTC and GROMACS .gro hold nm and ps, DCD time is ps (units 'lj': no conversion). Lengths and times are converted between
// them; dump and XYZ times are taken to be in `timeUnit` (fs by default, LAMMPS real units).
import { topologyPathFor, writeTopology } from './dataset/topology';
import { native } from './native';
import { openTrajectory, TrajectoryOptions } from './trajectory';
import { labelRecord } from './label-record';
import { LongCallOptions, stageReporter } from './progress';

export type TimeUnit = 'fs' | 'ps';

export interface ConvertOptions extends TrajectoryOptions, LongCallOptions {
  /** Output format; default from the output file's extension. */
  outputFormat?: string;
  /** Time unit of LAMMPS dump and XYZ times, read and written (default 'fs', LAMMPS real units). */
  timeUnit?: TimeUnit;
  /** 'lj': reduced units, numbers copied unchanged whatever the formats' own units (σ and τ stay σ
   * and τ; reading the output back needs --units lj). Default: the formats' physical units. */
  units?: 'lj';
  /** MD timestep in the input's time unit: frames without a stored time get step × timestep. */
  timestep?: number;
}

export interface ConvertResult {
  input: string;
  output: string;
  inputFormat: string;
  outputFormat: string;
  frames: number;
  atoms: number;
  unwrapped: boolean;
  /** Factors applied: output length unit per input length unit, and the same for time. */
  lengthFactor: number;
  timeFactor: number;
  /** The <name>.topology.json written beside an XTC/DCD output (species, charges), or null and why not. */
  topology: { path: string } | { path: null; reason: string } | null;
}

/** Charge per species when every atom of a species has the same one; null otherwise. */
function chargesBySpecies(types: string[], charges: Float64Array): Record<string, number> | null {
  const out: Record<string, number> = labelRecord();
  for (let i = 0; i < types.length; i++) {
    if (types[i] in out && out[types[i]] !== charges[i]) return null;
    out[types[i]] = charges[i];
  }
  return out;
}

/** nm per file length unit, and ps per file time unit, for each format. */
function units(format: string, timeUnit: TimeUnit): { nm: number; ps: number } {
  const ps = timeUnit === 'fs' ? 1e-3 : 1;
  switch (format) {
    case 'xtc':
    case 'gro':
      return { nm: 1, ps: 1 };
    case 'dcd':
      return { nm: 0.1, ps: 1 };
    default: // lammps-dump, xyz
      return { nm: 0.1, ps };
  }
}

/** The frame's time in the input unit: as stored, else step × timestep, else -1 (none). */
function frameTime(stored: number, step: number, timestep: number | undefined): number {
  if (stored >= 0) return stored;
  return timestep !== undefined && step >= 0 ? step * timestep : -1;
}

function scaled(a: Float64Array, factor: number): Float64Array {
  return factor === 1 ? a : a.map((v) => v * factor);
}

export async function convertTrajectory(input: string, output: string, options: ConvertOptions = {}): Promise<ConvertResult> {
  const trajectory = openTrajectory(input, { unwrap: true, ...options });
  const outputFormat = options.outputFormat ?? native().formatFromPath(output);
  const writer = new (native().NativeTrajectoryWriter)(output, outputFormat || 'auto');
  const from = units(trajectory.format, options.timeUnit ?? 'fs');
  const to = units(outputFormat, options.timeUnit ?? 'fs');
  // Reduced units have no physical scale to convert: an lj dump's σ would otherwise be taken for Å
  // and divided by 10 on the way into an XTC.
  const length = options.units === 'lj' ? 1 : from.nm / to.nm;
  const time = options.units === 'lj' ? 1 : from.ps / to.ps;
  let frames = 0;
  let atoms = 0;
  let unwrapped = false;
  let first: { types: string[] | null; charges: Float64Array | null } | null = null;
  const report = stageReporter(options.onProgress, 'convert', 'frames');
  try {
    for await (const b of trajectory.batches()) {
      first ??= { types: b.types, charges: b.charges };
      atoms = b.natoms;
      unwrapped = b.unwrapped;
      const n3 = b.natoms * 3;
      for (let k = 0; k < b.frames; k++) {
        const t = frameTime(b.times[k], b.steps[k], options.timestep);
        writer.write({
          positions: scaled(b.positions.subarray(k * n3, (k + 1) * n3), length),
          box: b.boxes ? scaled(b.boxes.subarray(9 * k, 9 * k + 9), length) : undefined,
          origin: scaled(b.origins.subarray(3 * k, 3 * k + 3), length),
          step: b.steps[k],
          time: t >= 0 ? t * time : -1,
          types: b.types ?? undefined,
          charges: b.charges ?? undefined,
          unwrapped: b.unwrapped,
        });
      }
      frames += b.frames;
      report(frames);
    }
    options.signal?.throwIfAborted();
    if (frames === 0) throw new Error(`${input}: no frames to convert`);
    writer.close();
  } catch (err) {
    writer.abort();
    throw err;
  }
  // XTC and DCD keep neither species nor charges: a topology beside the output, which every reader
  // picks up, keeps them (written after the trajectory, so a failed run leaves neither).
  let topology: ConvertResult['topology'] = null;
  if (outputFormat === 'xtc' || outputFormat === 'dcd') {
    const charges = first?.types && first.charges ? chargesBySpecies(first.types, first.charges) : null;
    if (first?.types && charges) {
      topology = { path: topologyPathFor(output) };
      writeTopology(topology.path, first.types, charges, unwrapped);
    } else {
      topology = { path: null, reason: !first?.types ? 'the input has no species labels' : !first.charges ? 'the input has no charges (pass --charges)' : 'charges differ within a species' };
    }
  }
  return { input, output, inputFormat: trajectory.format, outputFormat, frames, atoms, unwrapped, lengthFactor: length, timeFactor: time, topology };
}
