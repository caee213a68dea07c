// Kinosons: lattice KMC, the variational principle and the statistics of single-transition
// contributions to diffusion (docs/kinosons.md). Heavy work runs in the native engine.
import { FitProfile, native, NativeBasisSpec, NativeFitLane, NativeEstimate, NativeKmcEstimates, NativeKmcResult, NativeLatticeSpec, NativeStudyResult } from '../native';
import { KinosonConfig, KmcEstimator, nativeSpec, siteCount } from './config';
import { LoadedStates } from './states';
import { refinedFromTail, RefinedEstimate } from './tail';
import { cumulativeShare, CumulativeShare, Estimate, estimate, kinosonMean, linearFit, logDensities, temperaturePoint, TemperaturePoint } from './statistics';
import { labelRecord, plainRecord } from '../label-record';
import { withNativeCancel } from '../abort';
import { LongCallOptions, ProgressUnit, stageReporter } from '../progress';

export * from './config';
export * from './statistics';
export * from './states';
export * from './cost';

/** The native progress callback (done, total) as one stage of the shared Progress shape. */
function nativeProgress(options: LongCallOptions, stage: string, unit: ProgressUnit) {
  const report = stageReporter(options.onProgress, stage, unit);
  return (done: number, total: number) => report(done, total);
}

/** The tail's model fitted once (training states sampled and accumulated), for its 1 % cost. */
function linearFitSeconds(r: NativeStudyResult, trainingSampling: number): number {
  const m = r.models.find((x) => x.name === r.tail?.model);
  return (m?.fitSeconds ?? 0) + trainingSampling;
}


// ---------------------------------------------------------------- correlation factor

export interface CorrelationFactorOptions {
  lattice: 'fcc' | 'bcc' | 'sc';
  supercell: number;
  steps?: number;
  trajectories?: number;
  seed?: number;
  threads?: number;
  /** Supercell sizes for the exact trend (default: 3 … max(supercell, 12)). */
  trend?: number[];
}

export interface CorrelationFactorResult {
  schema: 'ionfield.kinosons.correlation/1';
  lattice: string;
  supercell: number;
  sites: number;
  infinite: number;
  kmc: Estimate & { trajectories: number; jumps: number; seconds: number; jumpsPerAtom: number };
  variational: {
    /** method 'vector-star basis': the generic sampled-transition machinery with the complete basis;
     *  'laplacian': above 12 cells that basis is too large (K² memory), and the same minimiser is
     *  taken from the Laplacian solve. */
    complete: Estimate & { method: 'vector-star basis' | 'laplacian'; clusters: string; functions: number; rank: number; seconds: number };
    nearestNeighbour: Estimate & { functions: number; rank: number };
    uncorrelated: number;
  };
  exact: { f: number; iterations: number; residual: number };
  trend: { supercell: number; sites: number; f: number; difference: number }[];
  /** f(N) = f∞ + b / N_sites fitted to the largest supercells of the trend (an independent route to f∞). */
  extrapolated: { f: number; slope: number; from: number[] } | null;
}

function pureSpec(o: CorrelationFactorOptions, sites: number): NativeLatticeSpec {
  return {
    lattice: o.lattice,
    cells: o.supercell,
    model: { species: 1, nu: [1], e0: [0], pair: [] },
    temperature: 1000,
    counts: [sites - 1],
    seed: o.seed ?? 1,
    threads: o.threads ?? 0,
  };
}

/** Progress: stage 'kmc' (steps), then 'variational' (models: fit and validation of each). */
export async function correlationFactor(o: CorrelationFactorOptions, options: LongCallOptions = {}): Promise<CorrelationFactorResult> {
  options.signal?.throwIfAborted();
  const addon = native();
  const exact = addon.kinosonsExactCorrelation(o.lattice, o.supercell);
  const sites = exact.sites;
  const base = pureSpec(o, sites);
  // Σ|Δr|² / (jumps λ²) converges as each atom makes many jumps (finite-time bias ~ 1/jumps per
  // atom), so the default grows with the supercell: 400 jumps per site and trajectory.
  const steps = o.steps ?? Math.max(100000, 400 * sites);
  const trajectories = o.trajectories ?? 32;
  const kmc = await withNativeCancel(options.signal, (token) =>
    addon.kinosonsKmc({ ...base, kmc: { steps, trajectories, equilibrationSweeps: 0 } }, nativeProgress(options, 'kmc', 'steps'), token));
  // Every state of a pure lattice with one vacancy is a translation of every other, and one state
  // with all its exit jumps already holds every vacancy–tracer separation: two states suffice and
  // the variational value has no sampling error.
  const model = (name: string, vacancyShells: number): NativeBasisSpec => ({ name, vacancyShells, speciesShells: 0, pairFirstShells: 0, pairSecondShells: 0, residualBias: false });
  const t0 = Date.now();
  const study = await withNativeCancel(options.signal, (token) => addon.kinosonsStudy({
    ...base,
    study: {
      target: 0,
      sampling: 'all',
      trainingStates: 2,
      validationStates: 2,
      chains: 1,
      equilibrationSweeps: 0,
      decorrelationSweeps: 0,
      kinosonChannel: 0,
      kinosons: false,
      models: o.supercell <= 12 ? [model('nearest-neighbour', 1), model('complete', -1)] : [model('nearest-neighbour', 1)],
    },
  }, nativeProgress(options, 'variational', 'models'), token));
  const seconds = (Date.now() - t0) / 1000;
  const [unc, nn, complete] = study.models;
  const l0 = unc.validation[0].mean;
  const ratio = (m: NativeStudyResult['models'][number]) => ({ mean: m.validation[0].mean / l0, error: m.validation[0].error / l0 });
  const completeResult: CorrelationFactorResult['variational']['complete'] = complete
    ? { ...ratio(complete), method: 'vector-star basis', clusters: 'vacancy singlets at every separation in the supercell', functions: complete.functions, rank: complete.rank, seconds }
    : { mean: exact.f, error: 0, method: 'laplacian', clusters: 'one free vector per vacancy–tracer separation', functions: 3 * exact.states, rank: exact.states, seconds };
  const sizes = o.trend ?? Array.from({ length: Math.max(o.supercell, 12) - 2 }, (_, i) => i + 3);
  const trend = sizes
    .filter((n) => n >= 2 && n <= 24)
    .map((n) => {
      try {
        const e = addon.kinosonsExactCorrelation(o.lattice, n);
        return { supercell: n, sites: e.sites, f: e.f, difference: e.f - e.infinite };
      } catch {
        return null; // e.g. a simple-cubic 2×2×2 cell, too small for a walk
      }
    })
    .filter((e): e is NonNullable<typeof e> => e !== null);
  const tail = trend.slice(-4);
  let extrapolated: CorrelationFactorResult['extrapolated'] = null;
  if (tail.length >= 2) {
    const fit = linearFit(tail.map((t) => 1 / t.sites), tail.map((t) => t.f));
    extrapolated = { f: fit.a, slope: fit.b, from: tail.map((t) => t.supercell) };
  }
  return {
    schema: 'ionfield.kinosons.correlation/1',
    lattice: o.lattice,
    supercell: o.supercell,
    sites,
    infinite: exact.infinite,
    kmc: { ...estimate(kmc.correlation), trajectories: kmc.trajectories, jumps: kmc.steps, seconds: kmc.seconds, jumpsPerAtom: steps / (sites - 1) },
    variational: {
      complete: completeResult,
      nearestNeighbour: { ...ratio(nn), functions: nn.functions, rank: nn.rank },
      uncorrelated: 1,
    },
    exact: { f: exact.f, iterations: exact.iterations, residual: exact.residual },
    trend,
    extrapolated,
  };
}

// ---------------------------------------------------------------- KMC reference

export interface KmcReference {
  schema: 'ionfield.kinosons.kmc/2';
  temperature: number;
  species: string[];
  sites: number;
  /** The estimator behind `tracer` and `onsager` (config kmc.estimator; both are in `estimates`). */
  estimator: KmcEstimator;
  /** D* per species (a² ν) and L_ab per site (a² ν), errors over independent trajectories. */
  tracer: Record<string, Estimate>;
  onsager: Record<string, Record<string, Estimate>>;
  estimates: Record<KmcEstimator, { tracer: Record<string, Estimate>; onsager: Record<string, Record<string, Estimate>> }>;
  /** The slope window: lags as fractions of a trajectory, in jumps and in time (mean over trajectories). */
  window: { fractions: [number, number]; checkpoints: number; jumps: [number, number]; time: [number, number] };
  /** Linearity of the MSD over the window, per species: D over its first and second halves, their
   * per-trajectory difference and its z score; |z| > 3 adds a warning (run longer). */
  linearity: Record<string, { early: Estimate; late: Estimate; change: Estimate; z: number | null; collective?: { change: Estimate; z: number | null } }>;
  /** Whole-trajectory minus slope D, relative (the intercept bias the slope removes). */
  interceptBias: Record<string, number | null>;
  warnings: string[];
  /** Each KMC run: jumps per trajectory, seconds, and whether the MSD was linear over the window
   * (more than one run when kmc.extend doubled the trajectories). The estimates are the last run's. */
  runs: { steps: number; seconds: number; linear: boolean }[];
  trajectories: number;
  jumps: number;
  seconds: number;
  /** Jumps needed for a 1 % standard error of each tracer D (scaling the error as 1/sqrt(jumps)). */
  jumpsFor1Percent: Record<string, number>;
  secondsFor1Percent: Record<string, number>;
}

/** Species-labelled estimates of one native estimator. */
function kmcTables(names: string[], tracer: NativeEstimate[], onsager: NativeEstimate[]) {
  const S = names.length;
  const t: Record<string, Estimate> = labelRecord();
  const o: Record<string, Record<string, Estimate>> = labelRecord();
  names.forEach((a, i) => {
    t[a] = estimate(tracer[i]);
    o[a] = labelRecord();
    names.forEach((b, j) => (o[a][b] = estimate(onsager[i * S + j])));
  });
  return { tracer: plainRecord(t), onsager: plainRecord(Object.fromEntries(Object.entries(o).map(([a, row]) => [a, plainRecord(row)]))) };
}

/** |z| of the linearity check above which the MSD is taken as not yet linear over the window. */
const NONLINEAR_Z = 3;

const nonlinear = (r: Pick<NativeKmcResult, 'tracerChange'>) => r.tracerChange.some((c) => c.error > 0 && Math.abs(c.mean / c.error) > NONLINEAR_Z);

/** Progress: stage 'kmc', in steps (jumps) over all trajectories. With the slope estimator and
 * kmc.extend (default), trajectories whose MSD is not yet linear over the lag window are run
 * again twice as long, up to kmc.maxExtension × the configured steps: the estimate then comes
 * from the long-time regime instead of carrying a bias the warning merely reports. */
export async function runKmc(config: KinosonConfig, temperature: number, options: LongCallOptions = {}): Promise<KmcReference> {
  let steps = config.kmc.steps;
  let r = await runKmcSums(config, temperature, { ...options, steps });
  const runs = [{ steps, seconds: r.seconds, linear: !nonlinear(r) }];
  const cap = config.kmc.steps * config.kmc.maxExtension;
  while (config.kmc.estimator === 'slope' && config.kmc.extend && nonlinear(r) && steps * 2 <= cap) {
    steps *= 2;
    r = await runKmcSums(config, temperature, { ...options, steps });
    runs.push({ steps, seconds: r.seconds, linear: !nonlinear(r) });
  }
  return kmcReference(config, temperature, r, runs);
}

/**
 * One KMC run at `steps` jumps per trajectory (default: the config's): per-trajectory values and
 * their estimates. With `trajectories` (a shard), only trajectories [first, first + count) of the
 * config's run: each has the seeds of its index.
 */
export async function runKmcSums(config: KinosonConfig, temperature: number, options: LongCallOptions & { steps?: number; trajectories?: { first: number; count: number } } = {}): Promise<NativeKmcResult> {
  const spec = nativeSpec(config, temperature);
  spec.kmc = { ...spec.kmc!, steps: options.steps ?? config.kmc.steps };
  if (options.trajectories) spec.kmc = { ...spec.kmc, firstTrajectory: options.trajectories.first, runTrajectories: options.trajectories.count };
  return withNativeCancel(options.signal, (token) => native().kinosonsKmc(spec, nativeProgress(options, 'kmc', 'steps'), token));
}

/** Whether the MSD is not yet linear over the lag window (runKmc then runs longer trajectories). */
export const kmcNonlinear = (r: Pick<NativeKmcResult, 'tracerChange'>) => nonlinear(r);

/** The report of a KMC run (or of merged shards: r holds all trajectories' estimates); runs: each run made. */
export function kmcReference(config: KinosonConfig, temperature: number, r: NativeKmcEstimates & Pick<NativeKmcResult, 'sites' | 'trajectories' | 'steps' | 'seconds'>, runs: KmcReference['runs']): KmcReference {
  const names = config.species.map((s) => s.name);
  const estimates = { slope: kmcTables(names, r.tracer, r.onsager), 'whole-trajectory': kmcTables(names, r.wholeTracer, r.wholeOnsager) };
  const chosen = estimates[config.kmc.estimator];
  const jumps: Record<string, number> = labelRecord(), secs: Record<string, number> = labelRecord();
  const linearity: KmcReference['linearity'] = labelRecord(), interceptBias: Record<string, number | null> = labelRecord();
  const warnings: string[] = [];
  names.forEach((a, i) => {
    const d = chosen.tracer[a];
    // A species that never moved in the run (D = 0) has no error to scale: Infinity, null in JSON.
    const rel = d.mean > 0 ? d.error / d.mean : Infinity;
    const factor = (rel / 0.01) ** 2;
    jumps[a] = Math.round(r.steps * factor);
    secs[a] = r.seconds * factor;
    const change = estimate(r.tracerChange[i]);
    const z = change.error > 0 ? change.mean / change.error : null;
    linearity[a] = { early: estimate(r.tracerEarly[i]), late: estimate(r.tracerLate[i]), change, z };
    if (z !== null && Math.abs(z) > 3)
      warnings.push(`${a}: the MSD slope changes across the lag window (late − early = ${change.mean.toPrecision(3)} ± ${change.error.toPrecision(2)}, ${z.toFixed(1)}σ): the trajectories are too short for a linear MSD; raise kmc.steps`);
    interceptBias[a] = r.tracer[i].mean > 0 ? r.wholeTracer[i].mean / r.tracer[i].mean - 1 : null;
    // The collective L_aa checked the same way (a warning only: its noise is large, so a failed
    // check means a real curvature, and longer trajectories are what it asks for).
    const lc = estimate(r.onsagerChange[i * names.length + i]);
    const lz = lc.error > 0 ? lc.mean / lc.error : null;
    linearity[a].collective = { change: lc, z: lz };
    if (lz !== null && Math.abs(lz) > 3)
      warnings.push(`L_${a}${a}: the collective MSD slope changes across the lag window (late − early = ${lc.mean.toPrecision(3)} ± ${lc.error.toPrecision(2)}, ${lz.toFixed(1)}σ): L_${a}${a} may be biased; run longer trajectories`);
  });
  if (runs.length > 1)
    warnings.unshift(
      `the MSD was not linear over the window at ${runs[0].steps} jumps per trajectory: ran ${runs.slice(1).map((x) => x.steps).join(', ')}${runs[runs.length - 1].linear ? ' (linear now)' : ` and stopped at kmc.maxExtension = ${config.kmc.maxExtension}×`}; the estimates are from the last run`,
    );
  return {
    schema: 'ionfield.kinosons.kmc/2',
    temperature,
    species: names,
    sites: r.sites,
    estimator: config.kmc.estimator,
    ...chosen,
    estimates,
    window: { fractions: config.kmc.window, checkpoints: Math.min(config.kmc.checkpoints, config.kmc.steps), jumps: [r.windowJumps[0], r.windowJumps[1]], time: [r.windowTimes[0], r.windowTimes[1]] },
    linearity: plainRecord(linearity),
    interceptBias: plainRecord(interceptBias),
    warnings,
    runs,
    trajectories: r.trajectories,
    jumps: r.steps,
    seconds: r.seconds,
    jumpsFor1Percent: plainRecord(jumps),
    secondsFor1Percent: plainRecord(secs),
  };
}

// ---------------------------------------------------------------- equilibrium states

export interface SampledStates {
  sites: number;
  states: number;
  /** states × sites species indices (config order); 255 marks a vacancy. */
  occupancy: Uint8Array;
  /** sites × 3 site positions in units of a/2. */
  positions: Int32Array;
}

/** Equilibrium states of the configuration (swap MC for interacting models), deterministic for the seed. */
export async function sampleStates(config: KinosonConfig, temperature: number, states: number, options: LongCallOptions & { range?: { first: number; count: number } } = {}): Promise<SampledStates> {
  const report = stageReporter(options.onProgress, 'sample states', 'states', states);
  // range: only states [first, first + count) of the `states` sampled (a shard of generate); they
  // are the whole run's states, bit for bit (each depends on its index and chain only).
  const range = options.range ? { firstState: options.range.first, lastState: options.range.first + options.range.count } : {};
  report(0);
  const r = await withNativeCancel(options.signal, (token) => native().kinosonsSampleStates({
    ...nativeSpec(config, temperature),
    study: {
      target: 0,
      sampling: 'all',
      trainingStates: states,
      validationStates: 2,
      chains: config.states.chains,
      equilibrationSweeps: config.states.equilibrationSweeps,
      decorrelationSweeps: config.states.decorrelationSweeps,
      kinosonChannel: 0,
      models: [],
      ...range,
    },
  }, undefined, token));
  report(states);
  return r;
}

/** A .npy (format 1.0) file image of a C-order uint8 array. */
export function npyUint8(data: Uint8Array, shape: number[]): Buffer {
  let header = `{'descr': '|u1', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const pre = Buffer.alloc(10);
  Buffer.from('\x93NUMPY', 'latin1').copy(pre, 0);
  pre[6] = 1;
  pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  return Buffer.concat([pre, Buffer.from(header, 'latin1'), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
}

// ---------------------------------------------------------------- variational fit and kinosons

export type Target = { kind: 'tracer'; species: string } | { kind: 'collective'; channel: string };

export interface ModelSummary {
  name: string;
  functions: number;
  rank: number;
  training: number;
  validation: Estimate;
  residualCoefficient: number | null;
  fitSeconds: number;
  validationSeconds: number;
  /** Where the fit's time went: accumulation and solve (wall), corrector solves (count, iterations, thread-seconds). */
  profile: FitProfile;
}

export interface FitResult {
  schema: 'ionfield.kinosons.fit/2';
  temperature: number;
  target: Target;
  sampling: 'all' | 'kmc';
  sites: number;
  trainingStates: number;
  validationStates: number;
  trainingTransitions: number;
  validationTransitions: number;
  samplingSeconds: number;
  models: ModelSummary[];
  best: string;
  /** The target coefficient (D* for a tracer, L_aa per site for collective): the best estimate —
   *  the bound tightened by short trajectories (`refined.D`) when the tail ran, else `bound`. */
  D: Estimate;
  /** Where D comes from: 'trajectory-tail' (refined) or 'variational' (the bound). */
  DMethod: 'trajectory-tail' | 'variational';
  /** The variational value of the best model: the mean of its kinosons, an upper bound. */
  bound: Estimate;
  /** Collective targets: the full L_ab of the best model (validation), per site. */
  onsager?: Record<string, Record<string, Estimate>>;
  /** States for a 1 % standard error at this variance, and the time that costs. */
  statesFor1Percent: number;
  secondsFor1Percent: number;
  /** The bound tightened by short trajectories through the best linear model's y (config `tail`;
   *  absent when off or when no linear model was fitted): converges to the exact value. */
  refined?: RefinedEstimate;
  kinosons: {
    count: number;
    zero: number;
    cumulative: CumulativeShare;
    bySpecies: ReturnType<typeof logDensities>['densities'];
    byEnvironment: ReturnType<typeof logDensities>['densities'];
    point: TemperaturePoint;
  };
}

/** States read from files (see states.ts); the study samples whichever set is not given. */
export interface GivenStates {
  training?: LoadedStates;
  validation?: LoadedStates;
}

/** The training sums of merged `fit --shard` runs (lib/kinosons/fit-shard.ts) instead of training states. */
export interface GivenSums {
  /** Per model ("uncorrelated" first), every accumulation lane's sums, in lane order. */
  lanes: NativeFitLane[][];
  trainingStates: number;
  /** Whether the shards sampled their training states (else they read them from a file). */
  sampled: boolean;
  /** The shards' wall seconds, summed: sampling, and accumulating each model. */
  samplingSeconds: number;
  accumulateSeconds: number[];
}

export interface FitOptions extends LongCallOptions {
  given?: GivenStates;
  sums?: GivenSums;
}

/** Progress: stage 'fit', in models × 2 (each model's fit, then its validation). */
export async function runFit(config: KinosonConfig, temperature: number, target: Target, options: FitOptions = {}): Promise<FitResult> {
  const given = options.given ?? {};
  const sums = options.sums;
  if (sums && given.training) throw new Error('runFit: training sums and training states are exclusive');
  const names = config.species.map((s) => s.name);
  const index = (n: string) => {
    const i = names.indexOf(n);
    if (i < 0) throw Object.assign(new Error(`no species '${n}' in the configuration (${names.join(', ')})`), { code: 'IONFIELD_BAD_INPUT' });
    return i;
  };
  const channel = target.kind === 'tracer' ? 0 : index(target.channel);
  const spec: NativeLatticeSpec = {
    ...nativeSpec(config, temperature),
    study: {
      target: target.kind === 'collective' ? 'collective' : index(target.species),
      sampling: config.sampling,
      trainingStates: given.training?.states ?? sums?.trainingStates ?? config.states.training,
      validationStates: given.validation?.states ?? config.states.validation,
      ...(given.training ? { trainingOccupancy: given.training.occupancy } : {}),
      ...(sums ? { trainingSums: sums.lanes } : {}),
      ...(given.validation ? { validationOccupancy: given.validation.occupancy, validationChains: given.validation.chains } : {}),
      chains: config.states.chains,
      equilibrationSweeps: config.states.equilibrationSweeps,
      decorrelationSweeps: config.states.decorrelationSweeps,
      kinosonChannel: channel,
      models: config.models,
      ...(config.tail && (target.kind === 'tracer' || config.tail.targets === 'all')
        ? { tail: { rounds: config.tail.rounds, minRounds: config.tail.minRounds, tolerance: config.tail.tolerance, firstJumps: config.tail.firstJumps } }
        : {}),
    },
  };
  if (target.kind === 'collective' && config.models.some((m) => (m.hidden ?? 0) > 0))
    throw Object.assign(new Error('the equivariant network (hidden > 0) is implemented for tracer targets only'), { code: 'IONFIELD_BAD_INPUT' });
  const r = await withNativeCancel(options.signal, (token) => native().kinosonsStudy(spec, nativeProgress(options, 'fit', 'models'), token));
  if (sums) {
    // The accumulation ran in the shards: their wall times stand in for it (clock values only).
    r.samplingSeconds += sums.samplingSeconds;
    r.models.forEach((m, i) => {
      m.fitSeconds += sums.accumulateSeconds[i];
      m.profile.accumulateSeconds = sums.accumulateSeconds[i];
    });
  }
  const ch = r.channels;
  const diag = channel * ch + channel;
  const models: ModelSummary[] = r.models.map((m) => ({
    name: m.name,
    functions: m.functions,
    rank: m.rank,
    training: m.training[diag],
    validation: estimate(m.validation[diag]),
    residualCoefficient: m.residualCoefficients.length ? m.residualCoefficients[channel] : null,
    fitSeconds: m.fitSeconds,
    validationSeconds: m.validationSeconds,
    profile: m.profile,
  }));
  const best = r.models[r.best];
  const k = r.kinosons;
  const states = given.validation?.states ?? config.states.validation;
  const D = kinosonMean(k, states, r.validationBlocks);
  const rel = D.mean > 0 ? D.error / D.mean : Infinity;
  const statesFor1Percent = Math.ceil(states * (rel / 0.01) ** 2); // Infinity (null in JSON) when D = 0
  // Cost of a 1 % error: the chosen model fitted once (its training states sampled and
  // accumulated; trying the other models is not counted), then as many validation states as the
  // variance asks for, each sampled and evaluated. More states lower the error of D; the fit is
  // not repeated.
  const trainingStates = given.training?.states ?? sums?.trainingStates ?? config.states.training;
  const trainingSampled = sums ? sums.sampled : !given.training;
  const sampled = (trainingSampled ? trainingStates : 0) + (given.validation ? 0 : states);
  const samplingPerState = sampled > 0 ? r.samplingSeconds / sampled : 0;
  const fitOnce = best.fitSeconds + (trainingSampled ? trainingStates * samplingPerState : 0);
  const perState = samplingPerState + best.validationSeconds / states;
  const bySpecies = logDensities(k, (i) => names[k.species[i]]);
  const byEnvironment = logDensities(k, (i) => `${names[k.species[i]]} with ${k.environment[i]} like neighbours`);
  let onsager: FitResult['onsager'];
  if (target.kind === 'collective') {
    onsager = {};
    names.forEach((a, i) => {
      onsager![a] = {};
      names.forEach((b, j) => (onsager![a][b] = estimate(best.validation[i * ch + j])));
    });
  }
  const refined = r.tail ? refinedFromTail(r.tail, channel, ch, target.kind === 'collective' ? names : null, states, linearFitSeconds(r, trainingSampled ? trainingStates * samplingPerState : 0)) : undefined;
  return {
    schema: 'ionfield.kinosons.fit/2',
    temperature,
    target,
    sampling: config.sampling,
    sites: siteCount(config),
    trainingStates,
    validationStates: states,
    trainingTransitions: r.trainingTransitions,
    validationTransitions: r.validationTransitions,
    samplingSeconds: r.samplingSeconds,
    models,
    best: best.name,
    D: refined ? refined.D : D,
    DMethod: refined ? 'trajectory-tail' : 'variational',
    bound: D,
    onsager,
    statesFor1Percent,
    secondsFor1Percent: fitOnce + statesFor1Percent * perState,
    ...(refined ? { refined } : {}),
    kinosons: {
      count: k.value.length,
      zero: bySpecies.zero,
      cumulative: cumulativeShare(k.value),
      bySpecies: bySpecies.densities,
      byEnvironment: byEnvironment.densities,
      point: temperaturePoint(k, states, temperature, (i) => names[k.species[i]], r.validationBlocks),
    },
  };
}
