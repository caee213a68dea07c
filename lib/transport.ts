// Transport coefficients from a trajectory: streams batches of unwrapped frames into the native
// multiple-tau correlator (memory independent of the number of frames), then fits D, σ, Λ, Λ_NE,
// ionicity, Onsager L_ab and transference numbers with jackknife errors. Report schema
// "ionfield.transport/1" is documented in docs/transport.md.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { native } from './native';
import { openTrajectory, TrajectoryOptions } from './trajectory';
import { analyse, Analysis, pairIndex, siFactors, SystemDescription, TransportSums, WindowOptions } from './transport/estimate';
import { formulaUnits } from './transport/formula';
import { defaultUnitStyle, unitSystem, UnitSystem } from './transport/units';

export interface TransportOptions extends Omit<TrajectoryOptions, 'unwrap'>, WindowOptions {
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
  onProgress?: (frames: number) => void;
}

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
  pointsPerLevel: number;
  decimation: number;
  start: number;
  stride: number;
  warnings: string[];
}
type UnitStyle = UnitSystem['style'];

/** A serialisable partial result: "ionfield.transport-partial/1" (JSON; merge with mergePartials). */
export interface TransportPartial {
  schema: 'ionfield.transport-partial/1';
  meta: TransportMeta;
  sums: TransportSums;
}

interface NativeTransportHandle {
  addFrames(positions: Float64Array, volumes: Float64Array | null, frames: number): Promise<void>;
  partial(): TransportSums;
  memoryBytes(): number;
}
interface TransportAddon {
  NativeTransport: new (options: object) => NativeTransportHandle;
  mergeTransportPartials(a: TransportSums, b: TransportSums): TransportSums;
}
const addon = () => native() as unknown as TransportAddon;

/** Options of the native correlator, for callers that feed frames themselves. */
export interface CorrelatorOptions {
  /** Species index (0-based) per atom, −1 to leave an atom out. */
  species: Int32Array;
  nspecies: number;
  /** Charge per atom (units of e). */
  charges: Float64Array;
  /** Centre-of-mass weight per atom (default equal). */
  weights?: Float64Array;
  pointsPerLevel?: number;
  decimation?: number;
  /** Longest lag in frames (default: no limit). */
  maxLag?: number;
  removeCom?: boolean;
  threads?: number;
}

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
    this.handle = new (addon().NativeTransport)({ ...options, maxLag: options.maxLag ?? -1 });
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

function badInput(message: string): Error {
  return Object.assign(new Error(message), { code: 'IONFIELD_BAD_INPUT' });
}

function volumeOf(h: Float64Array, k: number): number {
  const m = h.subarray(9 * k, 9 * k + 9);
  return Math.abs(m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]));
}

/**
 * Reads the trajectory once and returns the accumulated partial result. With a checkpoint file the
 * sums so far are saved every checkpointEvery frames; with resume, a run continues after the frames
 * the checkpoint covers. A resumed run equals two independent segments merged: pairs of frames that
 * straddle the restart are not correlated (a loss of lags × 1 origins, nothing else changes).
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
    merged.meta = { ...previous.meta, warnings: [...previous.meta.warnings, `resumed from ${options.checkpoint} after ${done} frames`] };
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
  const trajectory = openTrajectory(file, { ...options, charges: undefined, unwrap: true });
  const warnings: string[] = [];
  let handle: NativeTransportHandle | null = null;
  let meta: TransportMeta | null = null;
  let pending: Promise<void> | null = null;
  let frames = 0;
  // Frame timing: the first two frames fix the interval; every later frame must follow its
  // predecessor by the same amount (consecutive differences, so that float32 times in XTC files do
  // not accumulate into a false alarm); a repeated or missing frame is an error.
  let t0 = NaN, s0 = NaN, dtTime = NaN, dtStep = NaN, tPrev = NaN, sPrev = NaN, tLast = NaN;
  const requireUniform = (index: number, value: number, previous: number, step: number, what: string, tol: number) => {
    if (Math.abs(value - previous - step) > tol)
      throw badInput(`${file}: frame ${(options.start ?? 0) + index * (options.stride ?? 1)} has ${what} ${value}, expected ${previous + step} (${what} ${previous} + ${step}): frames must be evenly spaced in time (a repeated or missing frame?)`);
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
    if (meta!.frameIntervalSource === 'time stored in the file' && sums.frames > 2) meta!.frameInterval = (tLast - t0) / (sums.frames - 1);
    if (!(sums.volumeFrames > 0) && meta!.volumeOverride === null)
      throw Object.assign(new Error(`${file} has no simulation cell: pass --volume`), { code: 'IONFIELD_USAGE' });
    return { schema: 'ionfield.transport-partial/1', meta: { ...meta!, warnings: [...warnings] }, sums };
  };
  const every = options.checkpointEvery ?? 10000;
  let lastSaved = 0;
  try {
    for await (const b of trajectory.batches()) {
      if (!handle) {
        const setup = setUp(file, trajectory.format, b, options, warnings);
        meta = setup.meta;
        handle = new (addon().NativeTransport)(setup.nativeOptions);
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
      // The native worker reads b.positions in place while the next batch is being read.
      pending = handle.addFrames(b.positions, volumes, b.frames);
      frames += b.frames;
      if (frames >= 2) resolveInterval();
      options.onProgress?.(frames);
      if (options.checkpoint && frames - lastSaved >= every && resolved) {
        await pending;
        save(finish());
        lastSaved = frames;
      }
    }
    if (pending) await pending;
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
  if (!charges) throw Object.assign(new Error(`${file} has no charges: pass --charges (e.g. 1:1,2:-1)`), { code: 'IONFIELD_USAGE' });
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
    pointsPerLevel,
    decimation,
    start: options.start ?? 0,
    stride: options.stride ?? 1,
    warnings: [],
  };
  // --max-lag is in time units: the first batch gives the provisional time per frame.
  let maxLag = -1;
  if (options.maxLag !== undefined) {
    let dt = options.frameInterval ?? NaN;
    if (!(dt > 0) && b.frames >= 2 && b.times[0] >= 0 && b.times[1] > b.times[0]) dt = b.times[1] - b.times[0];
    if (!(dt > 0) && b.frames >= 2 && options.timestep !== undefined && b.steps[1] > b.steps[0]) dt = (b.steps[1] - b.steps[0]) * options.timestep;
    if (!(dt > 0)) throw Object.assign(new Error('--max-lag needs the time between frames: pass --frame-interval or --timestep'), { code: 'IONFIELD_USAGE' });
    maxLag = Math.max(1, Math.floor(options.maxLag / dt + 1e-9));
  }
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
    },
  };
}

/** Combines partial results of independent runs (or independent pieces of one run) exactly. */
export function mergePartials(partials: TransportPartial[]): TransportPartial {
  if (!partials.length) throw new TypeError('no partial results to merge');
  const [first, ...rest] = partials;
  let sums = first.sums;
  for (const p of rest) {
    const a = first.meta, b = p.meta;
    const same = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);
    for (const key of ['units', 'species', 'counts', 'charges', 'removeCom', 'masses', 'pointsPerLevel', 'decimation'] as const)
      if (!same(a[key], b[key])) throw badInput(`cannot merge ${b.file} into ${a.file}: ${key} differ (${JSON.stringify(b[key])} vs ${JSON.stringify(a[key])})`);
    if (Math.abs(a.frameInterval - b.frameInterval) > 1e-9 * a.frameInterval)
      throw badInput(`cannot merge ${b.file} into ${a.file}: frame intervals differ (${b.frameInterval} vs ${a.frameInterval})`);
    sums = addon().mergeTransportPartials(sums, p.sums);
  }
  const files = [...new Set(partials.map((p) => p.meta.file))];
  return { schema: 'ionfield.transport-partial/1', meta: { ...first.meta, file: files.join(' + ') }, sums };
}

/** Writes a partial as JSON (temporary name, then rename: never half-written). */
export function savePartial(partial: TransportPartial, file: string): void {
  const s = partial.sums;
  const plain = {
    schema: partial.schema,
    meta: partial.meta,
    sums: { ...s, lags: Array.from(s.lags), blockFrames: Array.from(s.blockFrames), origins: Array.from(s.origins), msd: Array.from(s.msd), cross: Array.from(s.cross), charge: Array.from(s.charge) },
  };
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify(plain));
  fs.renameSync(tmp, file);
}

export function loadPartial(file: string): TransportPartial {
  let raw: { schema?: string; meta: TransportMeta; sums: Record<string, unknown> };
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw badInput(`${file}: not a readable JSON transport partial (${(err as Error).message})`);
  }
  if (raw.schema !== 'ionfield.transport-partial/1') throw badInput(`${file}: expected schema ionfield.transport-partial/1, got ${raw.schema}`);
  const f64 = (k: string) => Float64Array.from(raw.sums[k] as number[]);
  const s = raw.sums as unknown as TransportSums;
  return {
    schema: 'ionfield.transport-partial/1',
    meta: raw.meta,
    sums: { nspecies: s.nspecies, frames: s.frames, volumeSum: s.volumeSum, volumeFrames: s.volumeFrames, lags: f64('lags'), blockFrames: f64('blockFrames'), origins: f64('origins'), msd: f64('msd'), cross: f64('cross'), charge: f64('charge') },
  };
}

// ---------------------------------------------------------------- the report

export interface Quantity {
  value: number | null;
  error: number | null;
  units: string;
  si?: { value: number | null; error: number | null; units: string };
}

export interface TransportReport {
  schema: 'ionfield.transport/1';
  file: string;
  format: string;
  frames: number;
  frame_selection: { start: number; stride: number };
  units: { style: UnitStyle; length: string; time: string; temperature: string; description: string };
  temperature: number;
  frame_interval: { value: number; units: string; source: string };
  volume: { value: number; units: string; source: string };
  species: { label: string; count: number; charge: number }[];
  formula_units: { value: number | null; convention: string };
  reference_frame: string;
  fit_window: {
    start: number;
    stop: number;
    units: string;
    points: number;
    automatic: boolean;
    diffusive: boolean;
    slope_tolerance: number;
    local_slope: Record<string, { start: number | null; stop: number | null }>;
    note: string | null;
  };
  uncertainty: { method: string; blocks: number; block_length: { value: number; units: string } };
  diffusion: Record<string, Quantity>;
  conductivity: Quantity;
  molar_conductivity: Quantity | null;
  nernst_einstein: Quantity | null;
  ionicity: Quantity;
  onsager: { species: string[]; value: number[][]; error: number[][]; units: string; si?: { value: number[][]; error: number[][]; units: string } };
  transference: Record<string, Quantity>;
  sum_rule: { conductivity: number; from_onsager: number; relative_difference: number };
  correlator: { scheme: string; points_per_level: number; decimation: number; lags: number; longest_lag: number; remove_com: boolean };
  curves: {
    time: number[];
    origins: number[];
    msd: Record<string, number[]>;
    local_slope: Record<string, (number | null)[]>;
    charge_msd: number[];
    cross: Record<string, number[]>;
  };
  warnings: string[];
}

const fin = (v: number): number | null => (Number.isFinite(v) ? v : null);

export function transportReport(partial: TransportPartial, options: { temperature: number } & WindowOptions & { formulaUnits?: number }): TransportReport {
  const { meta, sums } = partial;
  if (!(options.temperature > 0)) throw Object.assign(new Error('--temperature must be positive'), { code: 'IONFIELD_USAGE' });
  if (!(meta.frameInterval > 0)) throw badInput(`${meta.file}: unknown time between frames`);
  const u = unitSystem(meta.units);
  const volume = meta.volumeOverride ?? sums.volumeSum / sums.volumeFrames;
  const nf = formulaUnits(meta.species, meta.counts, meta.charges, options.formulaUnits);
  const warnings = [...meta.warnings];
  if (nf.warning) warnings.push(nf.warning);
  const sys: SystemDescription = {
    species: meta.species,
    counts: meta.counts,
    charges: meta.charges,
    frameInterval: meta.frameInterval,
    temperature: options.temperature,
    units: u,
    volume,
    formulaUnits: nf.value,
    formulaConvention: nf.convention,
  };
  const a: Analysis = analyse(sums, sys, options);
  warnings.push(...a.warnings);
  const si = siFactors(u);
  const L = u.length, T = u.time;
  const lj = u.style === 'lj';
  const q = (value: number, error: number, units: string, siFactor?: number, siUnits?: string): Quantity => {
    const out: Quantity = { value: fin(value), error: fin(error), units };
    if (siFactor !== undefined && siUnits) out.si = { value: fin(value * siFactor), error: fin(error * siFactor), units: siUnits };
    return out;
  };
  const diffusion: Record<string, Quantity> = {};
  meta.species.forEach((s, k) => (diffusion[s] = q(a.value.diffusion[k], a.error.diffusion[k], `${L}^2/${T}`, si?.diffusion, 'm^2/s')));
  const conductivity = lj
    ? q(a.value.sigma, a.error.sigma, 'lj reduced: q*^2/(epsilon sigma tau), k_B = 1')
    : q(a.value.sigma * si!.conductivity, a.error.sigma * si!.conductivity, 'S/m');
  const molar = (v: number, e: number): Quantity | null => {
    if (nf.value === null) return null;
    return lj ? q(v, e, 'lj reduced: sigma^2 q*^2/(epsilon tau) per formula unit (Λ = σ/(n_f/V))') : q(v * si!.molarSI * 1e4, e * si!.molarSI * 1e4, 'S cm^2/mol', 1e-4, 'S m^2/mol');
  };
  const onsagerUnits = lj ? 'lj reduced: 1/(epsilon sigma tau)' : `1/(k_B ${u.temperature} ${L} ${T}), i.e. slope/(6 V T) with T in ${u.temperature}`;
  const onsager: TransportReport['onsager'] = { species: meta.species, value: a.value.onsager, error: a.error.onsager, units: onsagerUnits };
  if (si) {
    const f = si.onsager; // 1/(k_B L t): from per-kelvin input values to 1/(J m s)
    onsager.si = { value: a.value.onsager.map((r) => r.map((v) => v * f)), error: a.error.onsager.map((r) => r.map((v) => v * f)), units: '1/(J m s)' };
  }
  const transference: Record<string, Quantity> = {};
  meta.species.forEach((s, k) => (transference[s] = q(a.value.transference[k], a.error.transference[k], '1')));
  const slopeAt = (k: number, i: number) => fin(a.localSlopes[k]?.[i] ?? NaN);
  const local: Record<string, { start: number | null; stop: number | null }> = {};
  meta.species.forEach((s, k) => (local[s] = { start: slopeAt(k, a.window.start), stop: slopeAt(k, a.window.stop) }));
  const cross: Record<string, number[]> = {};
  for (let x = 0; x < meta.species.length; x++)
    for (let y = x; y < meta.species.length; y++) cross[`${meta.species[x]}|${meta.species[y]}`] = a.curves.cross[pairIndex(x, y, meta.species.length)];
  const frame = meta.removeCom
    ? `centre of mass of the selected ions (${meta.masses ? 'mass-weighted' : 'number-weighted'}) removed frame by frame: transference numbers are relative to the ions' barycentre`
    : 'the simulation frame as stored (for implicit-solvent Langevin runs: the solvent-fixed frame); no drift removal';
  const record = <T>(f: (s: string, k: number) => T) => Object.fromEntries(meta.species.map((s, k) => [s, f(s, k)]));
  return {
    schema: 'ionfield.transport/1',
    file: meta.file,
    format: meta.format,
    frames: sums.frames,
    frame_selection: { start: meta.start, stride: meta.stride },
    units: { style: u.style, length: u.length, time: u.time, temperature: u.temperature, description: u.description },
    temperature: options.temperature,
    frame_interval: { value: meta.frameInterval, units: T, source: meta.frameIntervalSource },
    volume: { value: volume, units: `${L}^3`, source: meta.volumeOverride !== null ? '--volume' : `mean cell volume over ${sums.volumeFrames} frames` },
    species: meta.species.map((s, k) => ({ label: s, count: meta.counts[k], charge: meta.charges[k] })),
    formula_units: { value: nf.value, convention: nf.convention },
    reference_frame: frame,
    fit_window: {
      start: a.curves.time[a.window.start],
      stop: a.curves.time[a.window.stop],
      units: T,
      points: a.window.stop - a.window.start + 1,
      automatic: a.window.automatic,
      diffusive: a.window.diffusive,
      slope_tolerance: a.window.slopeTolerance,
      local_slope: local,
      note: a.window.note,
    },
    uncertainty: {
      method: `delete-one-block jackknife over ${a.blocks} contiguous blocks (each at least twice the fit stop); the same fit window in every block`,
      blocks: a.blocks,
      block_length: { value: a.blockFrames * meta.frameInterval, units: T },
    },
    diffusion,
    conductivity,
    molar_conductivity: molar(a.value.lambda, a.error.lambda),
    nernst_einstein: molar(a.value.lambdaNE, a.error.lambdaNE),
    ionicity: q(a.value.ionicity, a.error.ionicity, '1 (Λ/Λ_NE = σ/σ_NE)'),
    onsager,
    transference,
    sum_rule: {
      conductivity: a.value.sigma,
      from_onsager: a.value.sumRule,
      relative_difference: Math.abs(a.value.sigma - a.value.sumRule) / Math.max(Math.abs(a.value.sigma), 1e-300),
    },
    correlator: {
      scheme: 'multiple-tau with decimation (exact displacements; all origins for lags up to points_per_level frames)',
      points_per_level: meta.pointsPerLevel,
      decimation: meta.decimation,
      lags: a.curves.time.length,
      longest_lag: a.curves.time[a.curves.time.length - 1] ?? 0,
      remove_com: meta.removeCom,
    },
    curves: {
      time: a.curves.time,
      origins: a.curves.origins,
      msd: record((_, k) => a.curves.msd[k]),
      local_slope: record((_, k) => (a.localSlopes[k] ?? []).map(fin)),
      charge_msd: a.curves.charge,
      cross,
    },
    warnings,
  };
}

/** One call: read, accumulate, estimate. */
export async function computeTransport(file: string, options: TransportOptions): Promise<TransportReport> {
  const partial = await accumulateTransport(file, options);
  return transportReport(partial, options);
}
