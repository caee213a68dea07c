// `ionfield kinosons …`: the lattice KMC reference, variational fits, kinoson reports and the
// correlation-factor self-check. Schemas are documented in docs/kinosons.md.
import * as path from 'node:path';
import {
  correlationFactor,
  CorrelationFactorResult,
  FitResult,
  KmcReference,
  loadConfig,
  GivenStates,
  loadStates,
  runFit,
  VALIDATION_SEED_OFFSET,
  sampleStates,
  runKmc,
  compareCosts,
  describeCosts,
  CostComparison,
  Target,
} from '../kinosons/index';
import { Command, parse, printJson, UsageError } from './command';
import { boundedInteger, checkApplicable, checkOutputFile, forConfig, temperatureOption } from './kinosons-options';
import { Progress } from './progress';
import { runKmcShard } from '../kinosons/shard';
import { generateShard } from '../kinosons/generate-shard';
import { checkShardableModels, runFitShard } from '../kinosons/fit-shard';
import { writeStatesFiles } from '../kinosons/states-file';
import { report, reportShardCli } from './kinosons-report';
import { describeRefined } from '../kinosons/tail';
import { meanPm } from './numbers';
import { parseShard, saveShardPartial } from '../shard/partial-file';
import { writeFileAtomic } from '../atomic-file';

const usage = `ionfield kinosons <subcommand> [options]

  correlation-factor --lattice fcc|bcc|sc --supercell N [--steps S] [--trajectories M] [--seed s] [--threads t] [--json]
        tracer correlation factor of one vacancy in a pure lattice: KMC, the variational solution
        (exact for the supercell with the complete vector-star basis), and the supercell-size trend
        (defaults: 400 × sites jumps per trajectory, 32 trajectories)
  generate --config FILE --states n --out FILE.npy [--temperature T] [--set training|validation] [--shard i/n [--partial P]] [--json]
        equilibrium states (swap Monte Carlo for interacting models) as a states × sites uint8
        .npy array (species index in config order, 255 = vacancy), with FILE.json describing it;
        --set validation draws with the study's validation seed; --shard i/n samples whole chains
        i·C/n … of the C chains only and writes a partial (--partial, default
        generate.shard-i-of-n.json) that ionfield merge turns into FILE.npy bit for bit
  kmc --config FILE [--temperature T] [--out FILE] [--shard i/n] [--json]
        residence-time KMC reference: tracer D per species and Onsager L_ab, with errors;
        --shard i/n runs trajectories i·N/n … (i+1)·N/n − 1 only and writes a shard partial to --out
        (default kmc.shard-i-of-n.json) for \`ionfield merge\` (bit-identical sums, docs/scale-out.md)
  fit --config FILE [--temperature T] [--target tracer:NAME|collective:NAME] [--training FILE.npy]
      [--validation FILE.npy] [--no-kmc] [--out FILE | --shard i/n [--partial P]] [--json]
        fit the relaxation-vector models of the config on training states, pick the lowest
        validation value, report D as the mean of kinosons and their statistics; states come from
        the given .npy files (written by generate) or are sampled from the config's seed; then runs
        the config's KMC for the same quantity and states both values and the wall time each needs
        for a 1 % error on this machine, and which is cheaper (--no-kmc skips it); --shard i/n
        accumulates the training sums of states i·S/n … only (whole lanes of the 16 the fit sums
        in) into a partial (default fit.shard-i-of-n.json) that \`ionfield merge\` finishes into
        the single run's result (linear models only: networks and the residual bias are refused)
  report --config FILE --out-dir DIR [--resume] [--shard i/n [--partial FILE]] [--json]
        for every temperature of the config: KMC reference and tracer fits of every species;
        writes DIR/kinosons-report.json and SVG plots (log κ densities, cumulative share, D(T));
        each finished KMC run and fit is checkpointed to DIR/kinosons-report.checkpoint.json, and
        --resume continues from it (refused if the config changed); --shard i/n runs tasks
        i·J/n … of its J tasks (a KMC run or a fit per temperature and species, in the report's
        order) into a partial (default kinosons-report.shard-i-of-n.json) that \`ionfield merge\`
        turns into the report (docs/scale-out.md)

  --config FILE   JSON study configuration (schema ionfield.kinosons-config/1, see docs/kinosons.md)
  --json          machine-readable output (schemas ionfield.kinosons.{correlation,kmc,fit,report}/1)`;

const writeAtomically = writeFileAtomic;

const fmt = meanPm;

function describeCorrelation(r: CorrelationFactorResult): string {
  const v = r.variational;
  const lines = [
    `tracer correlation factor, one vacancy, pure ${r.lattice} ${r.supercell}×${r.supercell}×${r.supercell} conventional cells (${r.sites} sites)`,
    `  KMC (${r.kmc.trajectories} trajectories, ${r.kmc.jumps} jumps, ${r.kmc.seconds.toFixed(2)} s)   ${fmt(r.kmc)}${r.kmc.jumpsPerAtom < 200 ? `  (only ${r.kmc.jumpsPerAtom.toFixed(0)} jumps per atom per trajectory: biased low/high by the finite time; use more --steps)` : ''}`,
    v.complete.method === 'vector-star basis'
      ? `  variational, complete vector-star basis     ${v.complete.mean.toFixed(6)}  (exact for this supercell; ${v.complete.functions} functions, rank ${v.complete.rank})`
      : `  variational, complete basis (Laplacian)     ${v.complete.mean.toFixed(6)}  (exact for this supercell; the sampled vector-star route is skipped above 12 cells)`,
    `  exact Laplacian solve (independent check)   ${r.exact.f.toFixed(6)}`,
    `  variational, nearest-neighbour basis only   ${v.nearestNeighbour.mean.toFixed(6)}  (upper bound)`,
    `  uncorrelated bound (y = 0)                  1`,
    `  infinite lattice (literature)               ${r.infinite}`,
    '',
    '  supercell-size trend (exact for each supercell):',
    '    N   sites        f        f − f∞',
    ...r.trend.map((t) => `  ${String(t.supercell).padStart(3)} ${String(t.sites).padStart(7)}  ${t.f.toFixed(6)}  ${t.difference >= 0 ? '+' : ''}${t.difference.toExponential(2)}`),
  ];
  if (r.extrapolated)
    lines.push(`  extrapolated f∞ = ${r.extrapolated.f.toFixed(5)} from f(N) = f∞ + b/N_sites over N = ${r.extrapolated.from.join(', ')} (b = ${r.extrapolated.slope.toFixed(3)})`);
  return lines.join('\n');
}

function describeKmc(r: KmcReference): string {
  const lines = [`KMC reference at ${r.temperature} K: ${r.sites} sites, ${r.trajectories} trajectories, ${r.jumps} jumps, ${r.seconds.toFixed(2)} s`];
  const w = r.window;
  lines.push(
    r.estimator === 'slope'
      ? `  estimator: MSD slope over lags ${w.jumps[0]}–${w.jumps[1]} jumps per trajectory (${w.fractions[0]}–${w.fractions[1]} of the run, ${w.checkpoints} checkpoints, every time origin)`
      : '  estimator: |Δr|²/6t over whole trajectories (biased up by the MSD intercept; the slope estimator is the default)',
  );
  lines.push('  tracer D* (a² ν):');
  for (const s of r.species)
    lines.push(
      `    ${s.padEnd(8)} ${fmt(r.tracer[s])}   ${Number.isFinite(r.jumpsFor1Percent[s]) ? `(1 % error needs ~${r.jumpsFor1Percent[s].toExponential(2)} jumps, ~${r.secondsFor1Percent[s].toPrecision(3)} s)` : '(did not move in this run: no error to scale; run longer)'}`,
    );
  lines.push('  Onsager L_ab per site (a² ν):');
  for (const a of r.species) lines.push(`    ${a.padEnd(8)} ${r.species.map((b) => fmt(r.onsager[a][b], 3).padEnd(24)).join(' ')}`);
  lines.push('  whole-trajectory / slope − 1 (the intercept bias): ' + r.species.map((s) => `${s} ${r.interceptBias[s] === null ? '—' : `${(100 * r.interceptBias[s]!).toFixed(1)} %`}`).join(', '));
  for (const warning of r.warnings) lines.push(`  warning: ${warning}`);
  return lines.join('\n');
}

function describeFit(r: FitResult): string {
  const what = r.target.kind === 'tracer' ? `tracer D* of ${r.target.species}` : `collective L_${r.target.channel}${r.target.channel} per site`;
  const lines = [
    `variational fit of ${what} at ${r.temperature} K (${r.sampling === 'all' ? 'all exit jumps' : 'one KMC-chosen jump'} per state)`,
    `  states: ${r.trainingStates} training, ${r.validationStates} validation; transitions ${r.trainingTransitions} + ${r.validationTransitions}`,
    '  model                               functions  rank   training     validation (lower is better)',
    ...r.models.map(
      (m) =>
        `  ${m.name.padEnd(36)}${String(m.functions).padStart(6)} ${String(m.rank).padStart(5)}   ${m.training.toPrecision(5).padEnd(12)} ${fmt(m.validation)}${m.residualCoefficient !== null ? `  (residual bias c = ${m.residualCoefficient.toFixed(3)})` : ''}${m.name === r.best ? '  ← best' : ''}`,
    ),
    ...r.models.filter((m) => m.name === r.best).map((m) => `  time of the best model: accumulate ${m.profile.accumulateSeconds.toPrecision(3)} s${m.profile.correctorSolves ? ` (${m.profile.correctorSolves} corrector solves, ${(m.profile.correctorIterations / m.profile.correctorSolves).toFixed(0)} CG iterations each, ${m.profile.correctorThreadSeconds.toPrecision(3)} thread-s)` : ''}, solve ${m.profile.solveSeconds.toPrecision(2)} s, validation ${m.validationSeconds.toPrecision(3)} s (wall)`),
    `  D from kinosons (best model, an upper bound): ${fmt(r.bound)} a² ν; ${Number.isFinite(r.statesFor1Percent) ? `1 % error needs ~${r.statesFor1Percent} states (~${r.secondsFor1Percent.toPrecision(3)} s)` : 'D = 0: no error to scale'}`,
    ...(r.refined ? describeRefined(r.refined, r.bound) : []),
    `  kinosons: ${r.kinosons.count}; the largest ${(100 * r.kinosons.cumulative.fractionFor50).toFixed(1)} % carry half of D, ${(100 * r.kinosons.cumulative.fractionFor90).toFixed(1)} % carry 90 %`,
    `  share of D by jumping species: ${r.kinosons.bySpecies.map((d) => `${d.group} ${(100 * d.share).toFixed(1)} %`).join(', ')}`,
  ];
  return lines.join('\n');
}

function parseTarget(value: string | undefined, first: string): Target {
  if (!value) return { kind: 'tracer', species: first };
  const m = /^(tracer|collective):(.+)$/.exec(value);
  if (!m) throw new UsageError(`--target: expected tracer:NAME or collective:NAME, got '${value}'`);
  return m[1] === 'tracer' ? { kind: 'tracer', species: m[2] } : { kind: 'collective', channel: m[2] };
}

export const kinosonsCommand: Command = {
  name: 'kinosons',
  summary: 'lattice KMC, the variational principle and kinosons for alloy diffusion',
  usage,
  async run(argv) {
    const [sub, ...rest] = argv;
    const { values } = parse(
      rest,
      {
        lattice: { type: 'string' },
        supercell: { type: 'string' },
        steps: { type: 'string' },
        trajectories: { type: 'string' },
        seed: { type: 'string' },
        threads: { type: 'string' },
        config: { type: 'string' },
        temperature: { type: 'string' },
        target: { type: 'string' },
        out: { type: 'string' },
        'out-dir': { type: 'string' },
        states: { type: 'string' },
        set: { type: 'string' },
        training: { type: 'string' },
        validation: { type: 'string' },
        resume: { type: 'boolean' },
        shard: { type: 'string' },
        partial: { type: 'string' },
        'no-kmc': { type: 'boolean' },
        json: { type: 'boolean' },
      },
      false,
    );
    checkApplicable(sub, values);
    const json = Boolean(values.json);
    const progress = (label: string) => {
      const bar = new Progress(label, null, !json);
      return { bar, fn: bar.report };
    };
    const needConfig = () => {
      if (!values.config) throw new UsageError('--config FILE is required');
      return loadConfig(values.config as string);
    };
    const configFile = values.config as string;
    // Values and output paths are checked before anything is computed.
    const temperature = temperatureOption(values.temperature as string | undefined);
    if (values.out) checkOutputFile(values.out as string, '--out');
    const emit = (result: unknown, text: string) => {
      if (values.out) writeAtomically(values.out as string, JSON.stringify(result, null, 2) + '\n');
      if (json) printJson(result);
      else console.log(text);
    };
    const emitPlain = (result: unknown, text: string) => {
      if (json) printJson(result);
      else console.log(text);
    };
    switch (sub) {
      case 'correlation-factor': {
        const lattice = values.lattice ?? 'fcc';
        if (lattice !== 'fcc' && lattice !== 'bcc' && lattice !== 'sc') throw new UsageError(`--lattice: expected fcc, bcc or sc, got '${lattice}'`);
        const supercell = boundedInteger(values.supercell as string | undefined, 'supercell') ?? 4;
        const p = progress('KMC');
        const r = await correlationFactor(
          {
            lattice,
            supercell,
            steps: boundedInteger(values.steps as string | undefined, 'steps'),
            trajectories: boundedInteger(values.trajectories as string | undefined, 'trajectories'),
            seed: boundedInteger(values.seed as string | undefined, 'seed'),
            threads: boundedInteger(values.threads as string | undefined, 'threads'),
          },
          { onProgress: p.fn },
        );
        p.bar.done();
        emit(r, describeCorrelation(r));
        return 0;
      }
      case 'generate': {
        if (!values.out) throw new UsageError('--out FILE.npy is required');
        const n0 = boundedInteger(values.states as string | undefined, 'states');
        const set = (values.set as string | undefined) ?? 'training';
        if (set !== 'training' && set !== 'validation') throw new UsageError(`--set: expected training or validation, got '${set}'`);
        checkOutputFile(`${values.out}.json`, '--out');
        const config = needConfig();
        const n = n0 ?? config.states.training;
        const T = temperature ?? config.temperatures[0];
        // The validation set uses the study's validation seed, so a fit from these files sees the
        // same states as one that regenerates them.
        const seed = set === 'validation' ? config.seed + VALIDATION_SEED_OFFSET : config.seed;
        const file = values.out as string;
        if (values.shard !== undefined) {
          // One shard of the states (whole swap-MC chains): a partial for `ionfield merge`.
          const shard = parseShard(values.shard as string);
          const out = (values.partial as string | undefined) ?? `generate.shard-${shard.index}-of-${shard.count}.json`;
          saveShardPartial(out, await forConfig(configFile, () => generateShard(configFile, config, { temperature: T, states: n, set, seed, out: path.resolve(file) }, shard)));
          emitPlain({ partial: out, shard: `${shard.index}/${shard.count}` }, `wrote shard ${shard.index}/${shard.count} of the states to ${out} (merge with ionfield merge)`);
          return 0;
        }
        const r = await forConfig(configFile, () => sampleStates({ ...config, seed }, T, n));
        const summary = writeStatesFiles(file, config, T, set, seed, r);
        emitPlain(summary, `wrote ${r.states} states × ${r.sites} sites to ${file} (+ ${file}.json)`);
        return 0;
      }
      case 'kmc': {
        const config = needConfig();
        const T = temperature ?? config.temperatures[0];
        const p = progress('KMC');
        if (values.shard !== undefined) {
          // One shard of the trajectories: a shard partial for `ionfield merge` (docs/scale-out.md).
          const shard = parseShard(values.shard as string);
          const out = (values.out as string | undefined) ?? `kmc.shard-${shard.index}-of-${shard.count}.json`;
          const partial = await forConfig(configFile, () => runKmcShard(configFile, config, T, shard, { onProgress: p.fn }));
          p.bar.done();
          saveShardPartial(out, partial);
          const piece = partial.pieces[0];
          console.error(`ionfield kinosons kmc: shard ${shard.index}/${shard.count}: trajectories ${piece.first}–${piece.first + piece.count - 1} → ${out}`);
          return 0;
        }
        const r = await forConfig(configFile, () => runKmc(config, T, { onProgress: p.fn }));
        p.bar.done();
        emit(r, describeKmc(r));
        return 0;
      }
      case 'fit': {
        if (values.shard === undefined && values.partial !== undefined) throw new UsageError('--partial is for --shard');
        if (values.shard !== undefined && values.out !== undefined) throw new UsageError('--out: a fit shard writes a partial (--partial); ionfield merge … --out FILE writes the result');
        const config = needConfig();
        const target = parseTarget(values.target as string | undefined, config.species[0].name);
        const T = temperature ?? config.temperatures[0];
        const p = progress('fit');
        const given: GivenStates = {};
        if (values.training) given.training = loadStates(values.training as string, config, T);
        if (values.validation) given.validation = loadStates(values.validation as string, config, T);
        if (values.shard !== undefined) {
          // The training sums of whole accumulation lanes: a partial for `ionfield merge`, which
          // solves, validates and reports as the single run (docs/scale-out.md).
          const shard = parseShard(values.shard as string);
          checkShardableModels(config);
          const out = (values.partial as string | undefined) ?? `fit.shard-${shard.index}-of-${shard.count}.json`;
          checkOutputFile(out, '--partial');
          const partial = await forConfig(configFile, () => runFitShard(configFile, config, { temperature: T, target, given, kmc: !values['no-kmc'] }, shard, { onProgress: p.fn }));
          p.bar.done();
          saveShardPartial(out, partial);
          const piece = partial.pieces[0];
          emitPlain(
            { partial: out, shard: `${shard.index}/${shard.count}`, trainingStates: [piece.firstState, piece.lastState - 1] },
            `wrote shard ${shard.index}/${shard.count} of the fit (training states ${piece.firstState}–${piece.lastState - 1}) to ${out} (merge with ionfield merge)`,
          );
          return 0;
        }
        const r = await forConfig(configFile, () => runFit(config, T, target, { onProgress: p.fn, given }));
        p.bar.done();
        // The same quantity from the config's KMC on this machine, with the cost of a 1 % error
        // each way (skipped with --no-kmc, e.g. when the config's KMC is long).
        let comparison: CostComparison | undefined;
        if (!values['no-kmc']) {
          const k = progress('KMC for the cost comparison');
          comparison = compareCosts(r, await forConfig(configFile, () => runKmc(config, T, { onProgress: k.fn })));
          k.bar.done();
        }
        emit({ ...r, comparison }, describeFit(r) + (comparison ? '\n' + describeCosts(comparison) : ''));
        return 0;
      }
      case 'report': {
        if (!values['out-dir']) throw new UsageError('--out-dir DIR is required');
        if (!values.config) throw new UsageError('--config FILE is required');
        if (values.shard !== undefined) return reportShardCli(values.config as string, values['out-dir'] as string, values.shard as string, values.partial as string | undefined);
        if (values.partial !== undefined) throw new UsageError('--partial is for --shard');
        return report(values.config as string, values['out-dir'] as string, json, Boolean(values.resume));
      }
      case undefined:
        throw new UsageError('a subcommand is required');
      default:
        throw new UsageError(`unknown subcommand '${sub}'`);
    }
  },
};
