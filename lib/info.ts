// `ionfield info`: what is in a trajectory file, as a stable JSON-able summary.
import { native, NativeBox } from './native';
import type { ReadOverride } from './trajectory';
import { labelRecord, plainRecord } from './label-record';
import { withNativeCancel } from './abort';
import { LongCallOptions, stageReporter } from './progress';

/** Schema "ionfield.info/2" — documented in README ("ionfield info --json"). */
export interface TrajectoryInfo {
  schema: 'ionfield.info/2';
  file: string;
  format: string;
  frames: number;
  atoms: number;
  /** Atom count per species label (LAMMPS type or element); empty when the file has no labels. */
  species: Record<string, number>;
  box: BoxInfo | null;
  /** Time between consecutive frames in the file's time unit (ps for XTC/DCD), null if unknown. */
  timePerFrame: number | null;
  /** MD steps between consecutive frames, null if the file has no step numbers or they are irregular. */
  stepsPerFrame: number | null;
  firstStep: number | null;
  /** True if the stored coordinates are wrapped into the cell. */
  wrapped: boolean;
  /** What the file declares: 'wrapped', 'unwrapped' or 'unknown' (then inferred from the values). */
  coordinates: 'wrapped' | 'unwrapped' | 'unknown';
  /** How ionfield unwraps it: 'image-flags', 'already-unwrapped' or 'minimum-image'. */
  unwrapMethod: string;
  hasCharges: boolean;
  hasImageFlags: boolean;
  /**
   * Atom-frame moves between consecutive frames that were suspiciously large for unwrapping:
   * more than 0.4 of a cell with minimum-image continuity (folded moves never exceed one half,
   * so larger ones mean the frames are too far apart to unwrap reliably), more than half a cell
   * height in files declared unwrapped (they may be wrapped after all). Image flags are exact and
   * never flagged. 0 when none.
   */
  suspiciousMoves: number;
  /** File frame (0-based) where the first such move ends, null if none. */
  firstSuspiciousFrame: number | null;
  /** Human-readable warnings (the CLI prints them to stderr); empty when all is well. */
  warnings: string[];
  /**
   * Units of positions/box and of times as the file states them: length 'A', 'nm', ...; time 'fs',
   * 'ps', ...; null where the file does not say (a LAMMPS dump without ITEM: UNITS). `style` is the
   * LAMMPS units style of a dump with ITEM: UNITS, else null.
   */
  units: { length: string | null; time: string | null; style: string | null };
}

export interface BoxInfo {
  /** Cell vectors as rows [[ax,ay,az],[bx,by,bz],[cx,cy,cz]], file length unit. */
  matrix: number[][];
  origin: number[];
  lengths: number[];
  angles: number[];
  volume: number;
  orthorhombic: boolean;
  periodic: boolean[];
  /** True if the cell changes during the trajectory (NPT); `last` is then the final cell. */
  varies: boolean;
  last: Omit<BoxInfo, 'varies' | 'last'> | null;
}

function boxInfo(b: NativeBox): Omit<BoxInfo, 'varies' | 'last'> {
  const m = Array.from(b.matrix);
  return {
    matrix: [m.slice(0, 3), m.slice(3, 6), m.slice(6, 9)],
    origin: Array.from(b.origin),
    lengths: Array.from(b.lengths),
    angles: Array.from(b.angles),
    volume: b.volume,
    orthorhombic: b.orthorhombic,
    periodic: b.periodic,
  };
}

export interface InfoOptions extends LongCallOptions {
  format?: string;
  /** Read overrides, as TrajectoryOptions.allow. */
  allow?: ReadOverride[];
  /** MD timestep, to turn steps per frame into time per frame for files that store no time. */
  timestep?: number;
}

/** The warning text for suspicious moves, shared by `info` and by iteration (Trajectory). */
export function unwrapWarnings(file: string, method: string, moves: number, firstFrame: number): string[] {
  if (moves <= 0) return [];
  if (method === 'minimum-image')
    return [
      `${file}: ${moves} atom move(s) between consecutive frames exceed 0.4 of a cell, first at frame ${firstFrame}; ` +
        'minimum-image unwrapping cannot tell larger moves from moves the other way round the cell, so unwrapped ' +
        'coordinates may be wrong from there on: use frames closer in time or a file with image flags',
    ];
  return [
    `${file}: ${moves} atom move(s) between consecutive frames exceed half a cell height, first at frame ${firstFrame}, ` +
      'although the file says its coordinates are unwrapped: it may hold wrapped coordinates after all',
  ];
}

export async function trajectoryInfo(path: string, options: InfoOptions = {}): Promise<TrajectoryInfo> {
  const report = stageReporter(options.onProgress, 'scan', 'frames');
  const s = await withNativeCancel(options.signal, (token) =>
    native().scanTrajectory(path, { format: options.format ?? 'auto', allow: options.allow ?? [] }, (n) => report(n), token));
  report(s.frames, s.frames);
  const species: Record<string, number> = labelRecord();
  for (const { label, count } of s.species) species[label] = count;
  let timePerFrame: number | null = s.timeInterval >= 0 ? s.timeInterval : null;
  if (timePerFrame === null && options.timestep !== undefined && s.stepInterval > 0) timePerFrame = s.stepInterval * options.timestep;
  return {
    schema: 'ionfield.info/2',
    file: path,
    format: s.format,
    frames: s.frames,
    atoms: s.atoms,
    species: plainRecord(species),
    box: s.firstBox
      ? { ...boxInfo(s.firstBox), varies: s.boxVaries, last: s.boxVaries && s.lastBox ? boxInfo(s.lastBox) : null }
      : null,
    timePerFrame: timePerFrame,
    stepsPerFrame: s.stepInterval > 0 ? s.stepInterval : null,
    firstStep: s.firstStep >= 0 ? s.firstStep : null,
    wrapped: s.wrapped,
    coordinates: s.declared,
    unwrapMethod: s.unwrapMethod,
    hasCharges: s.hasCharges,
    hasImageFlags: s.hasImages,
    suspiciousMoves: s.suspiciousMoves,
    firstSuspiciousFrame: s.firstSuspiciousFrame >= 0 ? s.firstSuspiciousFrame : null,
    warnings: unwrapWarnings(path, s.unwrapMethod, s.suspiciousMoves, s.firstSuspiciousFrame),
    units: { length: s.lengthUnit || null, time: s.timeUnit || null, style: s.unitStyle || null },
  };
}

/**
 * The number of frames in a trajectory, without reading them where the format allows: XTC frames
 * are skipped by their headers, DCD frames by their fixed size (text formats are read through).
 * For planning work, such as shard boundaries: frames are not validated here but by the runs that
 * read them. Much cheaper than trajectoryInfo on binary files.
 */
export async function countFrames(path: string, options: Pick<InfoOptions, 'format' | 'allow' | 'signal'> = {}): Promise<number> {
  return withNativeCancel(options.signal, (token) => native().countFrames(path, { format: options.format ?? 'auto', allow: options.allow ?? [] }, token));
}
