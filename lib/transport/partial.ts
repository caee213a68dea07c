// Partial transport results: the native correlator's sums plus the metadata needed to estimate
// from them and to check that two partials may merge. Serialisable ("ionfield.transport-partial/2")
// and mergeable exactly (sums add, blocks concatenate).
import * as fs from 'node:fs';
import { writeFileAtomic } from '../atomic-file';
import { native, NativeTransportHandle, NativeTransportOptions } from '../native';
import { TransportSums } from './estimate';
import { UnitSystem } from './units';
import type { MolecularMeta } from './molecular';
import { upgradeLegacyDocument } from '../legacy-document';

/** Metadata that travels with the sums: enough to estimate, and to check that partials may merge. */
export interface TransportMeta {
  file: string;
  format: string;
  units: UnitStyle;
  species: string[];
  counts: number[];
  charges: number[];
  frameInterval: number;
  frameIntervalSource: string;
  volumeOverride: number | null;
  removeCom: boolean;
  /** Centre-of-mass weights per species (null: equal weights). */
  masses: Record<string, number> | null;
  /** With removeCom: the species whose centre of mass is removed (absent: the whole selection). */
  comSpecies?: string[];
  pointsPerLevel: number;
  decimation: number;
  start: number;
  stride: number;
  /** Read overrides the input was read with (TrajectoryOptions.allow); absent in older partials. */
  allow?: string[];
  /** Warnings decided while reading (the unwrapping doubt is not among them: see `unwrap`). */
  warnings: string[];
  /**
   * Atom moves between frames too large to unwrap with confidence, as data: the report writes the
   * warning from it, so that merged shards give the single run's sentence. Absent in partials
   * written before it was recorded (issue 15), whose warnings hold the sentence itself.
   */
  unwrap?: UnwrapDoubt;
  /** A shard's first and last time read and its frames read (the merge takes the run's interval from them). */
  span?: { firstTime: number; lastTime: number; framesRead: number };
  /** 'molecules': the points followed are centres of mass of molecules (absent: atoms). */
  centres?: 'molecules';
  molecules?: MolecularMeta;
}
type UnitStyle = UnitSystem['style'];

/** What the reader's unwrapping found suspicious (Trajectory.unwrapReport), over the whole run's frames. */
export interface UnwrapDoubt {
  /** The unwrapping in force at the end of the read: 'minimum-image', 'already-unwrapped', 'image-flags'. */
  method: string;
  /**
   * Suspicious atom moves over the frame-to-frame transitions the partial owns: a shard counts
   * those that end in its own frames (not in the frames before them it reads for history), so
   * every transition of the run is counted by exactly one shard.
   */
  suspiciousMoves: number;
  /**
   * Selected frame of the whole run where the first suspicious move the reader saw ends (null: none
   * seen). A shard may see it in the frames it reads for history; the shard owning that frame sees
   * it too, so the smallest over the shards is the single run's.
   */
  firstSuspiciousFrame: number | null;
}

/** The doubt of consecutive pieces of one run (in frame order); undefined when none has one. */
export function mergeUnwrapDoubts(doubts: (UnwrapDoubt | undefined)[]): UnwrapDoubt | undefined {
  const known = doubts.filter((d): d is UnwrapDoubt => d !== undefined);
  if (!known.length) return undefined;
  const firsts = known.map((d) => d.firstSuspiciousFrame).filter((f): f is number => f !== null);
  return {
    method: known[known.length - 1].method,
    suspiciousMoves: known.reduce((sum, d) => sum + d.suspiciousMoves, 0),
    firstSuspiciousFrame: firsts.length ? Math.min(...firsts) : null,
  };
}

/** A serialisable partial result: "ionfield.transport-partial/2" (JSON; merge with mergePartials). */
export interface TransportPartial {
  schema: 'ionfield.transport-partial/2';
  meta: TransportMeta;
  sums: TransportSums;
  /** Molecular runs: sums of the one-point correlator of the atomic charge moment Σ q_i r_i. */
  atomic?: TransportSums;
}


/** Options of the native correlator, for callers that feed frames themselves. */
export type CorrelatorOptions = NativeTransportOptions;

/**
 * The native displacement correlator, for frames that do not come from a file (simulations in
 * progress, generated data). Feed unwrapped coordinates in batches, in order, then take sums().
 */
export class TransportCorrelator {
  private readonly handle: NativeTransportHandle;
  private queue: Promise<void> = Promise.resolve();
  readonly natoms: number;

  constructor(options: CorrelatorOptions) {
    this.natoms = options.species.length;
    this.handle = new (native().NativeTransport)({ ...options, maxLag: options.maxLag ?? -1 });
  }

  /** Adds frames (positions: frames × natoms × 3). Do not modify the arrays before the promise settles. */
  add(positions: Float64Array, frames: number, volumes: Float64Array | null = null): Promise<void> {
    const next = this.queue.then(() => this.handle.addFrames(positions, volumes, frames));
    this.queue = next.catch(() => undefined);
    return next;
  }

  async sums(): Promise<TransportSums> {
    await this.queue;
    return this.handle.partial();
  }

  /** Bytes held by the ring buffers and sums (independent of the number of frames but for log terms). */
  memoryBytes(): number {
    return this.handle.memoryBytes();
  }
}

export function badInput(message: string): Error {
  return Object.assign(new Error(message), { code: 'IONFIELD_BAD_INPUT' });
}


/** Combines partial results of independent runs (or independent pieces of one run) exactly. */
export function mergePartials(partials: TransportPartial[]): TransportPartial {
  if (!partials.length) throw new TypeError('no partial results to merge');
  const [first, ...rest] = partials;
  let sums = first.sums;
  let atomic = first.atomic;
  for (const p of rest) {
    const a = first.meta, b = p.meta;
    const same = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);
    for (const key of ['units', 'species', 'counts', 'charges', 'removeCom', 'masses', 'comSpecies', 'pointsPerLevel', 'decimation'] as const)
      if (!same(a[key], b[key])) throw badInput(`cannot merge ${b.file} into ${a.file}: ${key} differ (${JSON.stringify(b[key])} vs ${JSON.stringify(a[key])})`);
    if (Math.abs(a.frameInterval - b.frameInterval) > 1e-9 * a.frameInterval)
      throw badInput(`cannot merge ${b.file} into ${a.file}: frame intervals differ (${b.frameInterval} vs ${a.frameInterval})`);
    if (Boolean(first.atomic) !== Boolean(p.atomic)) throw badInput(`cannot merge ${p.meta.file} into ${first.meta.file}: one follows molecules, the other atoms`);
    sums = native().mergeTransportPartials(sums, p.sums);
    if (atomic && p.atomic) atomic = native().mergeTransportPartials(atomic, p.atomic);
  }
  const files = [...new Set(partials.map((p) => p.meta.file))];
  const allow = [...new Set(partials.flatMap((p) => p.meta.allow ?? []))];
  return { schema: 'ionfield.transport-partial/2', meta: { ...first.meta, file: files.join(' + '), allow }, sums, ...(atomic ? { atomic } : {}) };
}

/** The sums as plain arrays (JSON). Numbers survive JSON exactly: JSON.stringify writes the shortest round-trip form. */
export function plainSums(s: TransportSums): Record<string, number | number[]> {
  return { ...s, lags: Array.from(s.lags), blockFrames: Array.from(s.blockFrames), origins: Array.from(s.origins), msd: Array.from(s.msd), cross: Array.from(s.cross), charge: Array.from(s.charge) };
}

/** The inverse of plainSums. */
export function sumsFromPlain(raw: Record<string, unknown>): TransportSums {
  const f64 = (k: string) => Float64Array.from(raw[k] as number[]);
  const s = raw as unknown as TransportSums;
  return { nspecies: s.nspecies, frames: s.frames, volumeSum: s.volumeSum, volumeFrames: s.volumeFrames, lags: f64('lags'), blockFrames: f64('blockFrames'), origins: f64('origins'), msd: f64('msd'), cross: f64('cross'), charge: f64('charge') };
}

/** Writes a partial as JSON (temporary name, then rename: never half-written). */
export function savePartial(partial: TransportPartial, file: string): void {
  writeFileAtomic(file, JSON.stringify({ schema: partial.schema, meta: partial.meta, sums: plainSums(partial.sums), ...(partial.atomic ? { atomic: plainSums(partial.atomic) } : {}) }));
}

export function loadPartial(file: string): TransportPartial {
  let raw: { schema?: string; meta: TransportMeta; sums: Record<string, unknown>; atomic?: Record<string, unknown> };
  try {
    raw = upgradeLegacyDocument(JSON.parse(fs.readFileSync(file, 'utf8')));
  } catch (err) {
    throw badInput(`${file}: not a readable JSON transport partial (${(err as Error).message})`);
  }
  if (raw.schema !== 'ionfield.transport-partial/2') throw badInput(`${file}: expected schema ionfield.transport-partial/2, got ${raw.schema}`);
  return { schema: 'ionfield.transport-partial/2', meta: raw.meta, sums: sumsFromPlain(raw.sums), ...(raw.atomic ? { atomic: sumsFromPlain(raw.atomic) } : {}) };
}
