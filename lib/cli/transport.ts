// `ionfield transport`: D per species, σ, Λ, Λ_NE, ionicity, Onsager L_ab and transference numbers
// with errors and the fit window, from one or more trajectories (or saved partial results).
import { accumulateTransport, loadPartial, mergePartials, savePartial, TransportOptions, TransportPartial, TransportReport, transportReport } from '../transport';
import { parseCharges, parseKeyValueList } from '../trajectory';
import { Command, integerOption, numberOption, parse, printJson, UsageError } from './command';
import { allowUsage, moleculeOptions, moleculesFromValues, moleculeUsage, selectionFromValues, selectionOptions, topologyCharges } from './selection';
import { Progress } from './progress';
import { accumulateTransportShard } from '../transport/shard';
import { parseShard, saveShardPartial } from '../shard/partial-file';

import { fmt, pm } from './numbers';
import { runTransportTable } from './transport-table';

export function describe(r: TransportReport): string {
  const w = r.fitWindow;
  const lines = [
    `file              ${r.file} (${r.format}, ${r.frames} frames, start ${r.frameSelection.start}, stride ${r.frameSelection.stride})`,
    `units             ${r.units.description}; T = ${r.temperature} ${r.units.temperature}`,
    `frame interval    ${r.frameInterval.value} ${r.frameInterval.units} (${r.frameInterval.source})`,
    `volume            ${fmt(r.volume.value, 6)} ${r.volume.units} (${r.volume.source})`,
    `species           ${r.species.map((s) => `${s.label}: ${s.count} × z = ${s.charge}`).join(', ')}`,
    `formula units     ${r.formulaUnits.convention}`,
    `fit window        ${fmt(w.start)} – ${fmt(w.stop)} ${w.units} (${w.points} lags, ${w.automatic ? `automatic: local MSD slope within 1 ± ${w.slopeTolerance}` : 'user'}; slope at ends ${Object.entries(w.localSlope).map(([s, v]) => `${s}: ${fmt(v.start, 3)}/${fmt(v.stop, 3)}`).join(', ')})`,
    `errors            ${r.uncertainty.method}; blocks of ${fmt(r.uncertainty.blockLength.value)} ${r.uncertainty.blockLength.units}`,
    `reference frame   ${r.referenceFrame}`,
    `centres           ${r.centres === 'molecules' ? `centres of mass of molecules (${r.molecules!.topology})` : 'atoms'}`,
    '',
  ];
  if (r.molecules)
    lines.splice(lines.length - 1, 0, `molecules         ${r.molecules.species.map((s) => `${s.name} (${s.composition}): ${s.count} × ${s.atomsPerMolecule} atoms, net charge ${s.netCharge}${s.integerCharge ? '' : ' (not an integer)'}`).join('; ')}`);
  for (const [s, d] of Object.entries(r.diffusion)) lines.push(`D(${s})`.padEnd(18) + `${pm(d)} ${d.units}${d.si ? `  = ${pm(d.si)} ${d.si.units}` : ''}`);
  if (r.conductivity.value !== null) lines.push('σ (EH)'.padEnd(18) + `${pm(r.conductivity)} ${r.conductivity.units}`);
  if (r.molarConductivity) lines.push('Λ'.padEnd(18) + `${pm(r.molarConductivity)} ${r.molarConductivity.units}`);
  const atomic = r.molecules?.atomicCharges;
  if (atomic && atomic.conductivity.value !== null)
    lines.push('σ (atomic q)'.padEnd(18) + `${pm(atomic.conductivity)} ${atomic.conductivity.units}${atomic.differenceInErrors !== null ? `  (molecular − atomic = ${atomic.differenceInErrors.toFixed(1)} combined errors)` : ''}`);
  if (atomic?.molarConductivity) lines.push('Λ (atomic q)'.padEnd(18) + `${pm(atomic.molarConductivity)} ${atomic.molarConductivity.units}`);
  if (r.nernstEinstein) lines.push('Λ_NE'.padEnd(18) + `${pm(r.nernstEinstein)} ${r.nernstEinstein.units}`);
  if (r.ionicity.value !== null) lines.push('ionicity Λ/Λ_NE'.padEnd(18) + pm(r.ionicity));
  const sp = r.onsager.species;
  for (let a = 0; a < sp.length; a++)
    for (let b = a; b < sp.length; b++)
      lines.push(`L(${sp[a]},${sp[b]})`.padEnd(18) + `${pm({ value: r.onsager.value[a][b], error: r.onsager.error[a][b] })} ${r.onsager.units}`);
  for (const [s, t] of Object.entries(r.transference)) if (t.value !== null) lines.push(`t(${s})`.padEnd(18) + pm(t));
  if (r.conductivity.value !== null) lines.push('sum rule'.padEnd(18) + `σ = e² Σ z_a z_b L_ab to ${r.sumRule.relativeDifference.toExponential(1)} (relative)`);
  for (const warning of r.warnings) lines.push(`warning: ${warning}`);
  return lines.join('\n');
}

export const transportCommand: Command = {
  name: 'transport',
  summary: 'diffusion, conductivity (Einstein–Helfand), Λ, Nernst–Einstein, Onsager, transference, with errors',
  usage: `ionfield transport <trajectory>... --temperature T [options]
ionfield transport --from-partials <partial.json>... --temperature T [options]
ionfield transport --table <trajectory>... [--list FILE] --temperature T [options]

Several trajectories (independent runs of one system) are combined exactly. With --table (or
--list), each trajectory is its own run instead: one row per trajectory (text table, or --json:
schema ionfield.trajectory-table/1, each row's result the single run's --json).

  --temperature T        temperature (K; epsilon/k_B in lj units)            [required]
  --units U              lj | real | metal | gromacs (default: gromacs for XTC, else lj with a warning)
  --timestep dt          MD timestep, for files that store step numbers but no time
  --frame-interval dt    time between (selected) frames, overriding the file
  --charges 1:1,2:-1     charge per species (default: the file's q column)
  --type-map 1:Na,2:Cl   rename species labels
  --topology FILE        species and charges from an x.topology.json or a LAMMPS data file (with
                         molecules: molecular species, see --centres), or labels from the first
                         frame of another trajectory FILE (DCD, XTC input)
${moleculeUsage}
  --format F             input format (default: from extension, then content)
  --start N --stop N --stride N   frame selection (0-based, stop exclusive)
${allowUsage}
  --species A,B          species to include (default: all; e.g. leave out explicit solvent; with
                         molecules: molecular species names)
  --remove-com           subtract the selection's centre of mass from every frame (barycentric frame)
  --com-species A,B      with --remove-com: subtract the centre of mass of these species only (the
                         solvent's: the solvent-fixed, Hittorf frame)
  --masses A:m,B:m       centre-of-mass weights per species (default: equal weights); with molecules:
                         atom masses per species label where the topology has none (a dump's
                         'mol' column without a 'mass' column)
  --fit-start t --fit-stop t   fit window in time units (default: automatic)
  --slope-tolerance x    automatic window: |d ln MSD / d ln t − 1| <= x (default 0.1)
  --stop-fraction f      automatic window: longest lag as a fraction of the run (default 0.025)
  --stop-onset-factor k  automatic window: stop at most k × the diffusive onset (default 10)
  --fit ols|gls          slope estimator: ordinary least squares (default) or generalised least squares
                         with the random-walk covariance across lags (precise for ideal random walks,
                         but it weights the window start: see docs/transport.md)
  --blocks N             at most N jackknife blocks (default: as many as fit, each >= 2 × fit stop)
  --formula-units N      n_f for molar conductivities (default: N_+/a of the salt C_aA_b)
  --volume V             cell volume for files without a cell
  --max-lag t            longest lag to correlate (time units; default: no limit)
  --points-per-level P   correlator: lags 1..P frames at all origins, then P/2 per octave (default 32)
  --threads N            worker threads (default: all cores)
  --save-partial FILE    also write the accumulated sums (JSON) for later merging
  --checkpoint FILE      save the sums so far every --checkpoint-every frames (default 10000)
  --resume               continue from --checkpoint FILE if it exists (frames it covers are not re-read)
  --from-partials        the positional files are saved partials: merge them and estimate
  --shard i/n            run shard i (0-based) of n and write its partial to --out (merge them with
                         \`ionfield merge\`, or run them all with \`ionfield slurm transport ...\`):
                         shards own whole jackknife blocks, so the merge equals the single run
  --out FILE             the shard partial (with --shard; default transport.shard-i-of-n.json)
  --selected-frames N    with --shard: the run's number of selected frames, known already (ionfield
                         slurm counts once for all shards); without it each shard scans the file
  --table                one row per trajectory (see above)
  --list FILE            the table's trajectories from a list file: one per line, optionally with
                         name=NAME temperature=T (or JSON, schema ionfield.trajectory-list/1;
                         docs/scale-out.md); a row's temperature overrides --temperature
  --allow-negative       exit 0 even when a D or σ comes out negative (by default: error, exit 1)
  --json                 machine-readable output (schema ionfield.transport/2, docs/transport.md)`,
  async run(argv) {
    const { values, positionals, options } = await parseTransportArgs(argv);
    const str = (k: string) => values[k] as string | undefined;
    if (values.table || values.list) return runTransportTable(positionals, options, values);
    if (str('shard') !== undefined) return runShard(positionals, options, str('shard')!, str('out'), Boolean(values['from-partials']), integerOption(str('selected-frames'), 'selected-frames', 3));
    if (str('out') !== undefined || str('selected-frames') !== undefined) throw new UsageError('--out and --selected-frames are for --shard (the report goes to stdout)');
    const partials: TransportPartial[] = [];
    if (values['from-partials']) {
      for (const file of positionals) partials.push(loadPartial(file));
    } else {
      for (const file of positionals) {
        const progress = new Progress(positionals.length > 1 ? `reading ${file}` : 'reading', null, !values.json);
        partials.push(await accumulateTransport(file, { ...options, onProgress: progress.report }));
        progress.done();
      }
    }
    const merged = mergePartials(partials);
    if (str('save-partial')) savePartial(merged, str('save-partial')!);
    let report: TransportReport;
    try {
      report = transportReport(merged, options);
    } catch (err) {
      if (err instanceof RangeError) throw new UsageError(err.message);
      throw err;
    }
    const negative = negativeResults(report);
    if (negative.length && values['allow-negative']) report.warnings.push(`negative estimates kept (--allow-negative): ${negative.join(', ')}`);
    if (values.json) printJson(report);
    else console.log(describe(report));
    if (negative.length && !values['allow-negative']) {
      // A negative D or σ is never physics: the MSD fell over the fit window (a cell jump, wrapped
      // coordinates, too short a run). The numbers are still printed above for diagnosis.
      console.error(`ionfield transport: error: ${negative.join(', ')} — a negative diffusion coefficient or conductivity means the trajectory or the fit window is wrong (wrapped coordinates, a cell that jumps, a run too short for the window); pass --allow-negative to accept it`);
      return 1;
    }
    return 0;
  },
};

/** Parses and checks transport's command line (also used by \`ionfield slurm\` before it submits anything). */
export async function parseTransportArgs(argv: string[]): Promise<{ values: Record<string, string | boolean | undefined>; positionals: string[]; options: TransportOptions }> {
  const { values, positionals } = parse(argv, {
      temperature: { type: 'string' },
      units: { type: 'string' },
      timestep: { type: 'string' },
      'frame-interval': { type: 'string' },
      charges: { type: 'string' },
      ...selectionOptions,
      ...moleculeOptions,
      species: { type: 'string' },
      'remove-com': { type: 'boolean' },
      'com-species': { type: 'string' },
      masses: { type: 'string' },
      'fit-start': { type: 'string' },
      'fit-stop': { type: 'string' },
      'slope-tolerance': { type: 'string' },
      'stop-fraction': { type: 'string' },
      'stop-onset-factor': { type: 'string' },
      blocks: { type: 'string' },
      fit: { type: 'string' },
      'formula-units': { type: 'string' },
      volume: { type: 'string' },
      'max-lag': { type: 'string' },
      'points-per-level': { type: 'string' },
      threads: { type: 'string' },
      'save-partial': { type: 'string' },
      checkpoint: { type: 'string' },
      'checkpoint-every': { type: 'string' },
      resume: { type: 'boolean' },
      'from-partials': { type: 'boolean' },
      'allow-negative': { type: 'boolean' },
      shard: { type: 'string' },
      out: { type: 'string' },
      'selected-frames': { type: 'string' },
      table: { type: 'boolean' },
      list: { type: 'string' },
      json: { type: 'boolean' },
  });
    if (positionals.length < 1 && !values.list) throw new UsageError('expected at least one trajectory file');
    const str = (k: string) => values[k] as string | undefined;
    const positive = (k: string) => numberOption(str(k), k, (v) => Number.isFinite(v) && v > 0);
    const temperature = positive('temperature');
    // A --list may give every row its temperature (rows without one are refused when they run).
    if (temperature === undefined && !values.list) throw new UsageError('--temperature is required');
    if (str('units') && !['lj', 'real', 'metal', 'gromacs'].includes(str('units')!)) throw new UsageError(`--units: '${str('units')}' is not one of lj, real, metal, gromacs`);
    const masses = str('masses')
      ? Object.fromEntries(Object.entries(parseKeyValueList(str('masses')!, '--masses')).map(([k, v]) => {
          const m = Number(v);
          if (!(m > 0)) throw new UsageError(`--masses: '${v}' for species ${k} is not a positive number`);
          return [k, m];
        }))
      : undefined;
    const points = integerOption(str('points-per-level'), 'points-per-level', 2);
    if (points !== undefined && points % 2 !== 0) throw new UsageError('--points-per-level must be even');
    const options: TransportOptions = {
      ...(await selectionFromValues(values, values['from-partials'] ? undefined : positionals[0])),
      temperature: temperature as number,
      units: str('units'),
      timestep: positive('timestep'),
      frameInterval: positive('frame-interval'),
      charges: str('charges') ? parseCharges(str('charges')!) : topologyCharges(values),
      selectSpecies: str('species') ? str('species')!.split(',').map((s) => s.trim()).filter(Boolean) : undefined,
      removeCom: Boolean(values['remove-com']),
      comSpecies: str('com-species') ? str('com-species')!.split(',').map((s) => s.trim()).filter(Boolean) : undefined,
      masses,
      fitStart: numberOption(str('fit-start'), 'fit-start', (v) => v >= 0),
      fitStop: positive('fit-stop'),
      slopeTolerance: positive('slope-tolerance'),
      stopOnsetFactor: numberOption(str('stop-onset-factor'), 'stop-onset-factor', (v) => Number.isFinite(v) && v > 1),
      stopFraction: numberOption(str('stop-fraction'), 'stop-fraction', (v) => v > 0 && v <= 1),
      blocks: integerOption(str('blocks'), 'blocks', 2),
      fit: fitOption(str('fit')),
      formulaUnits: positive('formula-units'),
      volume: positive('volume'),
      maxLag: positive('max-lag'),
      pointsPerLevel: points,
      threads: integerOption(str('threads'), 'threads', 1),
      checkpoint: str('checkpoint'),
      checkpointEvery: integerOption(str('checkpoint-every'), 'checkpoint-every', 1),
      resume: Boolean(values.resume),
      molecules: values['from-partials'] ? undefined : moleculesFromValues(values, masses),
    };
    // With molecules, --masses only fills in masses a topology lacks (centres are always mass-weighted).
    if (options.molecules) options.masses = undefined;
    if (options.comSpecies && !options.removeCom) throw new UsageError('--com-species needs --remove-com');
    if (options.resume && !options.checkpoint) throw new UsageError('--resume needs --checkpoint FILE');
    if (options.checkpoint && (positionals.length > 1 || values['from-partials'])) throw new UsageError('--checkpoint works with a single trajectory');
    if (options.masses && !options.removeCom && !options.molecules) throw new UsageError('--masses only matters with --remove-com');
    if (options.fitStart !== undefined && options.fitStop !== undefined && options.fitStart >= options.fitStop)
      throw new UsageError('--fit-start must be below --fit-stop');
  return { values, positionals, options };
}

async function runShard(positionals: string[], options: TransportOptions, text: string, out: string | undefined, fromPartials: boolean, selectedFrames: number | undefined): Promise<number> {
  if (positionals.length !== 1 || fromPartials) throw new UsageError('--shard takes one trajectory');
  const shard = parseShard(text);
  const file = out ?? `transport.shard-${shard.index}-of-${shard.count}.json`;
  const partial = await accumulateTransportShard(positionals[0], options, shard, selectedFrames);
  saveShardPartial(file, partial);
  const p = partial.pieces[0];
  console.error(`ionfield transport: shard ${shard.index}/${shard.count}: frames ${p.ownFrom}–${p.ownTo - 1} of ${p.total} (read from ${p.readFrom ?? p.firstFrame}${p.readFrom !== undefined && p.readFrom < p.firstFrame ? `, positions only before ${p.firstFrame}: unwrapped by minimum image` : ''}) → ${file}`);
  return 0;
}

/** The D and σ values below zero, as "D(Na) = -1.2e-5" strings. */
export function negativeResults(r: TransportReport): string[] {
  const out: string[] = [];
  for (const [s, d] of Object.entries(r.diffusion)) if (d.value !== null && d.value < 0) out.push(`D(${s}) = ${fmt(d.value)}`);
  if (r.conductivity.value !== null && r.conductivity.value < 0) out.push(`σ = ${fmt(r.conductivity.value)}`);
  return out;
}

function fitOption(v: string | undefined): 'gls' | 'ols' | undefined {
  if (v === undefined) return undefined;
  if (v !== 'gls' && v !== 'ols') throw new UsageError(`--fit: '${v}' is not one of gls, ols`);
  return v;
}
