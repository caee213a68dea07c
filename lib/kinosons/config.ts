// The JSON configuration of a kinoson study (schema ionfield.kinosons-config/1), validated with
// errors that name the file and the key, and turned into the native spec.
import * as fs from 'node:fs';
import type { NativeBasisSpec, NativeLatticeSpec } from '../native';
import { configKeys, notesHint, unknownKey } from './config-keys';
import { parseJsonText } from './json-text';

export interface SpeciesConfig {
  name: string;
  /** Atoms of this species (or give `fraction` of the non-vacant sites). */
  count?: number;
  fraction?: number;
  /** Attempt frequency ν (sets the time unit) and migration barrier E0 in eV. */
  nu: number;
  e0: number;
}

export interface PairConfig {
  /** Neighbour shell, 1 = nearest neighbours. */
  shell: number;
  a: string;
  b: string;
  /** Pair interaction in eV (the energy is Σ over bonds). */
  J: number;
}

export interface KinosonConfig {
  schema?: string;
  lattice: 'fcc' | 'bcc' | 'sc';
  supercell: number;
  vacancies: number;
  species: SpeciesConfig[];
  pairs: PairConfig[];
  temperatures: number[];
  seed: number;
  threads: number;
  kmc: KmcSettings;
  states: { training: number; validation: number; chains: number; equilibrationSweeps: number; decorrelationSweeps: number };
  sampling: 'all' | 'kmc';
  models: NativeBasisSpec[];
  /** The bound tightened by short trajectories (docs/kinosons.md "Short trajectories through y"); null: off. */
  tail: TailSettings | null;
}

/** Segments from every validation state through the best linear model's y, checkpoints at
 *  firstJumps × 2^k expected jumps (0: one per site), until the MSD slope's drop is small twice in a
 *  row (below `tolerance` or within twice its error; after at least minRounds checkpoints) or
 *  after `rounds`. */
export interface TailSettings {
  /** 'tracer' (default): tracer targets only — a collective segment gives one ΔZ, as noisy as
   *  KMC's collective estimate, so there the bound (within its model error) is usually the better
   *  number; 'all': collective targets too. */
  targets: 'tracer' | 'all';
  rounds: number;
  minRounds: number;
  tolerance: number;
  firstJumps: number;
}

/** How `kmc` estimates D (docs/kinosons.md "Finite-time bias of KMC"): the slope of the MSD over a
 * window of lags (fractions of the trajectory length, from positions at `checkpoints` points), or
 * |Δr|²/6t over the whole trajectory (the older estimator, biased up by the MSD intercept). */
export type KmcEstimator = 'slope' | 'whole-trajectory';
export interface KmcSettings {
  steps: number;
  trajectories: number;
  equilibrationSweeps: number;
  exponentialTimes?: boolean;
  estimator: KmcEstimator;
  checkpoints: number;
  window: [number, number];
  /** Double the trajectories while the MSD is not linear over the window (slope estimator). */
  extend: boolean;
  /** ... up to this many times the configured steps. */
  maxExtension: number;
}

export class ConfigError extends Error {
  readonly code = 'IONFIELD_BAD_INPUT';
}

const sitesPerCell: Record<string, number> = { sc: 1, bcc: 2, fcc: 4 };

/** Default relaxation-vector models (vector-cluster bases of growing range), see docs/kinosons.md.
 *  Bounded ranges (8 shells, not the whole supercell) keep the cost independent of the supercell. */
export const defaultModels: NativeBasisSpec[] = [
  { name: 'vacancy-shells-4', vacancyShells: 4, speciesShells: 0, pairFirstShells: 0, pairSecondShells: 0, residualBias: false },
  { name: 'vacancy-shells-8+pairs-2x2', vacancyShells: 8, speciesShells: 1, pairFirstShells: 2, pairSecondShells: 2, residualBias: false },
  // The harmonic corrector on top (docs/kinosons.md, model 6): the best model wherever one species
  // is much faster than another (docs/kinosons/kmc-agreement.md); equal to the model above on a
  // lattice whose species all move at the same rate.
  { name: 'vacancy-shells-8+pairs-2x2+corrector', vacancyShells: 8, speciesShells: 1, pairFirstShells: 2, pairSecondShells: 2, residualBias: false, correctorShells: 2 },
];

type Json = Record<string, unknown>;

function fail(where: string, key: string, expected: string): never {
  throw new ConfigError(`${where}: '${key}' ${expected}`);
}

/** An object of the config (or {} when absent), checked for unknown keys. */
function section(v: unknown, where: string, key: string | null, known: readonly string[]): Json {
  if (v === undefined && key !== null) return {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    if (key === null) throw new ConfigError(`${where}: expected an object`);
    fail(where, key, 'must be an object');
  }
  const unknown = unknownKey(v as Json, known);
  if (unknown)
    throw new ConfigError(`${key === null ? where : `${where}: ${key}`}: unknown key '${unknown.key}' (${unknown.suggestion ? `did you mean '${unknown.suggestion}'?` : `expected one of ${known.join(', ')}; ${notesHint}`})`);
  return v as Json;
}

// Upper bounds: what the engine's integers (int, and seeds exact in a double) can hold, and
// counts beyond which memory, not patience, runs out (a std::bad_alloc is no message).
function kmcEstimator(k: Json, where: string): Pick<KmcSettings, 'estimator' | 'checkpoints' | 'window' | 'extend' | 'maxExtension'> {
  const estimator = k.estimator ?? 'slope';
  if (estimator !== 'slope' && estimator !== 'whole-trajectory') fail(where, 'estimator', "must be 'slope' (MSD slope over a lag window) or 'whole-trajectory' (|Δr|²/6t)");
  const checkpoints = num(k, 'checkpoints', where, 32, (v) => Number.isInteger(v) && v >= 8 && v <= 4096, 'an integer from 8 to 4096 (positions recorded per trajectory)');
  const w = k.window ?? [0.1, 0.5];
  if (!Array.isArray(w) || w.length !== 2 || !w.every((x) => typeof x === 'number' && Number.isFinite(x)) || !(w[0] > 0 && w[0] < w[1] && w[1] <= 1))
    fail(where, 'window', 'must be [from, to] with 0 < from < to <= 1 (lags as fractions of the trajectory length)');
  if (Math.round(w[1] * checkpoints) - Math.max(1, Math.round(w[0] * checkpoints)) < 2)
    fail(where, 'window', `spans fewer than 3 lags of ${checkpoints} checkpoints: widen it or raise 'checkpoints'`);
  if (k.extend !== undefined && typeof k.extend !== 'boolean') fail(where, 'extend', 'must be true or false');
  const maxExtension = num(k, 'maxExtension', where, 8, (v) => Number.isInteger(v) && v >= 1 && v <= 1024, 'an integer from 1 to 1024 (longest run as a multiple of steps)');
  return { estimator, checkpoints, window: [w[0], w[1]], extend: k.extend !== false, maxExtension };
}

export const LIMITS = { seed: Number.MAX_SAFE_INTEGER, threads: 1024, steps: Number.MAX_SAFE_INTEGER, trajectories: 1_000_000, states: 10_000_000, sweeps: 1_000_000_000, epochs: 100_000_000 };
const upTo = (max: number, min = 0) => (v: number) => Number.isInteger(v) && v >= min && v <= max;

function num(o: Json, key: string, where: string, fallback: number | undefined, check: (v: number) => boolean, expected: string): number {
  const v = o[key];
  if (v === undefined) {
    if (fallback === undefined) fail(where, key, `is required (${expected})`);
    return fallback;
  }
  if (typeof v !== 'number' || !Number.isFinite(v) || !check(v)) fail(where, key, `must be ${expected}, got ${JSON.stringify(v)}`);
  return v;
}

const nonNegativeInt = (v: number) => Number.isInteger(v) && v >= 0;

/** Validates a parsed configuration object; `where` names its source in errors. */
export function validateConfig(raw: unknown, where = 'config'): KinosonConfig {
  const o = section(raw, where, null, configKeys.top);
  if (o.schema !== undefined && o.schema !== 'ionfield.kinosons-config/1') fail(where, 'schema', "must be 'ionfield.kinosons-config/1'");
  const lattice = o.lattice ?? 'fcc';
  if (lattice !== 'fcc' && lattice !== 'bcc' && lattice !== 'sc') fail(where, 'lattice', "must be 'fcc', 'bcc' or 'sc'");
  const supercell = num(o, 'supercell', where, 4, (v) => Number.isInteger(v) && v >= 2 && v <= 64, 'an integer from 2 to 64 (conventional cells per edge)');
  // One simple-cubic cell of 2 per edge maps +x and −x onto the same neighbour: no walk to study.
  if (lattice === 'sc' && supercell < 3) fail(where, 'supercell', 'must be at least 3 for sc (with 2 cells two nearest-neighbour vectors reach the same site)');
  const sites = sitesPerCell[lattice] * supercell ** 3;
  const vacancies = num(o, 'vacancies', where, 1, (v) => Number.isInteger(v) && v >= 1 && v < sites, `an integer from 1 to ${sites - 1}`);
  if (!Array.isArray(o.species) || o.species.length === 0) fail(where, 'species', 'must be a non-empty array of {name, count|fraction, nu, e0}');
  if (o.species.length > 32) fail(where, 'species', 'may hold at most 32 species');
  const atoms = sites - vacancies;
  const species: SpeciesConfig[] = (o.species as unknown[]).map((s, i) => {
    const w = `${where}: species[${i}]`;
    const e = section(s, w, null, configKeys.species);
    if (typeof e.name !== 'string' || !e.name) fail(w, 'name', 'must be a non-empty string');
    const out: SpeciesConfig = {
      name: e.name,
      nu: num(e, 'nu', w, 1, (v) => v > 0, 'a positive attempt frequency'),
      e0: num(e, 'e0', w, 0, () => true, 'a barrier in eV'),
    };
    if (e.count !== undefined) out.count = num(e, 'count', w, undefined, nonNegativeInt, 'a non-negative integer');
    else out.fraction = num(e, 'fraction', w, undefined, (v) => v >= 0 && v <= 1, 'a fraction in [0, 1] (or give count)');
    return out;
  });
  const names = new Set(species.map((s) => s.name));
  if (names.size !== species.length) fail(where, 'species', 'names must be distinct');
  // Fractions → counts, largest remainders first, so the counts add up to the non-vacant sites.
  if (species.some((s) => s.count === undefined)) {
    if (species.some((s) => s.count !== undefined)) fail(where, 'species', 'give either count for every species or fraction for every species');
    const total = species.reduce((a, s) => a + (s.fraction ?? 0), 0);
    if (Math.abs(total - 1) > 1e-6) fail(where, 'species', `fractions must add up to 1 (they add up to ${total})`);
    const exact = species.map((s) => (s.fraction ?? 0) * atoms);
    const counts = exact.map(Math.floor);
    let left = atoms - counts.reduce((a, b) => a + b, 0);
    const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0]);
    for (const [, i] of order) if (left-- > 0) counts[i]++;
    species.forEach((s, i) => (s.count = counts[i]));
  } else {
    const total = species.reduce((a, s) => a + (s.count ?? 0), 0);
    if (total !== atoms) fail(where, 'species', `counts must add up to sites − vacancies = ${atoms} (they add up to ${total})`);
  }
  // A species without atoms has no tracer D (0/0) and nothing to move: refuse it, saying why.
  species.forEach((s, i) => {
    if (s.count === 0)
      throw new ConfigError(
        `${where}: species[${i}] '${s.name}': no atoms (${s.fraction !== undefined ? `fraction ${s.fraction} of ${atoms} atoms rounds to 0` : 'count 0'}); give it atoms (counts instead of fractions, e.g. "count": 1, or a larger supercell) or remove it`,
      );
  });
  const pairs: PairConfig[] = [];
  if (o.pairs !== undefined) {
    if (!Array.isArray(o.pairs)) fail(where, 'pairs', 'must be an array of {shell, a, b, J}');
    (o.pairs as unknown[]).forEach((p, i) => {
      const w = `${where}: pairs[${i}]`;
      const e = section(p, w, null, configKeys.pair);
      const shell = num(e, 'shell', w, undefined, (v) => Number.isInteger(v) && v >= 1 && v <= 8, 'a neighbour shell from 1 to 8');
      for (const k of ['a', 'b'] as const)
        if (typeof e[k] !== 'string' || !names.has(e[k] as string)) fail(w, k, `must name a species (${[...names].join(', ')})`);
      const pair = { shell, a: e.a as string, b: e.b as string, J: num(e, 'J', w, undefined, () => true, 'an energy in eV') };
      // J(a, b) = J(b, a) is one number: the same bond listed twice must agree, not "last one wins".
      const k = pairs.findIndex((q) => q.shell === shell && ((q.a === pair.a && q.b === pair.b) || (q.a === pair.b && q.b === pair.a)));
      if (k >= 0 && pairs[k].J !== pair.J) throw new ConfigError(`${w}: shell ${shell} ${pair.a}–${pair.b} is already given by pairs[${k}] with J = ${pairs[k].J}, here J = ${pair.J}`);
      pairs.push(pair);
    });
  }
  if (o.temperature !== undefined && o.temperatures !== undefined) fail(where, 'temperature', "and 'temperatures' are both given: keep one");
  const temps = o.temperatures ?? (o.temperature !== undefined ? [o.temperature] : [1000]);
  if (!Array.isArray(temps) || temps.length === 0 || temps.some((t) => typeof t !== 'number' || !(t > 0) || !Number.isFinite(t)))
    fail(where, 'temperatures', 'must be a non-empty array of temperatures in K (> 0)');
  const twice = (temps as number[]).find((t, i) => (temps as number[]).indexOf(t) !== i);
  if (twice !== undefined) fail(where, 'temperatures', `lists ${twice} K twice`);
  const kmcRaw = section(o.kmc, where, 'kmc', configKeys.kmc);
  const statesRaw = section(o.states, where, 'states', configKeys.states);
  if (kmcRaw.exponentialTimes !== undefined && typeof kmcRaw.exponentialTimes !== 'boolean') fail(`${where}: kmc`, 'exponentialTimes', 'must be true or false');
  const sampling = o.sampling ?? 'all';
  if (sampling !== 'all' && sampling !== 'kmc') fail(where, 'sampling', "must be 'all' (every exit jump) or 'kmc' (one KMC-chosen jump per state)");
  let models = defaultModels;
  if (o.models !== undefined) {
    if (!Array.isArray(o.models)) fail(where, 'models', 'must be an array of basis specifications');
    models = (o.models as unknown[]).map((m, i) => {
      const w = `${where}: models[${i}]`;
      const e = section(m, w, null, configKeys.model);
      const shells = (k: string) => num(e, k, w, 0, (v) => Number.isInteger(v) && v >= -1 && v <= 8, 'a shell count from 0 to 8 (-1: whole supercell, vacancyShells only)');
      const spec: NativeBasisSpec = {
        name: typeof e.name === 'string' && e.name ? e.name : `model-${i}`,
        vacancyShells: shells('vacancyShells'),
        speciesShells: shells('speciesShells'),
        pairFirstShells: shells('pairFirstShells'),
        pairSecondShells: shells('pairSecondShells'),
        residualBias: e.residualBias === true,
      };
      for (const k of ['speciesShells', 'pairFirstShells', 'pairSecondShells'] as const) if (spec[k] < 0) fail(w, k, 'must be >= 0');
      const tripletFirst = shells('tripletFirstShells'), tripletSecond = shells('tripletSecondShells');
      if (tripletFirst < 0) fail(w, 'tripletFirstShells', 'must be >= 0');
      if (tripletSecond < 0 || tripletSecond > 4) fail(w, 'tripletSecondShells', 'must be from 0 to 4 (triplets grow as the square of the sites in range)');
      if (tripletFirst > 0 && tripletSecond > 0) Object.assign(spec, { tripletFirstShells: tripletFirst, tripletSecondShells: tripletSecond });
      const hidden = num(e, 'hidden', w, 0, (v) => Number.isInteger(v) && v >= 0 && v <= 256, 'an integer from 0 to 256 (hidden units of the equivariant network; 0 = linear)');
      if (hidden > 0) {
        spec.hidden = hidden;
        spec.epochs = num(e, 'epochs', w, 300, upTo(LIMITS.epochs), `an integer from 0 to ${LIMITS.epochs}`);
        spec.learningRate = num(e, 'learningRate', w, 3e-3, (v) => v > 0, 'a positive number');
        spec.featureShells = num(e, 'featureShells', w, 2, (v) => Number.isInteger(v) && v >= 1 && v <= 8, 'an integer from 1 to 8');
      }
      const networkHidden = num(e, 'networkHidden', w, 0, (v) => Number.isInteger(v) && v >= 0 && v <= 256, 'an integer from 0 to 256 (hidden units per layer of the equivariant site network; 0 = none)');
      if (networkHidden > 0) {
        if (hidden > 0) fail(w, 'networkHidden', 'cannot be combined with hidden (the gated network): choose one');
        if (spec.residualBias) fail(w, 'networkHidden', 'cannot be combined with residualBias');
        if (species.length > 10) fail(w, 'networkHidden', 'the site network handles up to 10 species');
        spec.networkHidden = networkHidden;
        spec.networkLayers = num(e, 'networkLayers', w, 2, (v) => Number.isInteger(v) && v >= 1 && v <= 8, 'an integer from 1 to 8');
        spec.networkShells = num(e, 'networkShells', w, 2, (v) => Number.isInteger(v) && v >= 1 && v <= 8, 'an integer from 1 to 8');
        spec.epochs = num(e, 'epochs', w, 400, upTo(LIMITS.epochs), `an integer from 0 to ${LIMITS.epochs}`);
        spec.learningRate = num(e, 'learningRate', w, 1e-2, (v) => v > 0, 'a positive number');
      }
      if (e.corrector !== undefined && typeof e.corrector !== 'boolean') fail(w, 'corrector', 'must be true or false');
      if (e.correctorShells !== undefined && e.corrector !== true) fail(w, 'correctorShells', "needs 'corrector': true");
      if (e.corrector === true) {
        if (hidden > 0 || spec.residualBias) fail(w, 'corrector', 'is combined with the linear basis and the site network only (not with hidden or residualBias)');
        spec.correctorShells = num(e, 'correctorShells', w, 2, (v) => Number.isInteger(v) && v >= 0 && v <= 4, 'an integer from 0 to 4 (shells of the harmonic vacancy offset)');
      }
      return spec;
    });
  }
  let tail: TailSettings | null = null;
  if (o.tail !== false) {
    const w = `${where}: tail`;
    const t = section(o.tail === true ? {} : o.tail, where, 'tail', configKeys.tail);
    const rounds = num(t, 'rounds', w, 10, (v) => Number.isInteger(v) && v >= 3 && v <= 30, 'an integer from 3 to 30 (checkpoints, each twice as late as the one before)');
    const targets = t.targets ?? 'tracer';
    if (targets !== 'tracer' && targets !== 'all') fail(w, 'targets', "must be 'tracer' (tracer targets only) or 'all' (collective too)");
    tail = {
      targets,
      rounds,
      minRounds: num(t, 'minRounds', w, Math.min(5, rounds), (v) => Number.isInteger(v) && v >= 3 && v <= rounds, `an integer from 3 to rounds (${rounds})`),
      tolerance: num(t, 'tolerance', w, 0.03, (v) => v > 0 && v < 1, 'a fraction in (0, 1) (a drop of the slope below it counts as small)'),
      firstJumps: num(t, 'firstJumps', w, 0, (v) => v >= 0, 'a non-negative number of jumps (0: one per site)'),
    };
  }
  return {
    lattice,
    supercell,
    vacancies,
    species,
    pairs,
    temperatures: temps as number[],
    seed: num(o, 'seed', where, 1, upTo(LIMITS.seed), `an integer from 0 to ${LIMITS.seed}`),
    threads: num(o, 'threads', where, 0, upTo(LIMITS.threads), `an integer from 0 to ${LIMITS.threads} (0: all cores)`),
    kmc: {
      steps: num(kmcRaw, 'steps', `${where}: kmc`, 100000, upTo(LIMITS.steps, 1), 'a positive integer (jumps per trajectory)'),
      trajectories: num(kmcRaw, 'trajectories', `${where}: kmc`, 32, upTo(LIMITS.trajectories, 2), `an integer from 2 to ${LIMITS.trajectories}`),
      equilibrationSweeps: num(kmcRaw, 'equilibrationSweeps', `${where}: kmc`, 200, upTo(LIMITS.sweeps), `an integer from 0 to ${LIMITS.sweeps}`),
      ...(kmcRaw.exponentialTimes === true ? { exponentialTimes: true } : {}),
      ...kmcEstimator(kmcRaw, `${where}: kmc`),
    },
    states: {
      training: num(statesRaw, 'training', `${where}: states`, 2000, upTo(LIMITS.states, 1), `an integer from 1 to ${LIMITS.states}`),
      validation: num(statesRaw, 'validation', `${where}: states`, 2000, upTo(LIMITS.states, 2), `an integer from 2 to ${LIMITS.states}`),
      chains: num(statesRaw, 'chains', `${where}: states`, 16, upTo(LIMITS.states, 1), `an integer from 1 to ${LIMITS.states}`),
      equilibrationSweeps: num(statesRaw, 'equilibrationSweeps', `${where}: states`, 200, upTo(LIMITS.sweeps), `an integer from 0 to ${LIMITS.sweeps}`),
      decorrelationSweeps: num(statesRaw, 'decorrelationSweeps', `${where}: states`, 10, upTo(LIMITS.sweeps), `an integer from 0 to ${LIMITS.sweeps}`),
    },
    sampling,
    models,
    tail,
  };
}

export function loadConfig(file: string): KinosonConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`${file}: cannot read (${(err as Error).message})`);
  }
  return validateConfig(parseJsonText(text, file, (m) => new ConfigError(m)), file);
}

export function siteCount(c: Pick<KinosonConfig, 'lattice' | 'supercell'>): number {
  return sitesPerCell[c.lattice] * c.supercell ** 3;
}

/** The native spec for one temperature. */
export function nativeSpec(c: KinosonConfig, temperature: number): NativeLatticeSpec {
  const S = c.species.length;
  const index = new Map(c.species.map((s, i) => [s.name, i]));
  const shells = c.pairs.reduce((m, p) => Math.max(m, p.shell), 0);
  const pair: number[] = shells ? new Array(shells * S * S).fill(0) : [];
  for (const p of c.pairs) {
    const a = index.get(p.a)!, b = index.get(p.b)!;
    pair[((p.shell - 1) * S + a) * S + b] = p.J;
    pair[((p.shell - 1) * S + b) * S + a] = p.J;
  }
  return {
    lattice: c.lattice,
    cells: c.supercell,
    shells: Math.max(1, shells),
    model: { species: S, nu: c.species.map((s) => s.nu), e0: c.species.map((s) => s.e0), pair },
    temperature,
    counts: c.species.map((s) => s.count ?? 0),
    seed: c.seed,
    threads: c.threads,
    kmc: { steps: c.kmc.steps, trajectories: c.kmc.trajectories, equilibrationSweeps: c.kmc.equilibrationSweeps, exponentialTimes: c.kmc.exponentialTimes,
      checkpoints: c.kmc.checkpoints, windowFrom: c.kmc.window[0], windowTo: c.kmc.window[1] },
  };
}
