// The "ionfield.transport/2" report: every coefficient with value, error and units (input units,
// SI and S cm² mol⁻¹ where physical), the fit window, the uncertainty method and the curves.
import { analyse, Analysis, pairIndex, siFactors, SystemDescription, WindowOptions } from './estimate';
import { formulaUnits } from './formula';
import { badInput, TransportPartial } from './partial';
import { molarConductivityUnits, unitSystem, UnitSystem } from './units';
import { labelRecord, plainRecord } from '../label-record';
import type { MolecularMeta } from './molecular';
import { selectedUnwrapWarning } from '../trajectory';

type UnitStyle = UnitSystem['style'];


export interface Quantity {
  value: number | null;
  error: number | null;
  units: string;
  si?: { value: number | null; error: number | null; units: string };
}

export interface TransportReport {
  schema: 'ionfield.transport/2';
  file: string;
  format: string;
  frames: number;
  /** overrides: read overrides in effect (--allow), from any of the merged inputs. */
  frameSelection: { start: number; stride: number; overrides: string[] };
  units: { style: UnitStyle; length: string; time: string; temperature: string; description: string };
  temperature: number;
  frameInterval: { value: number; units: string; source: string };
  volume: { value: number; units: string; source: string };
  species: { label: string; count: number; charge: number }[];
  formulaUnits: { value: number | null; convention: string };
  referenceFrame: string;
  fitWindow: {
    start: number;
    stop: number;
    units: string;
    points: number;
    automatic: boolean;
    diffusive: boolean;
    slopeTolerance: number;
    localSlope: Record<string, { start: number | null; stop: number | null }>;
    note: string | null;
    estimator: string;
  };
  uncertainty: { method: string; blocks: number; blockLength: { value: number; units: string } };
  diffusion: Record<string, Quantity>;
  conductivity: Quantity;
  molarConductivity: Quantity | null;
  nernstEinstein: Quantity | null;
  ionicity: Quantity;
  onsager: { species: string[]; value: number[][]; error: number[][]; units: string; si?: { value: number[][]; error: number[][]; units: string } };
  transference: Record<string, Quantity>;
  sumRule: { conductivity: number; fromOnsager: number; relativeDifference: number };
  correlator: { scheme: string; pointsPerLevel: number; decimation: number; lags: number; longestLag: number; removeCom: boolean };
  curves: {
    time: number[];
    origins: number[];
    msd: Record<string, number[]>;
    localSlope: Record<string, (number | null)[]>;
    chargeMsd: number[];
    cross: Record<string, number[]>;
  };
  /** What moved: 'atoms' (every atom of the selection) or 'molecules' (centres of mass of molecules). */
  centres: 'molecules' | 'atoms';
  /** Molecular runs: the topology, the molecular species with their net charges, and σ/Λ from atomic partial charges. */
  molecules?: {
    topology: string;
    species: MolecularMeta['species'];
    bonds: number;
    largestExtent: { value: number; units: string; note: string };
    atomicCharges: {
      conductivity: Quantity;
      molarConductivity: Quantity | null;
      /** (σ_molecular − σ_atomic) / combined error: within ~2 the two agree. */
      differenceInErrors: number | null;
      note: string;
    };
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
  // The unwrapping doubt first: it is about the input, and decided from the whole run's data.
  const doubt = meta.unwrap;
  const warnings = doubt && doubt.suspiciousMoves > 0 ? [selectedUnwrapWarning(meta.file, doubt.method, doubt.suspiciousMoves, doubt.firstSuspiciousFrame ?? -1), ...meta.warnings] : [...meta.warnings];
  if (nf.warning && meta.charges.some((z) => z !== 0)) warnings.push(nf.warning);
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
  // Every charge zero (no q column and no --charges, or a neutral fluid): diffusion only.
  const charged = meta.charges.some((z) => z !== 0);
  const sumRule = { conductivity: a.value.sigma, fromOnsager: a.value.sumRule }; // before nulling: both 0 without charges
  if (!charged) {
    warnings.push('no charges (the input has no q column and no --charges was given, or every charge is 0): diffusion and Onsager coefficients only; conductivity, molar conductivities, ionicity and transference numbers are null (pass --charges type:z,... for them)');
    for (const k of ['sigma', 'sigmaNE', 'ionicity', 'lambda', 'lambdaNE'] as const) a.value[k] = a.error[k] = NaN;
    a.value.transference = a.value.transference.map(() => NaN);
    a.error.transference = a.error.transference.map(() => NaN);
  }
  const si = siFactors(u);
  const L = u.length, T = u.time;
  const lj = u.style === 'lj';
  const q = (value: number, error: number, units: string, siFactor?: number, siUnits?: string): Quantity => {
    const out: Quantity = { value: fin(value), error: fin(error), units };
    if (siFactor !== undefined && siUnits) out.si = { value: fin(value * siFactor), error: fin(error * siFactor), units: siUnits };
    return out;
  };
  const diffusion: Record<string, Quantity> = labelRecord();
  meta.species.forEach((s, k) => (diffusion[s] = q(a.value.diffusion[k], a.error.diffusion[k], `${L}^2/${T}`, si?.diffusion, 'm^2/s')));
  const conductivity = lj
    ? q(a.value.sigma, a.error.sigma, 'lj reduced: q*^2/(epsilon sigma tau), k_B = 1')
    : q(a.value.sigma * si!.conductivity, a.error.sigma * si!.conductivity, 'S/m');
  const molar = (v: number, e: number): Quantity | null => {
    if (nf.value === null || !charged) return null;
    return lj ? q(v, e, molarConductivityUnits('lj')) : q(v * si!.molarSI * 1e4, e * si!.molarSI * 1e4, 'S cm^2/mol', 1e-4, 'S m^2/mol');
  };
  const onsagerUnits = lj ? 'lj reduced: 1/(epsilon sigma tau)' : `1/(k_B ${u.temperature} ${L} ${T}), i.e. slope/(6 V T) with T in ${u.temperature}`;
  const onsager: TransportReport['onsager'] = { species: meta.species, value: a.value.onsager, error: a.error.onsager, units: onsagerUnits };
  if (si) {
    const f = si.onsager; // 1/(k_B L t): from per-kelvin input values to 1/(J m s)
    onsager.si = { value: a.value.onsager.map((r) => r.map((v) => v * f)), error: a.error.onsager.map((r) => r.map((v) => v * f)), units: '1/(J m s)' };
  }
  const transference: Record<string, Quantity> = labelRecord();
  meta.species.forEach((s, k) => (transference[s] = q(a.value.transference[k], a.error.transference[k], '1')));
  const slopeAt = (k: number, i: number) => fin(a.localSlopes[k]?.[i] ?? NaN);
  const local: Record<string, { start: number | null; stop: number | null }> = labelRecord();
  meta.species.forEach((s, k) => (local[s] = { start: slopeAt(k, a.window.start), stop: slopeAt(k, a.window.stop) }));
  const cross: Record<string, number[]> = labelRecord();
  for (let x = 0; x < meta.species.length; x++)
    for (let y = x; y < meta.species.length; y++) cross[`${meta.species[x]}|${meta.species[y]}`] = a.curves.cross[pairIndex(x, y, meta.species.length)];
  const frame = meta.removeCom && meta.comSpecies
    ? `centre of mass of ${meta.comSpecies.join(' + ')} (${meta.masses ? 'mass-weighted' : 'number-weighted'}) removed frame by frame: with the solvent named, the solvent-fixed (Hittorf) frame; transference numbers and L_ab are relative to it`
    : meta.removeCom && meta.centres === 'molecules'
    ? 'centre of mass of the selected molecules (mass-weighted, topology masses) removed frame by frame: transference numbers and L_ab are relative to their barycentre (with the solvent selected: the barycentric frame)'
    : meta.removeCom
    ? `centre of mass of the selected ions (${meta.masses ? 'mass-weighted' : 'number-weighted'}) removed frame by frame: transference numbers are relative to the ions' barycentre`
    : 'the simulation frame as stored (for implicit-solvent Langevin runs: the solvent-fixed frame); no drift removal';
  const record = <T>(f: (s: string, k: number) => T) => Object.fromEntries(meta.species.map((s, k) => [s, f(s, k)]));
  const windowTimes = { start: a.curves.time[a.window.start], stop: a.curves.time[a.window.stop] };
  const report: TransportReport = {
    schema: 'ionfield.transport/2',
    file: meta.file,
    format: meta.format,
    frames: sums.frames,
    frameSelection: { start: meta.start, stride: meta.stride, overrides: meta.allow ?? [] },
    units: { style: u.style, length: u.length, time: u.time, temperature: u.temperature, description: u.description },
    temperature: options.temperature,
    frameInterval: { value: meta.frameInterval, units: T, source: meta.frameIntervalSource },
    volume: { value: volume, units: `${L}^3`, source: meta.volumeOverride !== null ? '--volume' : `mean cell volume over ${sums.volumeFrames} frames` },
    species: meta.species.map((s, k) => ({ label: s, count: meta.counts[k], charge: meta.charges[k] })),
    formulaUnits: { value: nf.value, convention: nf.convention },
    referenceFrame: frame,
    fitWindow: {
      start: a.curves.time[a.window.start],
      stop: a.curves.time[a.window.stop],
      units: T,
      points: a.window.stop - a.window.start + 1,
      automatic: a.window.automatic,
      diffusive: a.window.diffusive,
      slopeTolerance: a.window.slopeTolerance,
      localSlope: plainRecord(local),
      note: a.window.note,
      estimator: a.estimator === 'gls' ? 'generalised least squares, random-walk covariance across lags' : 'ordinary least squares',
    },
    uncertainty: {
      method: `${a.estimator === 'gls' ? 'GLS' : 'OLS'} slopes; delete-one-block jackknife over ${a.blocks} contiguous blocks (each at least twice the fit stop); the same fit window in every block${a.errorFloor !== null && charged ? `; σ, Λ and ionicity errors at least the ideal-random-walk error of J for this window (${(100 * a.errorFloor).toFixed(1)} % relative)` : ''}`,
      blocks: a.blocks,
      blockLength: { value: a.blockFrames * meta.frameInterval, units: T },
    },
    diffusion: plainRecord(diffusion),
    conductivity,
    molarConductivity: molar(a.value.lambda, a.error.lambda),
    nernstEinstein: molar(a.value.lambdaNE, a.error.lambdaNE),
    ionicity: q(a.value.ionicity, a.error.ionicity, '1 (Λ/Λ_NE = σ/σ_NE)'),
    onsager,
    transference: plainRecord(transference),
    sumRule: {
      conductivity: sumRule.conductivity,
      fromOnsager: sumRule.fromOnsager,
      relativeDifference: Math.abs(sumRule.conductivity - sumRule.fromOnsager) / Math.max(Math.abs(sumRule.conductivity), 1e-300),
    },
    correlator: {
      scheme: 'multiple-tau with decimation (exact displacements; all origins for lags up to pointsPerLevel frames)',
      pointsPerLevel: meta.pointsPerLevel,
      decimation: meta.decimation,
      lags: a.curves.time.length,
      longestLag: a.curves.time[a.curves.time.length - 1] ?? 0,
      removeCom: meta.removeCom,
    },
    curves: {
      time: a.curves.time,
      origins: a.curves.origins,
      msd: record((_, k) => a.curves.msd[k]),
      localSlope: record((_, k) => (a.localSlopes[k] ?? []).map(fin)),
      chargeMsd: a.curves.charge,
      cross: plainRecord(cross),
    },
    centres: meta.centres ?? 'atoms',
    warnings,
  };
  if (meta.molecules && partial.atomic) report.molecules = moleculeSection(partial, options, windowTimes, nf.value, charged, report.conductivity);
  return report;
}

/**
 * The molecular part of a report: species and net charges, and σ, Λ from the atomic partial
 * charges — the one-point correlator of Σ q_i r_i, fitted over the same window and blocks as the
 * molecular σ, so that the two differ only by what the charges are attached to.
 */
function moleculeSection(partial: TransportPartial, options: Parameters<typeof transportReport>[1], window: { start: number; stop: number }, nf: number | null, charged: boolean, b: Quantity): NonNullable<TransportReport['molecules']> {
  const meta = partial.meta, m = meta.molecules!;
  const atomicMeta = { ...meta, species: ['atomic charges'], counts: [1], charges: [1], removeCom: false, masses: null, molecules: undefined, centres: undefined, warnings: [], unwrap: undefined };
  const atomic = transportReport({ schema: partial.schema, meta: atomicMeta, sums: partial.atomic! }, { ...options, fitStart: window.start, fitStop: window.stop, formulaUnits: nf ?? undefined });
  const a = atomic.conductivity;
  const diff = charged && a.value !== null && b.value !== null && a.error !== null && b.error !== null ? (b.value - a.value) / Math.hypot(a.error, b.error) : null;
  const u = unitSystem(meta.units);
  return {
    topology: m.topology,
    species: m.species,
    bonds: m.bonds,
    largestExtent: { value: m.reach, units: u.length, note: 'largest distance of an atom from the first atom of its molecule, molecules made whole (along bonds where given, else by minimum image)' },
    atomicCharges: {
      conductivity: charged ? a : { ...a, value: null, error: null },
      molarConductivity: charged && nf !== null ? atomic.molarConductivity : null,
      differenceInErrors: diff === null || !Number.isFinite(diff) ? null : diff,
      note: 'σ from J = Σ_i q_i Δr_i over the atoms of the selected molecules (whole molecules), same fit window and blocks as the molecular σ; equal to it at long times, the molecular dipoles being bounded',
    },
  };
}

