// Transport coefficients from a trajectory: streams batches of unwrapped frames into the native
// multiple-tau correlator (memory independent of the number of frames), then fits D, σ, Λ, Λ_NE,
// ionicity, Onsager L_ab and transference numbers with jackknife errors (transport/report.ts).
// Report schema "ionfield.transport/2" is documented in docs/transport.md.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FrameBatch, openTrajectory, TrajectoryOptions } from './trajectory';
import { WindowOptions } from './transport/estimate';
import { native, NativeTransportHandle } from './native';
import { badInput, loadPartial, mergePartials, mergeUnwrapDoubts, savePartial, TransportMeta, TransportPartial, UnwrapDoubt } from './transport/partial';
import { TransportReport, transportReport } from './transport/report';
import { defaultUnitStyle, unitSystem } from './transport/units';
import { LongCallOptions, stageReporter } from './progress';
import { MolecularCentres } from './transport/molecular';
import { MolecularSystem } from './topology/molecules';

export { TransportCorrelator, loadPartial, mergePartials, savePartial } from './transport/partial';
export type { CorrelatorOptions, TransportMeta, TransportPartial } from './transport/partial';
export { transportReport } from './transport/report';
export type { Quantity, TransportReport } from './transport/report';

export interface TransportOptions extends Omit<TrajectoryOptions, 'unwrap'>, WindowOptions, LongCallOptions {
  /** Temperature in the input's units (K; ε/k_B in lj). Required. */
  temperature: number;
  /** 'lj', 'real', 'metal' or 'gromacs' (default: gromacs for XTC, else lj with a warning). */
  units?: string;
  /** MD timestep, for files that store step numbers but no time. */
  timestep?: number;
  /** Time between (selected) frames; overrides what the file says. */
  frameInterval?: number;
  /** Species labels to include (default: all). Others are ignored (e.g. explicit solvent). */
  selectSpecies?: string[];
  /** Subtract the centre of mass of the selection from every frame. */
  removeCom?: boolean;
  /** Per-species weights for the centre of mass (default: equal weights). */
  masses?: Record<string, number>;
  /**
   * With removeCom: the species whose centre of mass is removed (default: the whole selection). The
   * solvent's gives the solvent-fixed (Hittorf) frame; all species the barycentric frame.
   */
  comSpecies?: string[];
  /** Number of formula units (default: from the salt's stoichiometry, see formula.ts). */
  formulaUnits?: number;
  /** Cell volume for files without a cell. */
  volume?: number;
  /** Longest lag to correlate, in input time units (default: no limit). */
  maxLag?: number;
  /** Correlator layout: ring slots per level (default 32) and decimation factor (default 2). */
  pointsPerLevel?: number;
  decimation?: number;
  threads?: number;
  /** Write the partial result to this file every checkpointEvery frames (and at the end). */
  checkpoint?: string;
  checkpointEvery?: number;
  /** Continue from the checkpoint file if it exists: frames it covers are not read again. */
  resume?: boolean;
  /** One shard of a sharded run (set by accumulateTransportShard, transport/shard.ts): frame numbers are global. */
  shardWindow?: ShardWindow;
  /**
   * Molecules of the topology (lib/topology): follow centres of mass of whole molecules, species
   * are molecular species (selectSpecies names them), charges their net charges; σ is also
   * estimated from the atomic partial charges. Absent: the atom-level analysis.
   */
  molecules?: MolecularSystem;
}

/** Where a shard's frames sit in the whole run (the selection's frame numbers). */
export interface ShardWindow {
  /** Global index of the first frame read (the lag overlap before ownFrom is read for its history). */
  firstFrame: number;
  ownFrom: number;
  /** The block length of the whole run, so that every shard cuts the single run's blocks. */
  blockLength: number;
  /** The whole run's longest lag in frames (-1: none), fixed from its first two frames. */
  maxLagFrames: number;
  /**
   * Frames read before firstFrame only to unwrap (their positions go nowhere): a molecular shard of
   * a file unwrapped by minimum image reads from the selection's first frame (transport/shard.ts).
   */
  skip?: number;
}

/** Frames [from, frames) of a batch, renumbered `shift` frames earlier (views, no copies). */
function tailOf(b: FrameBatch, from: number, shift: number): FrameBatch {
  const n = b.natoms;
  return {
    ...b,
    first: b.first + from - shift,
    frames: b.frames - from,
    positions: b.positions.subarray(3 * n * from),
    boxes: b.boxes ? b.boxes.subarray(9 * from) : null,
    origins: b.origins.subarray(3 * from),
    steps: b.steps.subarray(from),
    times: b.times.subarray(from),
  };
}


function volumeOf(h: Float64Array, k: number): number {
  const m = h.subarray(9 * k, 9 * k + 9);
  return Math.abs(m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]));
}

/**
 * Reads the trajectory once and returns the accumulated partial result. With a checkpoint file the
 * sums so far are saved every checkpointEvery frames; with resume, a run continues after the frames
 * the checkpoint covers. A resumed run equals two independent segments merged: pairs of frames that
 * straddle the restart are not correlated (per lag, the origins within one lag before the restart).
 */
export async function accumulateTransport(file: string, options: TransportOptions): Promise<TransportPartial> {
  let previous: TransportPartial | null = null;
  const stride = options.stride ?? 1, start = options.start ?? 0;
  if (options.resume && options.checkpoint && fs.existsSync(options.checkpoint)) {
    previous = loadPartial(options.checkpoint);
    const m = previous.meta;
    if (m.file !== path.resolve(file) || m.start !== start || m.stride !== stride)
      throw Object.assign(new Error(`--resume: ${options.checkpoint} belongs to ${m.file} (start ${m.start}, stride ${m.stride}), not to this run`), { code: 'IONFIELD_USAGE' });
  }
  const done = previous?.sums.frames ?? 0;
  const segmentStart = start + done * stride;
  if (options.stop !== undefined && segmentStart >= options.stop && previous) return previous;
  const combine = (current: TransportPartial): TransportPartial => {
    if (!previous) return current;
    const merged = mergePartials([previous, { ...current, meta: { ...current.meta, frameInterval: current.meta.frameInterval > 0 ? current.meta.frameInterval : previous.meta.frameInterval } }]);
    // The segment's reader numbers frames from the restart: its doubt is shifted onto the run's frames.
    const d = current.meta.unwrap;
    const unwrap = mergeUnwrapDoubts([previous.meta.unwrap, d && { ...d, firstSuspiciousFrame: d.firstSuspiciousFrame === null ? null : d.firstSuspiciousFrame + done }]);
    merged.meta = { ...previous.meta, warnings: [...previous.meta.warnings, `resumed from ${options.checkpoint} after ${done} frames`], ...(unwrap && { unwrap }) };
    return merged;
  };
  const save = (current: TransportPartial) => {
    if (options.checkpoint) savePartial(combine(current), options.checkpoint);
  };
  const segment = await accumulateSegment(file, { ...options, start: segmentStart }, previous !== null, save);
  if (!segment) {
    if (previous) return previous;
    throw badInput(`${file}: no frames selected`);
  }
  const result = combine(segment);
  result.meta.start = start;
  if (options.checkpoint) savePartial(result, options.checkpoint);
  return result;
}

async function accumulateSegment(file: string, options: TransportOptions, resuming: boolean, save: (p: TransportPartial) => void): Promise<TransportPartial | null> {
  // Charges by species are applied here, not by the reader, so that species left out with
  // selectSpecies (explicit solvent) need no charge.
  // Atoms, always: molecular centres are made here (MolecularCentres), beside the atomic charge moment.
  const warnings: string[] = [];
  // An unwrapping doubt belongs to the result it may spoil: it is recorded as data (meta.unwrap)
  // and the report writes its warning, not only stderr where a --json consumer never sees it. The
  // caller's onWarning still hears of it as soon as the reader does.
  const onWarning = (message: string) => options.onWarning?.(message);
  const trajectory = openTrajectory(file, { ...options, charges: undefined, unwrap: true, molecules: undefined, onWarning });
  // A shard counts the suspicious moves of the transitions into its own frames only: the reader's
  // count just before its first own frame (a batch ends there) is the overlap's, someone else's.
  const shard = options.shardWindow;
  const readFrom = shard ? shard.firstFrame - (shard.skip ?? 0) : 0;
  const ownFromRead = shard ? shard.ownFrom - readFrom : 0;
  let notOwned = 0;
  const unwrapDoubt = (): UnwrapDoubt => {
    const r = trajectory.unwrapReport();
    return { method: r.method, suspiciousMoves: r.suspiciousMoves - notOwned, firstSuspiciousFrame: r.firstSuspiciousFrame >= 0 ? readFrom + r.firstSuspiciousFrame : null };
  };
  let handle: NativeTransportHandle | null = null;
  let molecular: MolecularCentres | null = null;
  let meta: TransportMeta | null = null;
  let pending: Promise<void> | null = null;
  let frames = 0;
  // Frame timing: the first two frames fix the interval; every later frame must follow its
  // predecessor by the same amount (consecutive differences, so that float32 times in XTC files do
  // not accumulate into a false alarm); a repeated or missing frame is an error.
  let t0 = NaN, s0 = NaN, dtTime = NaN, dtStep = NaN, tPrev = NaN, sPrev = NaN, tLast = NaN;
  const requireUniform = (index: number, value: number, previous: number, step: number, what: string, tol: number) => {
    if (Math.abs(value - previous - step) > tol)
      throw badInput(`${file}: frame ${(options.start ?? 0) + (index + (options.shardWindow?.skip ?? 0)) * (options.stride ?? 1)} has ${what} ${value}, expected ${previous + step} (${what} ${previous} + ${step}): frames must be evenly spaced in time (a repeated or missing frame?)`);
  };
  // Time per selected frame, decided once two frames have been seen (fail early without it).
  let resolved = false;
  const resolveInterval = () => {
    if (resolved || !meta) return;
    resolved = true;
    if (options.frameInterval !== undefined) {
      meta.frameInterval = options.frameInterval;
      meta.frameIntervalSource = '--frame-interval';
    } else if (dtTime > 0) {
      meta.frameInterval = dtTime;
      meta.frameIntervalSource = 'time stored in the file';
      // Binary formats fix their own units; the numbers are taken as the chosen unit system's.
      if (meta.format === 'xtc' && meta.units !== 'gromacs')
        warnings.push(`XTC stores nm and ps, but --units ${meta.units} takes the numbers as ${unitSystem(meta.units).length} and ${unitSystem(meta.units).time}: use --units gromacs, or --frame-interval and scaled results`);
      if (meta.format === 'dcd' && meta.units !== 'metal' && meta.units !== 'gromacs')
        warnings.push(`DCD times are read in ps (CHARMM/NAMD AKMA time step), or in the run's own time unit for DCDs written by LAMMPS; --units ${meta.units} takes them as ${unitSystem(meta.units).time}: check the frame interval (${dtTime}) or pass --frame-interval`);
      if (options.timestep !== undefined && dtStep > 0 && Math.abs(dtStep * options.timestep - dtTime) > 1e-6 * dtTime)
        warnings.push(`--timestep ${options.timestep} × ${dtStep} steps/frame = ${dtStep * options.timestep} disagrees with the file's time per frame ${dtTime}; using the file's time`);
    } else if (dtStep > 0) {
      if (options.timestep === undefined)
        throw Object.assign(new Error(`${file} stores step numbers but no time: pass --timestep (the MD timestep in ${unitSystem(meta.units).time})`), { code: 'IONFIELD_USAGE' });
      meta.frameInterval = dtStep * options.timestep;
      meta.frameIntervalSource = `${dtStep} steps per frame × --timestep ${options.timestep}`;
    }
  };
  const finish = (): TransportPartial => {
    const sums = handle!.partial();
    // The interval from the whole span is exact to the files' precision (float32 times in XTC).
    // (frames read, which a shard's history makes more than sums.frames; merge recomputes it from the spans).
    if (meta!.frameIntervalSource === 'time stored in the file' && frames > 2) meta!.frameInterval = (tLast - t0) / (frames - 1);
    if (options.shardWindow) meta!.span = { firstTime: t0, lastTime: tLast, framesRead: frames };
    if (!(sums.volumeFrames > 0) && meta!.volumeOverride === null)
      throw Object.assign(new Error(`${file} has no simulation cell: pass --volume`), { code: 'IONFIELD_USAGE' });
    if (molecular) {
      // A shard keeps the smallest cell it saw instead of the whole-molecule warning, which the
      // merge decides from all shards' extents and cells (as the single run from all frames).
      const m = options.shardWindow ? { ...molecular.meta(), smallestCell: molecular.smallestCellLength() } : molecular.meta();
      const own = options.shardWindow ? [] : molecular.warnings();
      return { schema: 'ionfield.transport-partial/2', meta: { ...meta!, warnings: [...warnings, ...own], unwrap: unwrapDoubt(), centres: 'molecules', molecules: m }, sums, atomic: molecular.atomicSums() };
    }
    return { schema: 'ionfield.transport-partial/2', meta: { ...meta!, warnings: [...warnings], unwrap: unwrapDoubt() }, sums };
  };
  const every = options.checkpointEvery ?? 10000;
  const report = stageReporter(options.onProgress, 'transport', 'frames');
  let lastSaved = 0;
  try {
    const skip = options.shardWindow?.skip ?? 0;
    for await (const read of trajectory.batches(undefined, ownFromRead > 0 ? [ownFromRead] : [])) {
      if (read.first + read.frames === ownFromRead) notOwned = trajectory.unwrapReport().suspiciousMoves;
      // Frames before the shard's window were read to unwrap only.
      if (read.first + read.frames <= skip) continue;
      const b = skip ? tailOf(read, Math.max(0, skip - read.first), skip) : read;
      if (!handle) {
        let setup: ReturnType<typeof setUp>;
        if (options.molecules) {
          // One "atom" per molecule: its species, its net charge, its mass for --remove-com.
          molecular = new MolecularCentres(options.molecules, file, b.natoms);
          const mf = molecular.frames();
          if (options.masses) throw Object.assign(new Error('--masses: with molecules, centres of mass are weighted by the masses in the topology'), { code: 'IONFIELD_USAGE' });
          setup = setUp(file, trajectory.format, { ...b, natoms: mf.natoms, types: mf.types, charges: mf.charges }, { ...options, charges: undefined, masses: options.removeCom ? mf.masses : undefined }, warnings);
          warnings.push(...options.molecules.warnings);
          const o = setup.nativeOptions;
          // The atomic-charge correlator cuts the same blocks (and a shard's window) as the molecular one.
          const w = options.shardWindow;
          molecular.start(o.species, { pointsPerLevel: o.pointsPerLevel, decimation: o.decimation, maxLag: o.maxLag, threads: o.threads, ...(w && { firstFrame: w.firstFrame, ownFrom: w.ownFrom, blockLength: w.blockLength }) });
        } else {
          setup = setUp(file, trajectory.format, b, options, warnings);
        }
        meta = setup.meta;
        handle = new (native().NativeTransport)(setup.nativeOptions);
      }
      for (let k = 0; k < b.frames; k++) {
        const i = b.first + k, t = b.times[k], s = b.steps[k];
        if (i === 0) {
          t0 = t;
          s0 = s;
        } else if (i === 1) {
          dtTime = t >= 0 && t0 >= 0 ? t - t0 : NaN;
          dtStep = s >= 0 && s0 >= 0 ? s - s0 : NaN;
          if (!(dtTime > 0) && !(dtStep > 0) && options.frameInterval === undefined)
            throw badInput(`${file}: frames 0 and 1 have neither increasing times nor increasing step numbers; pass --frame-interval`);
        } else {
          if (dtTime > 0) requireUniform(i, t, tPrev, dtTime, 'time', 0.01 * dtTime + 1e-6 * Math.abs(t));
          if (dtStep > 0) requireUniform(i, s, sPrev, dtStep, 'step', 0.5);
        }
        tPrev = t;
        sPrev = s;
        tLast = t;
      }
      let volumes: Float64Array | null = null;
      if (b.boxes && !meta!.volumeOverride) {
        volumes = new Float64Array(b.frames);
        for (let k = 0; k < b.frames; k++) volumes[k] = volumeOf(b.boxes, k);
      }
      if (pending) await pending;
      options.signal?.throwIfAborted();
      // The native worker reads b.positions in place while the next batch is being read.
      if (molecular) {
        const m = molecular.batch(b.positions, b.boxes, volumes, b.frames, b.periodic);
        pending = Promise.all([handle.addFrames(m.centres, volumes, b.frames), m.atomic]).then(() => undefined);
      } else {
        pending = handle.addFrames(b.positions, volumes, b.frames);
      }
      frames += b.frames;
      if (frames >= 2) resolveInterval();
      report(frames);
      if (options.checkpoint && frames - lastSaved >= every && resolved) {
        await pending;
        save(finish());
        lastSaved = frames;
      }
    }
    if (pending) await pending;
    options.signal?.throwIfAborted();
  } catch (err) {
    if (pending) await pending.catch(() => undefined);
    throw err;
  }
  if (!handle || !meta) return null;
  if (frames < 3 && !resuming) throw badInput(`${file}: ${frames} frame(s) selected; transport needs at least 3`);
  resolveInterval();
  return finish();
}

function setUp(file: string, format: string, b: { natoms: number; frames: number; types: string[] | null; charges: Float64Array | null; times: Float64Array; steps: Float64Array }, options: TransportOptions, warnings: string[]) {
  if (!b.types) throw Object.assign(new Error(`${file} has no species labels: pass --topology or types`), { code: 'IONFIELD_USAGE' });
  const types = b.types;
  const labels: string[] = [];
  for (const t of types) if (!labels.includes(t)) labels.push(t);
  const selected = options.selectSpecies ?? labels;
  for (const s of selected) if (!labels.includes(s)) throw Object.assign(new Error(`--species: ${file} has no species '${s}' (it has ${labels.join(', ')})`), { code: 'IONFIELD_USAGE' });
  let charges = b.charges;
  const chargeMap = options.charges;
  if (chargeMap) {
    const missing = selected.filter((s) => !(s in chargeMap));
    if (missing.length) throw Object.assign(new Error(`--charges: no charge given for species ${missing.join(', ')}`), { code: 'IONFIELD_USAGE' });
    charges = Float64Array.from(types, (t) => chargeMap[t] ?? 0);
  }
  // No charges anywhere (no q column, no --charges): a diffusion-only analysis. D and the Onsager
  // L_ab need no charges; σ, Λ, Λ_NE, ionicity and transference are reported as null with a note.
  if (!charges) charges = new Float64Array(b.natoms);
  const species = selected.filter((s) => labels.includes(s));
  const index = new Map(species.map((s, k) => [s, k]));
  const counts = species.map(() => 0);
  const z = species.map(() => NaN);
  const speciesOf = new Int32Array(b.natoms);
  for (let i = 0; i < b.natoms; i++) {
    const k = index.get(types[i]);
    speciesOf[i] = k ?? -1;
    if (k === undefined) continue;
    counts[k]++;
    if (Number.isNaN(z[k])) z[k] = charges[i];
    else if (Math.abs(z[k] - charges[i]) > 1e-9 * Math.max(1, Math.abs(z[k])))
      throw badInput(`${file}: species ${types[i]} has atoms with different charges (${z[k]} and ${charges[i]}, atom ${i + 1} of frame 0); Onsager coefficients need one charge per species: pass --charges`);
  }
  let weights: Float64Array | undefined;
  if (options.masses) {
    const masses = options.masses;
    const missing = species.filter((s) => !(s in masses));
    if (missing.length) throw Object.assign(new Error(`--masses: no mass for species ${missing.join(', ')}`), { code: 'IONFIELD_USAGE' });
    weights = Float64Array.from(types, (t) => masses[t] ?? 0);
  }
  if (options.comSpecies) {
    // The centre removed is that of these species only: the other points weigh nothing in it.
    const only = options.comSpecies;
    const missing = only.filter((s) => !species.includes(s));
    if (missing.length) throw Object.assign(new Error(`--com-species: ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not among the selected species (${species.join(', ')})`), { code: 'IONFIELD_USAGE' });
    const w = weights;
    weights = Float64Array.from(types, (t, i) => (only.includes(t) ? (w ? w[i] : 1) : 0));
  }
  let style = options.units;
  if (!style) {
    style = defaultUnitStyle(format) ?? 'lj';
    warnings.push(`no --units given: assuming ${unitSystem(style).description}`);
  }
  const units = unitSystem(style).style;
  const pointsPerLevel = options.pointsPerLevel ?? 32, decimation = options.decimation ?? 2;
  const meta: TransportMeta = {
    file: path.resolve(file),
    format,
    units,
    species,
    counts,
    charges: z,
    frameInterval: NaN,
    frameIntervalSource: '',
    volumeOverride: options.volume ?? null,
    removeCom: Boolean(options.removeCom),
    masses: options.masses ?? null,
    ...(options.comSpecies ? { comSpecies: options.comSpecies } : {}),
    pointsPerLevel,
    decimation,
    start: options.start ?? 0,
    stride: options.stride ?? 1,
    allow: options.allow ?? [],
    warnings: [],
  };
  const maxLag = options.shardWindow ? options.shardWindow.maxLagFrames : maxLagFrames(options, b);
  return {
    meta,
    nativeOptions: {
      species: speciesOf,
      nspecies: species.length,
      charges: Float64Array.from(charges!),
      weights,
      pointsPerLevel,
      decimation,
      maxLag,
      removeCom: Boolean(options.removeCom),
      threads: options.threads ?? 0,
      ...(options.shardWindow && { firstFrame: options.shardWindow.firstFrame, ownFrom: options.shardWindow.ownFrom, blockLength: options.shardWindow.blockLength }),
    },
  };
}

/** --max-lag (time units) in frames, from the time per frame of the first batch (-1: no limit). */
export function maxLagFrames(options: Pick<TransportOptions, 'maxLag' | 'frameInterval' | 'timestep'>, b: { frames: number; times: Float64Array; steps: Float64Array }): number {
  if (options.maxLag === undefined) return -1;
  let dt = options.frameInterval ?? NaN;
  if (!(dt > 0) && b.frames >= 2 && b.times[0] >= 0 && b.times[1] > b.times[0]) dt = b.times[1] - b.times[0];
  if (!(dt > 0) && b.frames >= 2 && options.timestep !== undefined && b.steps[1] > b.steps[0]) dt = (b.steps[1] - b.steps[0]) * options.timestep;
  if (!(dt > 0)) throw Object.assign(new Error('--max-lag needs the time between frames: pass --frame-interval or --timestep'), { code: 'IONFIELD_USAGE' });
  return Math.max(1, Math.floor(options.maxLag / dt + 1e-9));
}

/** One call: read, accumulate, estimate. */
export async function computeTransport(file: string, options: TransportOptions): Promise<TransportReport> {
  const partial = await accumulateTransport(file, options);
  return transportReport(partial, options);
}

