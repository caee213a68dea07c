// The training-set builder (format: docs/dataset.md, schema ionfield.dataset/1). For every
// trajectory it streams the frames once, computes the descriptors of every centre ion at the origin
// frames t0 (every origin_stride frames) and, when frame t0 + τ arrives, the local molar
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
import { readTopology, topologyPathFor } from './dataset/topology';
import { native } from './native';
import { NpyWriter } from './npy';
import { makeDirectory, writeJsonAtomic } from './atomic-file';
import { FrameBatch, LabelBy, openTrajectory, TrajectoryOptions } from './trajectory';
import { computeTransport } from './transport';
import { formulaUnits } from './transport/formula';
import { siFactors } from './transport/estimate';
import { UnitStyle, unitSystem } from './transport/units';
import { labelRecord } from './label-record';
import { LongCallOptions, stageReporter } from './progress';

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
  transport?: { lambda_eh?: { value: number | null; error: number | null } } & Record<string, unknown>;
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
  origin_frames: { first: number; last: number; stride: number };
  ions: Record<string, number>;
  charges: Record<string, number>;
  temperature: number;
  volume_mean: number;
  formula_units: number;
  /** Atoms in each frame (N of λ's K N, neutral atoms included). */
  atoms?: number;
  K: number;
  lambda_mean: number;
  lambda_mean_by_species: Record<string, number>;
  eh_at_tau: number;
  sum_rule_relative_error: number;
  lambda_eh: { value: number | null; error: number | null; source: string } | null;
  parameters: Record<string, unknown> | null;
  request: DatasetRequest;
  seconds: number;
}

/** What a system's files were built with; a rerun reuses a system only when this matches. */
interface DatasetRequest {
  set: string;
  tau: number;
  tau_frames: number;
  /** Shorter lag of a two-lag target (absent: single lag). */
  tau_short?: number | null;
  tau_short_frames?: number;
  origin_stride: number;
  /** Species labels: 'type' (the file's) or 'charge' ("+1", "-1", "+2"); absent in older folders = 'type'. */
  label_by?: LabelBy;
  /** The species the set was bound to when given (or gathered for labels by charge): they fix the columns. */
  species?: string[] | null;
  start: number;
  stop: number | null;
  source_bytes: number;
  /** Unit style (absent in older folders = 'lj'). */
  units?: UnitStyle;
}

export interface DatasetSummary {
  schema: 'ionfield.dataset-build/1';
  output: string;
  dataset: string;
  systems: { name: string; frames: number; lambda_mean: number; eh_at_tau: number; sum_rule_relative_error: number; skipped: boolean }[];
  max_sum_rule_relative_error: number;
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

/** Units of λ_i in a dataset of this unit style. */
export function lambdaUnits(units: string): string {
  return unitSystem(units).style === 'lj' ? 'lj reduced: sigma^2 q*^2/(epsilon tau) per formula unit' : 'S cm^2/mol';
}

function naturalSort(labels: string[]): string[] {
  return [...labels].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

function loadManifest(m: DatasetOptions['manifest']): FamilyManifest | null {
  if (!m) return null;
  if (typeof m !== 'string') return m;
  try {
    return JSON.parse(fs.readFileSync(m, 'utf8')) as FamilyManifest;
  } catch (err) {
    throw badInput(`--manifest ${m}: ${(err as Error).message}`);
  }
}

function boxVolume(h: Float64Array): number {
  return Math.abs(h[0] * (h[4] * h[8] - h[5] * h[7]) - h[1] * (h[3] * h[8] - h[5] * h[6]) + h[2] * (h[3] * h[7] - h[4] * h[6]));
}

interface SystemContext {
  name: string;
  trajectory: string;
  dir: string;
  def: DescriptorSetDef;
  setSource: string;
  manifestEntry: FamilyManifestSystem | null;
  request: DatasetRequest;
}

/**
 * The bound set in the JSON form the descriptor code parses (schema ionfield.descriptor-set/1), one
 * function per column, species explicit and lengths already scaled: parseSetJson + bindSet(def,
 * species, 1) gives back exactly these columns in this order, whatever form the set came in (n2p2).
 */
export function expandedSetJson(bound: BoundSet, def: DescriptorSetDef, scale: number): Record<string, unknown> {
  return {
    schema: 'ionfield.descriptor-set/1',
    name: bound.name,
    description: def.description,
    length_unit: scale === 1 ? def.lengthUnit : `${def.lengthUnit} × ${scale}`,
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
      cutoff_function: f.cutoffFunction,
    })),
  };
}

/** The set's column description per centre species, as dataset.json's feature_columns. */
function featureColumns(bound: BoundSet, map: RowMap): Record<string, unknown[]> {
  const doc = columnsDocument(bound, map, { array: '', frames: 0, steps: [], source: '', scale: 1 }) as { columns: Record<string, unknown[]> };
  return doc.columns;
}

/** Species labels and charges of a trajectory: the options', else a <name>.topology.json beside it. */
function labellingOf(trajectory: string, options: DatasetOptions): { types?: string[]; charges?: Record<string, number>; continuous: boolean; topo: string } {
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
async function chargeLabelsOf(trajectories: string[], options: DatasetOptions): Promise<string[]> {
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
  const stride = options.originStride ?? 1;
  const { types, charges, continuous, topo } = labellingOf(ctx.trajectory, options);
  // Continuous (already unwrapped) files are read as stored; others are unwrapped by the reader.
  // With molecules, the "ions" are centres of mass of molecules (lib/topology/centres-batch.ts).
  const traj = openTrajectory(ctx.trajectory, { format: options.format, typeMap: options.typeMap, charges, types, labelBy: options.labelBy, start: options.start, stop: options.stop, unwrap: !continuous, batchSize: options.batchSize ?? 16, signal: options.signal, molecules: options.molecules });
  const params = ctx.manifestEntry?.parameters ?? null;
  const temperature = options.temperature ?? (params?.temperature as number | undefined);
  if (!(temperature !== undefined && temperature > 0)) throw Object.assign(new Error('--temperature is required (or a --manifest that gives it)'), { code: 'IONFIELD_USAGE' });
  const timestep = options.timestep ?? (params?.timestep as number | undefined);
  const undoDirectory = makeDirectory(ctx.dir);
  const reportFrames = stageReporter(options.onProgress, `dataset: ${ctx.name}`, 'frames');

  let bound: BoundSet | null = null, map: RowMap | null = null;
  let q: Float64Array | null = null;
  let tauFrames = 0, tauShortFrames = 0, dt = NaN, t0 = NaN, s0 = NaN, dTime = NaN, dStep = NaN, tPrev = NaN, sPrev = NaN;
  let ring: OriginRing | null = null;
  let K = NaN, natoms = 0;
  const writers: Record<string, { features: NpyWriter; lambda: NpyWriter; rowsOf: number[] }> = labelRecord();
  const origins: { frame: number; step: number; time: number }[] = [];
  let j2Sum = 0, lambdaTotal = 0, volumeSum = 0, volumeFrames = 0;
  const speciesLambda: Record<string, number> = labelRecord();
  let atomSpecies: string[] = [];
  let frame = 0;
  const early: PendingOrigin[] = [];
  const first = options.start ?? 0;

  const emit = (o: PendingOrigin, positions: Float64Array) => {
    const r = tauShortFrames > 0
      ? native().localConductivityDifference(o.positions, o.shortLag!, positions, q!, K, tauShortFrames * dt, tauFrames * dt)
      : native().localConductivity(o.positions, positions, q!, K, tauFrames * dt);
    j2Sum += r.j2;
    lambdaTotal += r.lambdaSum;
    for (let i = 0; i < natoms; i++) speciesLambda[atomSpecies[i]] = (speciesLambda[atomSpecies[i]] ?? 0) + r.lambda[i];
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
            features: new NpyWriter(path.join(ctx.dir, `features-${s}.npy`), 'float32', [rowsOf.length, bound.columns[s].length]),
            lambda: new NpyWriter(path.join(ctx.dir, `lambda-${s}.npy`), 'float64', [rowsOf.length]),
          };
        }
        (ctx as SystemContext & { meta?: unknown }).meta = { labels, counts, chargeOf, nf: nf.value };
      }
      // Time per frame from the first two frames: stored times, else steps × timestep.
      const originsHere: number[] = [];
      for (let k = 0; k < b.frames; k++, frame++) {
        const t = b.times[k], s = b.steps[k];
        if (frame === 0) {
          t0 = t;
          s0 = s;
        } else if (frame === 1) {
          dTime = t >= 0 && t0 >= 0 && t > t0 ? t - t0 : NaN;
          dStep = s > s0 ? s - s0 : NaN;
          if (dTime > 0) dt = dTime;
          else if (dStep > 0 && timestep !== undefined) dt = dStep * timestep;
          else throw Object.assign(new Error(`${ctx.trajectory} stores step numbers but no times: pass --timestep (or a --manifest)`), { code: 'IONFIELD_USAGE' });
          tauFrames = Math.round(options.tau / dt);
          if (tauFrames < 1 || Math.abs(tauFrames * dt - options.tau) > 1e-6 * options.tau + 1e-9)
            throw Object.assign(new Error(`--tau ${options.tau} is not a whole number of frames (${dt} per frame)`), { code: 'IONFIELD_USAGE' });
          if (options.tauShort !== undefined) {
            tauShortFrames = Math.round(options.tauShort / dt);
            if (tauShortFrames < 1 || tauShortFrames >= tauFrames || Math.abs(tauShortFrames * dt - options.tauShort) > 1e-6 * options.tauShort + 1e-9)
              throw Object.assign(new Error(`--tau-short ${options.tauShort} must be a whole number of frames (${dt} per frame) and shorter than --tau ${options.tau}`), { code: 'IONFIELD_USAGE' });
          }
          ring = new OriginRing(Math.ceil(tauFrames / stride) + 2);
        } else {
          // τ is counted in frames: a missing or repeated frame would silently change the lag.
          const badTime = dTime > 0 && Math.abs(t - tPrev - dTime) > 0.01 * dTime + 1e-6 * Math.abs(t);
          const badStep = !(dTime > 0) && dStep > 0 && Math.abs(s - sPrev - dStep) > 0.5;
          if (badTime || badStep)
            throw badInput(`${ctx.trajectory}: frame ${first + frame} is at ${badTime ? `time ${t}` : `step ${s}`}, expected ${badTime ? tPrev + dTime : sPrev + dStep}: frames must be evenly spaced (a missing or repeated frame?)`);
        }
        tPrev = t;
        sPrev = s;
        if (b.boxes) {
          volumeSum += boxVolume(b.boxes.subarray(9 * k, 9 * k + 9));
          volumeFrames++;
        }
        if (frame % stride === 0) originsHere.push(k);
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
    if (!bound || origins.length === 0)
      throw badInput(`${ctx.trajectory}: ${frame} frame(s) read, no origin with a frame τ = ${options.tau} later (${tauFrames} frames): the trajectory is shorter than τ`);
    const meta = (ctx as SystemContext & { meta?: { labels: string[]; counts: number[]; chargeOf: number[]; nf: number } }).meta!;
    const nOrig = origins.length;
    const lambdaMean = lambdaTotal / (nOrig * natoms);
    const ehAtTau = (K * j2Sum) / nOrig / ((tauFrames - tauShortFrames) * dt);
    let lambdaEh: SystemEntry['lambda_eh'] = null;
    const fromManifest = ctx.manifestEntry?.transport?.lambda_eh;
    if (fromManifest && fromManifest.value !== null) lambdaEh = { value: fromManifest.value, error: fromManifest.error, source: 'manifest' };
    else if (continuous) {
      // transport unwraps by minimum image, which would fold the rare long moves of packed files
      lambdaEh = { value: null, error: null, source: 'not computed: coordinates stored continuous (give --manifest for Λ_EH)' };
    } else if (options.transport !== false) {
      try {
        const rep = await computeTransport(ctx.trajectory, { format: options.format, typeMap: options.typeMap, charges, types, temperature, units: options.units ?? 'lj', timestep, start: options.start, stop: options.stop, formulaUnits: options.formulaUnits, signal: options.signal, molecules: options.molecules });
        lambdaEh = { value: rep.molar_conductivity?.value ?? null, error: rep.molar_conductivity?.error ?? null, source: 'ionfield transport (default fit window)' };
      } catch (err) {
        options.signal?.throwIfAborted(); // an abort is not a failed transport fit: the system stops
        lambdaEh = { value: null, error: null, source: `ionfield transport failed: ${(err as Error).message}` };
      }
    }
    const entry: SystemEntry = {
      name: ctx.name,
      source: ctx.trajectory,
      frames: nOrig,
      origin_frames: { first: origins[0].frame, last: origins[nOrig - 1].frame, stride },
      ions: Object.fromEntries(Object.entries(writers).map(([s, w]) => [s, w.rowsOf.length])),
      charges: Object.fromEntries(meta.labels.map((s, k) => [s, meta.chargeOf[k]])),
      temperature,
      volume_mean: volumeFrames ? volumeSum / volumeFrames : NaN,
      formula_units: meta.nf,
      atoms: natoms,
      K,
      lambda_mean: lambdaMean,
      lambda_mean_by_species: Object.fromEntries(meta.labels.map((s, k) => [s, speciesLambda[s] / (nOrig * meta.counts[k])])),
      eh_at_tau: ehAtTau,
      sum_rule_relative_error: Math.abs(lambdaMean - ehAtTau) / Math.abs(ehAtTau),
      lambda_eh: lambdaEh,
      parameters: params,
      request: ctx.request,
      seconds: (Date.now() - started) / 1000,
    };
    entry.request.tau_frames = tauFrames;
    entry.request.tau_short_frames = tauShortFrames;
    writeJsonAtomic(path.join(ctx.dir, 'frames.json'), {
      schema: 'ionfield.dataset-frames/1',
      source: ctx.trajectory,
      frame_interval: dt,
      tau: options.tau,
      tau_frames: tauFrames,
      tau_short: tauShortFrames > 0 ? options.tauShort : null,
      origin_stride: stride,
      frames: origins.map((o) => o.frame),
      steps: origins.map((o) => o.step),
      times: origins.map((o) => o.time),
      rows: Object.fromEntries(Object.entries(writers).map(([s, w]) => [s, w.rowsOf.map((r) => map!.rows[r])])),
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
    return { entry, bound, map: map! };
  } catch (err) {
    for (const w of Object.values(writers)) {
      w.features.abort();
      w.lambda.abort();
    }
    undoDirectory();
    throw err;
  }
}

function sameRequest(a: DatasetRequest, b: DatasetRequest): boolean {
  return a.set === b.set && a.tau === b.tau && (a.tau_short ?? null) === (b.tau_short ?? null) && a.origin_stride === b.origin_stride && (a.label_by ?? 'type') === (b.label_by ?? 'type') && JSON.stringify(a.species ?? null) === JSON.stringify(b.species ?? null) && a.start === b.start && a.stop === b.stop && a.source_bytes === b.source_bytes && (a.units ?? 'lj') === (b.units ?? 'lj');
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
    const request: DatasetRequest = {
      set: setKey,
      tau: options.tau,
      tau_frames: 0,
      tau_short: options.tauShort ?? null,
      origin_stride: options.originStride ?? 1,
      label_by: options.labelBy ?? 'type',
      species: options.species ?? null,
      start: options.start ?? 0,
      stop: options.stop ?? null,
      source_bytes: fs.statSync(trajectory).size,
      units: unitSystem(options.units ?? 'lj').style,
    };
    const manifestEntry = manifest?.systems.find((s) => s.name === name) ?? null;
    const done = path.join(dir, 'system.json');
    let entry: SystemEntry | null = null;
    if (fs.existsSync(done)) {
      const previous = JSON.parse(fs.readFileSync(done, 'utf8')) as SystemEntry;
      if (sameRequest(previous.request, request)) entry = previous;
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
    report.push({ name, frames: entry.frames, lambda_mean: entry.lambda_mean, eh_at_tau: entry.eh_at_tau, sum_rule_relative_error: entry.sum_rule_relative_error, skipped });
    options.onSystem?.(entry, skipped);
    reportSystems(k + 1);
  }
  // Systems must agree on what the trainer sees: the set, τ in frames and the centre species.
  const tauFrames = entries[0].request.tau_frames;
  for (const e of entries) {
    if (e.request.tau_frames !== tauFrames) throw badInput(`${e.source}: τ is ${e.request.tau_frames} frames here but ${tauFrames} in ${entries[0].source}; frame intervals must agree`);
  }
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
    schema: 'ionfield.dataset/1',
    descriptor_set: setJson,
    feature_columns: Object.fromEntries(species.map((s) => [s, columns![s]])),
    species,
    species_labels: options.labelBy ?? 'type',
    tau: options.tau,
    tau_frames: tauFrames,
    tau_short: options.tauShort ?? null,
    origin_stride: options.originStride ?? 1,
    units: style,
    lambda_units: lambdaUnits(style),
    length_scale: options.scale ?? 1,
    lambda_definition: options.tauShort !== undefined
      ? `λ_i(t0) = K N z_i [Δr_i(t0,τ)·J(t0,τ) − Δr_i(t0,τa)·J(t0,τa)]/(τ − τa), τa = ${options.tauShort}, J = Σ_j z_j Δr_j, ${kText}; N = all atoms`
      : `λ_i(t0) = K N z_i Δr_i(t0,τ)·J(t0,τ)/τ, J = Σ_j z_j Δr_j, ${kText}; N = all atoms`,
    systems: entries.map(({ request: _request, ...rest }) => rest),
  });
  return {
    schema: 'ionfield.dataset-build/1',
    output: out,
    dataset: datasetFile,
    systems: report,
    max_sum_rule_relative_error: Math.max(...report.map((r) => r.sum_rule_relative_error)),
    seconds: (Date.now() - started) / 1000,
  };
}
