// `ionfield info`: what is in a trajectory file, as a stable JSON-able summary.
import { native, NativeBox } from './native';

/** Schema "ionfield.info/1" — documented in README ("ionfield info --json"). */
export interface TrajectoryInfo {
  schema: 'ionfield.info/1';
  file: string;
  format: string;
  frames: number;
  atoms: number;
  /** Atom count per species label (LAMMPS type or element); empty when the file has no labels. */
  species: Record<string, number>;
  box: BoxInfo | null;
  /** Time between consecutive frames in the file's time unit (ps for XTC/DCD), null if unknown. */
  time_per_frame: number | null;
  /** MD steps between consecutive frames, null if the file has no step numbers or they are irregular. */
  steps_per_frame: number | null;
  first_step: number | null;
  /** True if the stored coordinates are wrapped into the cell. */
  wrapped: boolean;
  /** What the file declares: 'wrapped', 'unwrapped' or 'unknown' (then inferred from the values). */
  coordinates: 'wrapped' | 'unwrapped' | 'unknown';
  /** How ionfield unwraps it: 'image-flags', 'already-unwrapped' or 'minimum-image'. */
  unwrap_method: string;
  has_charges: boolean;
  has_image_flags: boolean;
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

export interface InfoOptions {
  format?: string;
  /** MD timestep, to turn steps per frame into time per frame for files that store no time. */
  timestep?: number;
  onProgress?: (frames: number) => void;
}

export async function trajectoryInfo(path: string, options: InfoOptions = {}): Promise<TrajectoryInfo> {
  const s = await native().scanTrajectory(path, { format: options.format ?? 'auto' }, options.onProgress);
  const species: Record<string, number> = {};
  for (const { label, count } of s.species) species[label] = count;
  let timePerFrame: number | null = s.timeInterval >= 0 ? s.timeInterval : null;
  if (timePerFrame === null && options.timestep !== undefined && s.stepInterval > 0) timePerFrame = s.stepInterval * options.timestep;
  return {
    schema: 'ionfield.info/1',
    file: path,
    format: s.format,
    frames: s.frames,
    atoms: s.atoms,
    species,
    box: s.firstBox
      ? { ...boxInfo(s.firstBox), varies: s.boxVaries, last: s.boxVaries && s.lastBox ? boxInfo(s.lastBox) : null }
      : null,
    time_per_frame: timePerFrame,
    steps_per_frame: s.stepInterval > 0 ? s.stepInterval : null,
    first_step: s.firstStep >= 0 ? s.firstStep : null,
    wrapped: s.wrapped,
    coordinates: s.declared,
    unwrap_method: s.unwrapMethod,
    has_charges: s.hasCharges,
    has_image_flags: s.hasImages,
  };
}
