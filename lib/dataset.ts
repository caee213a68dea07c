// The training-set builder (format: docs/dataset.md, schema ionfield.dataset/2). For every
// trajectory it streams the frames once, computes the descriptors of every centre ion at the origin
// frames t0 (every originStride frames) and, when frame t0 + τ arrives, the local molar
// conductivity targets λ_i(t0) = K N z_i Δr_i·J/τ (native/include/ionfield/dataset.hpp). Memory is
// bounded by the origins waiting for their partner frame (lib/dataset/pending.ts).
// Each system is written to <out>/<name>/ under temporary names, then system.json last; a rerun
// skips systems whose system.json matches the request (resumable per system). dataset.json is
// assembled from all system.json files at the end.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bindSet, BoundSet, DescriptorSetDef, loadSet } from './descriptor-sets';
import { columnsDocument, computeBatch, ComputeOptions, resolveDevice, RowMap, rowMap } from './descriptors';
import { OriginRing, PendingOrigin } from './dataset/pending';
import { FrameClock, frameClock } from './dataset/clock';
import { OriginSums, originSums, SystemSums } from './dataset/sums';
import { readTopology, topologyPathFor } from './dataset/topology';
import { native } from './native';
import { NpyWriter } from './npy';
import { makeDirectory, writeJsonAtomic } from './atomic-file';
import { FrameBatch, LabelBy, openTrajectory, TrajectoryOptions } from './trajectory';
import { computeTransport } from './transport';
import { formulaUnits } from './transport/formula';
import { siFactors } from './transport/estimate';
import { molarConductivityUnits, UnitStyle, unitSystem } from './transport/units';
import { labelRecord } from './label-record';
import { LongCallOptions, stageReporter } from './progress';
import { upgradeLegacyDocument } from './legacy-document';

export interface DatasetOptions extends ComputeOptions, Pick<TrajectoryOptions, 'format' | 'typeMap' | 'charges' | 'types' | 'start' | 'stop' | 'labelBy' | 'molecules'>, LongCallOptions {
  /** Shipped set name or file, or a parsed set. */
  set: string | DescriptorSetDef;
  /** Lag of the targets in the trajectory's time units (τ in lj, fs in real, ps in metal and gromacs). */
  tau: number;
  /**
   * Unit style of the trajectory, as `ionfield transport --units` (default 'lj'): λ_i in lj reduced
   * units, else in S cm²/mol. Recorded in dataset.json; models trained on it carry it, and predict
   * must be told the same --units.
   */
  units?: string;
  /**
   * Shorter lag τa of the two-lag target (issue 13): λ_i = K N z_i [Δr_i·J(τ) − Δr_i·J(τa)]/(τ − τa),
   * a two-point EH slope without the finite-lag intercept; exact sum rule per origin. Default: none
   * (the single-lag target K N z_i Δr_i·J/τ).
   */
  tauShort?: number;
  /** Every n-th frame is an origin (default 1: all). */
  originStride?: number;
  /** Temperature (ε/k_B in lj, K otherwise). Default: the manifest's, else required. */
  temperature?: number;
  /** MD timestep, for files that store steps but no time. Default: the manifest's. */
  timestep?: number;
  /** Family manifest (data/family/manifest.json): parameters, temperature, timestep, Λ_EH per system. */
  manifest?: string | FamilyManifest;
  /** System names, one per trajectory (default: from the file name, see systemName). */
  names?: string[];
  /** Run ionfield transport on each trajectory for Λ_EH when the manifest has none (default true). */
  transport?: boolean;
  /** Species order for generic sets (default: the trajectory's labels, naturally sorted). */
  species?: string[];
  scale?: number;
  /** n_f for mixtures (default: from the salt's stoichiometry, as ionfield transport). */
  formulaUnits?: number;
  batchSize?: number;
  /** Progress: stage 'dataset' counts systems; stage 'dataset: <system>' counts that system's frames. */
  onSystem?: (entry: SystemEntry, skipped: boolean) => void;
}

export interface FamilyManifestSystem {
  name: string;
  parameters: Record<string, unknown> & { temperature?: number; timestep?: number };
  transport?: { lambdaEh?: { value: number | null; error: number | null } } & Record<string, unknown>;
}
export interface FamilyManifest {
  schema: string;
  systems: FamilyManifestSystem[];
}

export interface SystemEntry {
  name: string;
  /** SHA-256 of each array's data bytes (file name → hex), checked when the set is loaded. */
  checksums?: Record<string, string>;
  source: string;
  frames: number;
  originFrames: { first: number; last: number; stride: number };
  ions: Record<string, number>;
  charges: Record<string, number>;
  temperature: number;
  volumeMean: number;
  formulaUnits: number;
  /** Atoms in each frame (N of λ's K N, neutral atoms included). */
  atoms?: number;
  K: number;
  lambdaMean: number;
  lambdaMeanBySpecies: Record<string, number>;
  ehAtTau: number;
  sumRuleRelativeError: number;
  lambdaEh: { value: number | null; error: number | null; source: string } | null;
  parameters: Record<string, unknown> | null;
  request: DatasetRequest;
  seconds: number;
}

/** What a system's files were built with; a rerun reuses a system only when this matches. */
export interface DatasetRequest {
  set: string;
  tau: number;
  tauFrames: number;
  /** Shorter lag of a two-lag target (absent: single lag). */
  tauShort?: number | null;
  tauShortFrames?: number;
  originStride: number;
  /** Species labels: 'type' (the file's) or 'charge' ("+1", "-1", "+2"); absent in older folders = 'type'. */
  labelBy?: LabelBy;
  /** The species the set was bound to when given (or gathered for labels by charge): they fix the columns. */
  species?: string[] | null;
  start: number;
  stop: number | null;
  sourceBytes: number;
  /** Unit style (absent in older folders = 'lj'). */
  units?: UnitStyle;
}

export interface DatasetSummary {
  schema: 'ionfield.dataset-build/2';
  output: string;
  dataset: string;
  systems: { name: string; frames: number; lambdaMean: number; ehAtTau: number; sumRuleRelativeError: number; skipped: boolean }[];
  maxSumRuleRelativeError: number;
  seconds: number;
}

function badInput(message: string): Error {
  return Object.assign(new Error(message), { code: 'IONFIELD_BAD_INPUT' });
}

/** A system's name: the folder for LAMMPS runs named traj.lammpstrj, else the file name without extensions. */
export function systemName(trajectory: string): string {
  const base = path.basename(trajectory).replace(/\.gz$/i, '');
  if (/^traj\.[a-z]+$/i.test(base)) return path.basename(path.dirname(path.resolve(trajectory)));
  return base.replace(/\.(lammpstrj|lammps|dump|xtc|dcd|xyz|extxyz)$/i, '');
}

/**
 * λ prefactor: Λ = σ/(n_f/V) with σ = ⟨|J|²⟩/(6 V k_B T τ), so K = 1/(6 T n_f) in lj units (k_B = 1,
 * charges in e); in the other styles the same factor times e² N_A L²/(k_B t) (lengths L and times t
 * of the style, T in K) and 10⁴ for S cm²/mol, the units of transport's molar conductivity.
 */
export function lambdaPrefactor(temperature: number, formulaUnitCount: number, units: string = 'lj'): number {
  const si = siFactors(unitSystem(units));
  return (si ? si.molarSI * 1e4 : 1) / (6 * temperature * formulaUnitCount);
}

/** Units of λ_i in a dataset of this unit style: transport's Λ string (one string per quantity). */
export function lambdaUnits(units: string): string {
  return molarConductivityUnits(unitSystem(units).style);
}

export function naturalSort(labels: string[]): string[] {
  return [...labels].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

export function loadManifest(m: DatasetOptions['manifest']): FamilyManifest | null {
  if (!m) return null;
  if (typeof m !== 'string') return m;
  try {
    return upgradeLegacyDocument(JSON.parse(fs.readFileSync(m, 'utf8')) as FamilyManifest, true);
  } catch (err) {
    throw badInput(`--manifest ${m}: ${(err as Error).message}`);
  }
}

function boxVolume(h: Float64Array): number {
  return Math.abs(h[0] * (h[4] * h[8] - h[5] * h[7]) - h[1] * (h[3] * h[8] - h[5] * h[6]) + h[2] * (h[3] * h[7] - h[4] * h[6]));
}

export interface SystemContext {
  name: string;
  trajectory: string;
  dir: string;
  def: DescriptorSetDef;
  setSource: string;
  manifestEntry: FamilyManifestSystem | null;
  request: DatasetRequest;
}

/**
 * The bound set in the JSON form the descriptor code parses (schema ionfield.descriptor-set/2), one
 * function per column, species explicit and lengths already scaled: parseSetJson + bindSet(def,
 * species, 1) gives back exactly these columns in this order, whatever form the set came in (n2p2).
 */
export function expandedSetJson(bound: BoundSet, def: DescriptorSetDef, scale: number): Record<string, unknown> {
  return {
    schema: 'ionfield.descriptor-set/2',
    name: bound.name,
    description: def.description,
    lengthUnit: scale === 1 ? def.lengthUnit : `${def.lengthUnit} × ${scale}`,
    source: def.source,
    species: bound.species,
    functions: bound.functions.map((f) => ({
      type: f.type,
      centre: f.centre,
      neighbours: [f.neighbours],
      eta: f.eta,
      rs: f.rs,
      ...(f.type === 'G2' ? {} : { zeta: f.zeta, lambda: f.lambda }),
      cutoff: f.cutoff,
      cutoffFunction: f.cutoffFunction,
    })),
  };
}

/** The set's column description per centre species, as dataset.json's featureColumns. */
export function featureColumns(bound: BoundSet, map: RowMap): Record<string, unknown[]> {
  const doc = columnsDocument(bound, map, { array: '', frames: 0, steps: [], source: '', scale: 1 }) as { columns: Record<string, unknown[]> };
  return doc.columns;
}

/** Species labels and charges of a trajectory: the options', else a <name>.topology.json beside it. */
export function labellingOf(trajectory: string, options: DatasetOptions): { types?: string[]; charges?: Record<string, number>; continuous: boolean; topo: string } {
  const topo = topologyPathFor(trajectory);
  if (!options.types && fs.existsSync(topo)) {
    const t = readTopology(topo);
    return { types: t.types, charges: options.charges ?? t.charges, continuous: t.coordinates === 'continuous', topo };
  }
  return { types: options.types, charges: options.charges, continuous: false, topo };
}

/**
 * Charge labels of every trajectory, from its first frame: with labels by charge, systems of
 * different valence have different species (+1/-1 and +2/-1), and the dataset needs their union
 * so that every system's features have the same columns (a species a system lacks has 0 ions).
 */
export async function chargeLabelsOf(trajectories: string[], options: DatasetOptions): Promise<string[]> {
  const all = new Set<string>();
  for (const trajectory of trajectories) {
    const { types, charges } = labellingOf(trajectory, options);
    const traj = openTrajectory(trajectory, { format: options.format, typeMap: options.typeMap, charges, types, labelBy: 'charge', stop: 1, unwrap: false, batchSize: 1, signal: options.signal, molecules: options.molecules });
    for await (const b of traj.batches()) for (const t of b.types ?? []) all.add(t);
  }
  return naturalSort([...all]);
}

/** Builds one system's files; returns its entry and the bound set (for dataset.json). */
async function buildSystem(ctx: SystemContext, options: DatasetOptions): Promise<{ entry: SystemEntry; bound: BoundSet; map: RowMap }> {
  const started = Date.now();
  const undoDirectory = makeDirectory(ctx.dir);
  const pass = await passSystem(ctx, options, ctx.dir, undoDirectory);
  try {
    const entry = await finishSystem(ctx, { ...pass, rows: rowsBySpecies(pass) }, options, (Date.now() - started) / 1000);
    return { entry, bound: pass.bound, map: pass.map };
  } catch (err) {
    for (const w of Object.values(pass.writers)) {
      w.features.abort();
      w.lambda.abort();
    }
    undoDirectory();
    throw err;
  }
}

/**
 * A `dataset --shard` run's part of one system (lib/dataset/shard.ts): it reads frames
 * [readFrom, readTo) of the selection (readTo null: to its end), takes the origins in
 * [ownFrom, ownTo) and the cell volumes of frames [ownFrom, volumeTo), with the single run's clock.
 */
export interface SystemWindow {
  readFrom: number;
  readTo: number | null;
  ownFrom: number;
  ownTo: number;
  volumeTo: number;
  clock: FrameClock;
}

/** The labels' facts a system's summary needs (first frame). */
export interface SystemMeta {
  labels: string[];
  counts: number[];
  chargeOf: number[];
  nf: number;
}

/** What one pass over a system's frames produced: its arrays (unfinished writers) and its sums. */
export interface SystemPass {
  writers: Record<string, { features: NpyWriter; lambda: NpyWriter; rowsOf: number[] }>;
  origins: { frame: number; step: number; time: number }[];
  sums: SystemSums;
  /** Per origin and per owned frame, for a shard's partial (the merge replays them in order). */
  originSums: OriginSums[];
  volumes: number[];
  natoms: number;
  K: number;
  meta: SystemMeta;
  bound: BoundSet;
  map: RowMap;
  clock: FrameClock;
  continuous: boolean;
  types?: string[];
  charges?: Record<string, number>;
  temperature: number;
  timestep?: number;
  framesRead: number;
}

/** Labels, temperature and timestep of a system: the options', else its manifest entry's. */
export function systemConditions(ctx: SystemContext, options: DatasetOptions) {
  const params = ctx.manifestEntry?.parameters ?? null;
  const temperature = options.temperature ?? (params?.temperature as number | undefined);
  if (!(temperature !== undefined && temperature > 0)) throw Object.assign(new Error('--temperature is required (or a --manifest that gives it)'), { code: 'IONFIELD_USAGE' });
  const timestep = options.timestep ?? (params?.timestep as number | undefined);
  return { ...labellingOf(ctx.trajectory, options), params, temperature, timestep };
}

/**
 * Streams a system's frames once: descriptors at the origins, their targets when the partner frame
 * arrives, arrays written into `arrays` (a folder). On error the writers are aborted and `undo` run.
 */
export async function passSystem(ctx: SystemContext, options: DatasetOptions, arrays: string, undo: () => void, window?: SystemWindow): Promise<SystemPass> {
  const stride = options.originStride ?? 1;
  const { types, charges, continuous, topo, temperature, timestep } = systemConditions(ctx, options);
  const selStart = options.start ?? 0;
  // Continuous (already unwrapped) files are read as stored; others are unwrapped by the reader.
  // With molecules, the "ions" are centres of mass of molecules (lib/topology/centres-batch.ts).
  const traj = openTrajectory(ctx.trajectory, {
    format: options.format, typeMap: options.typeMap, charges, types, labelBy: options.labelBy,
    start: window ? selStart + window.readFrom : options.start,
    stop: window && window.readTo !== null ? selStart + window.readTo : options.stop,
    unwrap: !continuous, batchSize: options.batchSize ?? 16, signal: options.signal, molecules: options.molecules,
  });
  const reportFrames = stageReporter(options.onProgress, `dataset: ${ctx.name}`, 'frames');

  let bound: BoundSet | null = null, map: RowMap | null = null;
  let q: Float64Array | null = null;
  let tauFrames = 0, tauShortFrames = 0, dt = NaN, t0 = NaN, s0 = NaN, dTime = NaN, dStep = NaN, tPrev = NaN, sPrev = NaN;
  let ring = null as OriginRing | null; // (set in useClock: a closure TS does not follow)
  let clock = null as FrameClock | null;
  const useClock = (c: FrameClock) => {
    clock = c;
    ({ t0, s0, dTime, dStep, dt, tauFrames, tauShortFrames } = c);
    ring = new OriginRing(Math.ceil(tauFrames / stride) + 2);
  };
  // A shard knows the single run's clock before it reads (its first frame need not be frame 0).
  if (window) useClock(window.clock);
  let K = NaN, natoms = 0;
  const writers: Record<string, { features: NpyWriter; lambda: NpyWriter; rowsOf: number[] }> = labelRecord();
  const origins: { frame: number; step: number; time: number }[] = [];
  const sums = new SystemSums();
  const perOrigin: OriginSums[] = [], volumes: number[] = [];
  let atomSpecies: string[] = [];
  let frame = window ? window.readFrom : 0;
  const early: PendingOrigin[] = [];
  const first = selStart;
  const ownsOrigin = (f: number) => f % stride === 0 && (!window || (f >= window.ownFrom && f < window.ownTo));
  const ownsVolume = (f: number) => !window || (f >= window.ownFrom && f < window.volumeTo);
  let meta: SystemMeta | null = null;

  const emit = (o: PendingOrigin, positions: Float64Array) => {
    const r = tauShortFrames > 0
      ? native().localConductivityDifference(o.positions, o.shortLag!, positions, q!, K, tauShortFrames * dt, tauFrames * dt)
      : native().localConductivity(o.positions, positions, q!, K, tauFrames * dt);
    const o1 = originSums(r.j2, r.lambdaSum, r.lambda, atomSpecies);
    sums.addOrigin(o1);
    if (window) perOrigin.push(o1);
    const F = bound!.maxFeatures;
    for (const [s, w] of Object.entries(writers)) {
      const n = w.rowsOf.length, Fs = bound!.columns[s].length;
      const feats = new Float32Array(n * Fs), lam = new Float64Array(n);
      w.rowsOf.forEach((row, k) => {
        feats.set(o.features.subarray(row * F, row * F + Fs), k * Fs);
        lam[k] = r.lambda[map!.rows[row]];
      });
      w.features.append(feats, 1);
      w.lambda.append(lam, 1);
    }
    origins.push({ frame: first + o.frame, step: o.step, time: o.time });
  };

  try {
    for await (const b of traj.batches()) {
      if (!bound) {
        if (!b.types) throw badInput(`${ctx.trajectory}: the file has no species labels; give types (a ${path.basename(topo)} beside it, or --topology)`);
        if (!b.charges) throw badInput(`${ctx.trajectory}: the file has no charges; give --charges (e.g. 1:1,2:-1) or a ${path.basename(topo)}`);
        natoms = b.natoms;
        atomSpecies = b.types;
        q = Float64Array.from(b.charges);
        const labels = naturalSort([...new Set(b.types)]);
        bound = bindSet(ctx.def, options.species ?? labels, options.scale ?? 1);
        map = rowMap(bound, b.types);
        if (map.rows.length === 0) throw badInput(`${ctx.trajectory}: no atom is a centre of the set (species ${labels.join(', ')}); use --type-map`);
        const counts = labels.map((s) => b.types!.filter((t) => t === s).length);
        const chargeOf = labels.map((s) => b.charges![b.types!.indexOf(s)]);
        b.types.forEach((t, i) => {
          if (b.charges![i] !== chargeOf[labels.indexOf(t)]) throw badInput(`${ctx.trajectory}: atoms of species '${t}' carry different charges (atom ${i}: ${b.charges![i]})`);
        });
        const nf = formulaUnits(labels, counts, chargeOf, options.formulaUnits);
        if (nf.value === null) throw Object.assign(new Error(`${ctx.trajectory}: ${nf.convention}`), { code: 'IONFIELD_USAGE' });
        K = lambdaPrefactor(temperature, nf.value, options.units);
        for (const s of bound.species) {
          const rowsOf = map.rowSpecies.map((sp, r) => (sp === s ? r : -1)).filter((r) => r >= 0);
          // A species of the set absent here (a 1:1 system in a dataset with +2 ions) gets 0-ion files.
          if (rowsOf.length === 0 && !options.species) continue;
          writers[s] = {
            rowsOf,
            features: new NpyWriter(path.join(arrays, `features-${s}.npy`), 'float32', [rowsOf.length, bound.columns[s].length]),
            lambda: new NpyWriter(path.join(arrays, `lambda-${s}.npy`), 'float64', [rowsOf.length]),
          };
        }
        meta = { labels, counts, chargeOf, nf: nf.value };
      }
      // Time per frame from the first two frames: stored times, else steps × timestep.
      const originsHere: number[] = [];
      for (let k = 0; k < b.frames; k++, frame++) {
        const t = b.times[k], s = b.steps[k];
        if (frame === 0) {
          t0 = t;
          s0 = s;
        } else if (frame === 1 && !window) {
          useClock(frameClock(ctx.trajectory, { t: t0, s: s0 }, { t, s }, timestep, options.tau, options.tauShort));
        } else if (!Number.isNaN(tPrev)) {
          // τ is counted in frames: a missing or repeated frame would silently change the lag.
          const badTime = dTime > 0 && Math.abs(t - tPrev - dTime) > 0.01 * dTime + 1e-6 * Math.abs(t);
          const badStep = !(dTime > 0) && dStep > 0 && Math.abs(s - sPrev - dStep) > 0.5;
          if (badTime || badStep)
            throw badInput(`${ctx.trajectory}: frame ${first + frame} is at ${badTime ? `time ${t}` : `step ${s}`}, expected ${badTime ? tPrev + dTime : sPrev + dStep}: frames must be evenly spaced (a missing or repeated frame?)`);
        }
        tPrev = t;
        sPrev = s;
        if (b.boxes && ownsVolume(frame)) {
          const v = boxVolume(b.boxes.subarray(9 * k, 9 * k + 9));
          sums.addVolume(v);
          if (window) volumes.push(v);
        }
        if (ownsOrigin(frame)) originsHere.push(k);
      }
      // Descriptors of this batch's origin frames in one native call.
      let feats: Float32Array | null = null;
      if (originsHere.length) {
        const n3 = b.natoms * 3;
        const sub: FrameBatch = {
          ...b,
          frames: originsHere.length,
          positions: new Float64Array(originsHere.length * n3),
          boxes: b.boxes ? new Float64Array(originsHere.length * 9) : null,
          origins: new Float64Array(originsHere.length * 3),
        };
        originsHere.forEach((k, j) => {
          sub.positions.set(b.positions.subarray(k * n3, (k + 1) * n3), j * n3);
          if (b.boxes) sub.boxes!.set(b.boxes.subarray(9 * k, 9 * k + 9), 9 * j);
          sub.origins.set(b.origins.subarray(3 * k, 3 * k + 3), 3 * j);
        });
        try {
          feats = (await computeBatch(bound, sub, map!, { ...options, precision: 'float32' })) as Float32Array;
        } catch (err) {
          throw badInput(`${ctx.trajectory}: descriptors of origin frames ${originsHere.map((k) => first + frame - b.frames + k).join(', ')}: ${(err as Error).message}`);
        }
      }
      const perFrame = map!.rows.length * bound.maxFeatures;
      const firstFrame = frame - b.frames;
      for (let k = 0; k < b.frames; k++) {
        const f = firstFrame + k;
        const positions = b.positions.subarray(k * natoms * 3, (k + 1) * natoms * 3);
        if (ring) {
          while (early.length) ring.push(early.shift()!);
          if (tauShortFrames > 0) {
            const waiting = ring.find(f - tauShortFrames);
            if (waiting) waiting.shortLag = Float64Array.from(positions);
          }
          const due = ring.takeIfDue(f, tauFrames);
          if (due) emit(due, positions);
        }
        const j = originsHere.indexOf(k);
        if (j >= 0) {
          const time = b.times[k] >= 0 ? b.times[k] : timestep !== undefined ? (b.steps[k] - s0) * timestep : -1;
          const o: PendingOrigin = { frame: f, step: b.steps[k], time, positions: Float64Array.from(positions), features: feats!.slice(j * perFrame, (j + 1) * perFrame) };
          // Frame 0 can come before the interval (and so the ring's size) is known.
          if (ring) ring.push(o);
          else early.push(o);
        }
      }
      reportFrames(frame);
    }
    if (!bound || (origins.length === 0 && !window))
      throw badInput(`${ctx.trajectory}: ${frame} frame(s) read, no origin with a frame τ = ${options.tau} later (${tauFrames} frames): the trajectory is shorter than τ`);
    return { writers, origins, sums, originSums: perOrigin, volumes, natoms, K, meta: meta!, bound, map: map!, clock: clock!, continuous, types, charges, temperature, timestep, framesRead: frame - (window?.readFrom ?? 0) };
  } catch (err) {
    for (const w of Object.values(writers)) {
      w.features.abort();
      w.lambda.abort();
    }
    undo();
    throw err;
  }
}

/** Λ_EH of a system: the manifest's, else a transport run on the whole trajectory (unless turned off). */
async function lambdaEhOf(ctx: SystemContext, pass: Pick<SystemPass, 'continuous' | 'types' | 'charges' | 'temperature' | 'timestep'>, options: DatasetOptions): Promise<SystemEntry['lambdaEh']> {
  const fromManifest = ctx.manifestEntry?.transport?.lambdaEh;
  if (fromManifest && fromManifest.value !== null) return { value: fromManifest.value, error: fromManifest.error, source: 'manifest' };
  // transport unwraps by minimum image, which would fold the rare long moves of packed files
  if (pass.continuous) return { value: null, error: null, source: 'not computed: coordinates stored continuous (give --manifest for Λ_EH)' };
  if (options.transport === false) return null;
  try {
    const rep = await computeTransport(ctx.trajectory, { format: options.format, typeMap: options.typeMap, charges: pass.charges, types: pass.types, temperature: pass.temperature, units: options.units ?? 'lj', timestep: pass.timestep, start: options.start, stop: options.stop, formulaUnits: options.formulaUnits, signal: options.signal, molecules: options.molecules });
    return { value: rep.molarConductivity?.value ?? null, error: rep.molarConductivity?.error ?? null, source: 'ionfield transport (default fit window)' };
  } catch (err) {
    options.signal?.throwIfAborted(); // an abort is not a failed transport fit: the system stops
    return { value: null, error: null, source: `ionfield transport failed: ${(err as Error).message}` };
  }
}

/**
 * A system's summary, frames.json and system.json from a pass (or from merged shards' parts,
 * lib/dataset/shard.ts, which hands in writers holding the concatenated arrays): arrays moved into
 * place, then system.json last.
 */
export async function finishSystem(ctx: SystemContext, pass: Omit<SystemPass, 'originSums' | 'volumes' | 'framesRead' | 'bound' | 'map'> & { rows: Record<string, number[]> }, options: DatasetOptions, seconds: number): Promise<SystemEntry> {
  const { writers, origins, sums, natoms, K, meta } = pass;
  const { dt, tauFrames, tauShortFrames } = pass.clock;
  const stride = options.originStride ?? 1;
  const nOrig = origins.length;
  const lambdaMean = sums.lambda / (nOrig * natoms);
  const ehAtTau = (K * sums.j2) / nOrig / ((tauFrames - tauShortFrames) * dt);
  const lambdaEh = await lambdaEhOf(ctx, pass, options);
  const entry: SystemEntry = {
    name: ctx.name,
    source: ctx.trajectory,
    frames: nOrig,
    originFrames: { first: origins[0].frame, last: origins[nOrig - 1].frame, stride },
    ions: Object.fromEntries(Object.entries(writers).map(([s, w]) => [s, w.rowsOf.length])),
    charges: Object.fromEntries(meta.labels.map((s, k) => [s, meta.chargeOf[k]])),
    temperature: pass.temperature,
    volumeMean: sums.volumeFrames ? sums.volume / sums.volumeFrames : NaN,
    formulaUnits: meta.nf,
    atoms: natoms,
    K,
    lambdaMean: lambdaMean,
    lambdaMeanBySpecies: Object.fromEntries(meta.labels.map((s, k) => [s, sums.bySpecies[s] / (nOrig * meta.counts[k])])),
    ehAtTau: ehAtTau,
    sumRuleRelativeError: Math.abs(lambdaMean - ehAtTau) / Math.abs(ehAtTau),
    lambdaEh: lambdaEh,
    parameters: ctx.manifestEntry?.parameters ?? null,
    request: ctx.request,
    seconds,
  };
  entry.request.tauFrames = tauFrames;
  entry.request.tauShortFrames = tauShortFrames;
  writeJsonAtomic(path.join(ctx.dir, 'frames.json'), {
    schema: 'ionfield.dataset-frames/2',
    source: ctx.trajectory,
    frameInterval: dt,
    tau: options.tau,
    tauFrames: tauFrames,
    tauShort: tauShortFrames > 0 ? options.tauShort : null,
    originStride: stride,
    frames: origins.map((o) => o.frame),
    steps: origins.map((o) => o.step),
    times: origins.map((o) => o.time),
    rows: pass.rows,
  });
  // system.json marks the system complete and records each array's checksum: it goes first out
  // of the way and comes back last, so a crash in between leaves a system that is rebuilt, never
  // one whose arrays and description disagree (loadDatasets checks the checksums).
  const checksums: Record<string, string> = {};
  for (const [s, w] of Object.entries(writers)) {
    checksums[`features-${s}.npy`] = w.features.finish();
    checksums[`lambda-${s}.npy`] = w.lambda.finish();
  }
  entry.checksums = checksums;
  fs.rmSync(path.join(ctx.dir, 'system.json'), { force: true });
  for (const w of Object.values(writers)) {
    w.features.close();
    w.lambda.close();
  }
  writeJsonAtomic(path.join(ctx.dir, 'system.json'), entry);
  return entry;
}

/** Atom indices of each species' rows (frames.json's rows). */
export function rowsBySpecies(pass: Pick<SystemPass, 'writers' | 'map'>): Record<string, number[]> {
  return Object.fromEntries(Object.entries(pass.writers).map(([s, w]) => [s, w.rowsOf.map((r) => pass.map.rows[r])]));
}
function sameRequest(a: DatasetRequest, b: DatasetRequest): boolean {
  return a.set === b.set && a.tau === b.tau && (a.tauShort ?? null) === (b.tauShort ?? null) && a.originStride === b.originStride && (a.labelBy ?? 'type') === (b.labelBy ?? 'type') && JSON.stringify(a.species ?? null) === JSON.stringify(b.species ?? null) && a.start === b.start && a.stop === b.stop && a.sourceBytes === b.sourceBytes && (a.units ?? 'lj') === (b.units ?? 'lj');
}

/**
 * A kept system with the manifest's current Λ_EH: the reference is not part of the request (a longer
 * run sharpens it without changing a descriptor), so a rebuild refreshes it instead of keeping a
 * stale one. system.json is rewritten only when the value changed.
 */
function refreshReference(entry: SystemEntry, manifestEntry: FamilyManifestSystem | null, file: string): SystemEntry {
  const current = manifestEntry?.transport?.lambdaEh;
  if (!current || current.value === null) return entry;
  if (entry.lambdaEh?.value === current.value && entry.lambdaEh?.error === current.error) return entry;
  const refreshed: SystemEntry = { ...entry, lambdaEh: { value: current.value, error: current.error, source: 'manifest' } };
  writeJsonAtomic(file, refreshed);
  return refreshed;
}

/**
 * Builds (or completes) a dataset folder from trajectories. Systems already built with the same
 * request are kept (resumable); dataset.json is rewritten at the end from every system.json.
 */
export async function buildDataset(trajectories: string[], out: string, options: DatasetOptions): Promise<DatasetSummary> {
  const started = Date.now();
  if (!(options.tau > 0)) throw Object.assign(new Error(`--tau must be positive, got ${options.tau}`), { code: 'IONFIELD_USAGE' });
  if (trajectories.length === 0) throw Object.assign(new Error('no trajectories given'), { code: 'IONFIELD_USAGE' });
  const def = typeof options.set === 'string' ? loadSet(options.set) : options.set;
  const setKey = JSON.stringify(def);
  const manifest = loadManifest(options.manifest);
  const names = options.names ?? trajectories.map(systemName);
  if (names.length !== trajectories.length) throw Object.assign(new Error(`${names.length} names for ${trajectories.length} trajectories`), { code: 'IONFIELD_USAGE' });
  const dup = names.find((n, k) => names.indexOf(n) !== k);
  if (dup) throw Object.assign(new Error(`two trajectories have the system name '${dup}'; pass names`), { code: 'IONFIELD_USAGE' });
  for (const t of trajectories) if (!fs.existsSync(t)) throw badInput(`${t}: no such file`);
  resolveDevice(options.device ?? 'auto');
  if (options.labelBy === 'charge' && !options.species) options = { ...options, species: await chargeLabelsOf(trajectories, options) };
  const undoOut = makeDirectory(out);
  try {
    return await buildSystems(trajectories, out, names, def, setKey, manifest, options, started);
  } catch (err) {
    undoOut();
    throw err;
  }
}

async function buildSystems(trajectories: string[], out: string, names: string[], def: DescriptorSetDef, setKey: string, manifest: FamilyManifest | null, options: DatasetOptions, started: number): Promise<DatasetSummary> {
  const entries: SystemEntry[] = [];
  const report: DatasetSummary['systems'] = [];
  let columns: Record<string, unknown[]> | null = null;
  let setJson: Record<string, unknown> | null = null;
  let species: string[] = [];
  const reportSystems = stageReporter(options.onProgress, 'dataset', 'systems', trajectories.length);
  reportSystems(0);
  for (let k = 0; k < trajectories.length; k++) {
    const trajectory = trajectories[k], name = names[k];
    const dir = path.join(out, name);
    const request = systemRequest(trajectory, setKey, options);
    const manifestEntry = manifest?.systems.find((s) => s.name === name) ?? null;
    const done = path.join(dir, 'system.json');
    let entry: SystemEntry | null = null;
    if (fs.existsSync(done)) {
      const previous = upgradeLegacyDocument(JSON.parse(fs.readFileSync(done, 'utf8')) as SystemEntry, true);
      if (sameRequest(previous.request, request)) entry = refreshReference(previous, manifestEntry, done);
    }
    const skipped = entry !== null;
    if (!entry) {
      const built = await buildSystem({ name, trajectory, dir, def, setSource: def.source, manifestEntry, request }, options);
      entry = built.entry;
      columns = featureColumns(built.bound, built.map);
      setJson = expandedSetJson(built.bound, def, options.scale ?? 1);
      species = Object.keys(entry.ions);
    }
    entries.push(entry);
    report.push({ name, frames: entry.frames, lambdaMean: entry.lambdaMean, ehAtTau: entry.ehAtTau, sumRuleRelativeError: entry.sumRuleRelativeError, skipped });
    options.onSystem?.(entry, skipped);
    reportSystems(k + 1);
  }
  const datasetFile = writeDatasetJson(out, entries, def, options, columns ? { columns, setJson: setJson!, species } : null);
  return {
    schema: 'ionfield.dataset-build/2',
    output: out,
    dataset: datasetFile,
    systems: report,
    maxSumRuleRelativeError: Math.max(...report.map((r) => r.sumRuleRelativeError)),
    seconds: (Date.now() - started) / 1000,
  };
}

/**
 * dataset.json from the systems' entries (their order); `built`: the columns of the last system built
 * in this run (null when every system was reused: bound again from the first system's species).
 */
export function writeDatasetJson(out: string, entries: SystemEntry[], def: DescriptorSetDef, options: DatasetOptions, built: { columns: Record<string, unknown[]>; setJson: Record<string, unknown>; species: string[] } | null): string {
  // Systems must agree on what the trainer sees: the set, τ in frames and the centre species.
  const tauFrames = entries[0].request.tauFrames;
  for (const e of entries) {
    if (e.request.tauFrames !== tauFrames) throw badInput(`${e.source}: τ is ${e.request.tauFrames} frames here but ${tauFrames} in ${entries[0].source}; frame intervals must agree`);
  }
  let { columns, setJson, species } = built ?? { columns: null, setJson: null, species: [] as string[] };
  if (!columns) {
    // Every system was reused: bind the set to the first system's species for the column names.
    const labels = Object.keys(entries[0].charges);
    const bound = bindSet(def, options.species ?? labels, options.scale ?? 1);
    columns = Object.fromEntries(Object.keys(entries[0].ions).map((s) => [s, featureColumns(bound, { rows: new Int32Array(0), speciesIndex: new Int32Array(0), rowSpecies: [] })[s]]));
    setJson = expandedSetJson(bound, def, options.scale ?? 1);
    species = Object.keys(entries[0].ions);
  }
  const datasetFile = path.join(out, 'dataset.json');
  const style = unitSystem(options.units ?? 'lj').style;
  const kText = style === 'lj'
    ? 'K = 1/(6 T n_f) (lj units, Λ = σ/(n_f/V))'
    : `K = e² N_A/(6 k_B T n_f) in S cm²/mol from ${unitSystem(style).length}²/${unitSystem(style).time} (${style} units, Λ = σ/(n_f/V))`;
  writeJsonAtomic(datasetFile, {
    schema: 'ionfield.dataset/2',
    descriptorSet: setJson,
    featureColumns: Object.fromEntries(species.map((s) => [s, columns![s]])),
    species,
    speciesLabels: options.labelBy ?? 'type',
    tau: options.tau,
    tauFrames: tauFrames,
    tauShort: options.tauShort ?? null,
    originStride: options.originStride ?? 1,
    units: style,
    lambdaUnits: lambdaUnits(style),
    lengthScale: options.scale ?? 1,
    lambdaDefinition: options.tauShort !== undefined
      ? `λ_i(t0) = K N z_i [Δr_i(t0,τ)·J(t0,τ) − Δr_i(t0,τa)·J(t0,τa)]/(τ − τa), τa = ${options.tauShort}, J = Σ_j z_j Δr_j, ${kText}; N = all atoms`
      : `λ_i(t0) = K N z_i Δr_i(t0,τ)·J(t0,τ)/τ, J = Σ_j z_j Δr_j, ${kText}; N = all atoms`,
    systems: entries.map(({ request: _request, ...rest }) => rest),
  });
  return datasetFile;
}

/** What a system is built with (system.json's request; a rerun reuses a system only when it matches). */
export function systemRequest(trajectory: string, setKey: string, options: DatasetOptions): DatasetRequest {
  return {
    set: setKey,
    tau: options.tau,
    tauFrames: 0,
    tauShort: options.tauShort ?? null,
    originStride: options.originStride ?? 1,
    labelBy: options.labelBy ?? 'type',
    species: options.species ?? null,
    start: options.start ?? 0,
    stop: options.stop ?? null,
    sourceBytes: fs.statSync(trajectory).size,
    units: unitSystem(options.units ?? 'lj').style,
  };
}
