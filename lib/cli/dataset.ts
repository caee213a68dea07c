import { buildDataset, DatasetOptions } from '../dataset';
import { datasetShard } from '../dataset/shard';
import { parseShard, saveShardPartial } from '../shard/partial-file';
import { Device } from '../descriptors';
import { parseCharges, parseLabelBy } from '../trajectory';
import { Command, integerOption, numberOption, parse, printJson, UsageError } from './command';
import { centresJson, moleculeOptions, moleculesFromValues, moleculeUsage, selectionFromValues, selectionOptions, topologyCharges } from './selection';
import { Progress } from './progress';

/** The options `dataset` parses (also read by `ionfield slurm dataset` to count the frames). */
export const datasetOptions = {
  set: { type: 'string' },
  tau: { type: 'string' },
  'tau-short': { type: 'string' },
  out: { type: 'string' },
  'origin-stride': { type: 'string' },
  manifest: { type: 'string' },
  temperature: { type: 'string' },
  units: { type: 'string' },
  timestep: { type: 'string' },
  names: { type: 'string' },
  'no-transport': { type: 'boolean' },
  'formula-units': { type: 'string' },
  scale: { type: 'string' },
  species: { type: 'string' },
  'label-by': { type: 'string' },
  ...selectionOptions,
  ...moleculeOptions,
  charges: { type: 'string' },
  threads: { type: 'string' },
  device: { type: 'string' },
  batch: { type: 'string' },
  json: { type: 'boolean' },
  shard: { type: 'string' },
  partial: { type: 'string' },
  'selected-frames': { type: 'string' },
} as const;

export const datasetCommand: Command = {
  name: 'dataset',
  summary: 'training set: descriptors at origin frames and local molar conductivity targets λ_i(t0)',
  usage: `ionfield dataset <trajectory...> --set <set> --tau t --out <dir> [options]

  Writes <dir>/dataset.json (schema ionfield.dataset/2) and per system <dir>/<name>/
  features-<S>.npy (float32 [frames, ions of S, features]), lambda-<S>.npy (float64
  [frames, ions of S]), frames.json and system.json. Systems already built with the same
  request are skipped (rerun to resume). Format: docs/dataset.md.

  --set S             descriptor set: a shipped name (ionfield descriptors --list-sets) or file
  --tau t             lag of the targets, in the trajectory's time units (lj τ, real fs, metal and
                      gromacs ps); a whole number of frames
  --units U           lj (default), real, metal or gromacs, as for transport: λ_i in lj reduced
                      units, else in S cm²/mol (a model trained on it needs predict --units U)
  --tau-short ta      two-lag target: λ_i = K N z_i [Δr_i·J(τ) − Δr_i·J(ta)]/(τ − ta), the EH
                      slope between two lags without the finite-lag intercept (docs/dataset.md)
  --out DIR           the dataset folder
  --origin-stride n   every n-th frame is an origin (default 1)
  --manifest F        family manifest (data/family/manifest.json): parameters, temperature,
                      timestep and Λ_EH per system, matched by system name
  --temperature T     temperature (ε/k_B in lj, else K); required without a manifest
  --timestep dt       MD timestep, for LAMMPS dumps (steps but no times)
  --names a,b         system names (default: the folder of traj.lammpstrj, else the file name)
  --formula-units N   n_f for mixtures (default: from the salt's stoichiometry, as in transport)
  --no-transport      do not run ionfield transport for Λ_EH when the manifest has none
  --scale L           multiply the set's lengths by L
  --species A,B       species order for generic sets
  --label-by type|charge
                      species labels: 'type' (default, the file's labels after --type-map) or
                      'charge': each ion is labelled by its charge ("+1", "-1", "+2"), so a
                      divalent cation typed "1" is not the monovalent cation "1" of another system
  --type-map 1:Na,2:Cl  --charges 1:1,2:-1  --topology FILE  --format F  --start N --stop N
                      (XTC/DCD: species and charges from <name>.topology.json beside the file;
                      a LAMMPS data file or JSON topology with molecules: one ion per molecule)
${moleculeUsage}
  --allow LIST        read overrides: box-jumps, dcd-nsavc, skewed-cells (docs/formats.md)
  --threads N --device auto|cpu|cuda --batch N
  --json              print a JSON summary (schema ionfield.dataset-build/2)
  --shard i/n         build shard i (0-based) of n of every system's origin frames into
                      <out>/<system>/shard-i-of-n/ and a partial (--partial FILE, default
                      dataset.shard-i-of-n.json); \`ionfield merge\` writes the single run's folder,
                      bit for bit but the seconds (docs/scale-out.md)
  --selected-frames N[,N...]
                      with --shard: each trajectory's frame count, known already (else scanned)`,
  async run(argv) {
    const { values, positionals } = parse(argv, datasetOptions);
    if (positionals.length === 0) throw new UsageError('expected one or more trajectory files');
    if (!values.set) throw new UsageError('--set is required');
    if (!values.tau) throw new UsageError('--tau is required');
    if (!values.out) throw new UsageError('--out is required');
    if (values.stride) throw new UsageError('--stride does not apply: the targets need every frame for the lag τ; use --origin-stride');
    const device = (values.device ?? 'auto') as string;
    if (!['auto', 'cpu', 'cuda'].includes(device)) throw new UsageError(`--device must be auto, cpu or cuda, got '${device}'`);
    const units = (values.units ?? 'lj') as string;
    if (!['lj', 'real', 'metal', 'gromacs'].includes(units)) throw new UsageError(`--units: '${units}' is not one of lj, real, metal, gromacs`);
    const progress = new Progress('dataset', null, !values.json);
    const selection = await selectionFromValues(values, positionals[0]);
    const molecules = moleculesFromValues(values);
    const options: DatasetOptions = {
      ...selection,
      molecules,
      set: values.set as string,
      tau: numberOption(values.tau as string, 'tau', (v) => v > 0 && Number.isFinite(v))!,
      tauShort: numberOption(values['tau-short'] as string | undefined, 'tau-short', (v) => v > 0 && Number.isFinite(v)),
      originStride: integerOption(values['origin-stride'] as string | undefined, 'origin-stride', 1),
      manifest: values.manifest as string | undefined,
      temperature: numberOption(values.temperature as string | undefined, 'temperature', (v) => v > 0),
      units,
      timestep: numberOption(values.timestep as string | undefined, 'timestep', (v) => v > 0),
      names: values.names ? (values.names as string).split(',') : undefined,
      transport: !values['no-transport'],
      formulaUnits: numberOption(values['formula-units'] as string | undefined, 'formula-units', (v) => v > 0),
      scale: numberOption(values.scale as string | undefined, 'scale', (v) => v > 0 && Number.isFinite(v)),
      species: values.species ? (values.species as string).split(',').map((s) => s.trim()).filter(Boolean) : undefined,
      labelBy: parseLabelBy(values['label-by'] as string | undefined),
      charges: values.charges ? parseCharges(values.charges as string) : topologyCharges(values),
      threads: integerOption(values.threads as string | undefined, 'threads', 0),
      batchSize: integerOption(values.batch as string | undefined, 'batch', 1),
      device: device as Device,
      onProgress: (p) => p.unit === 'frames' && progress.update(p.done, `frames (${p.stage.replace(/^dataset: /, '')})`),
      onSystem: undefined,
    };
    if (values.shard !== undefined) {
      // One shard of every system's origins: its parts of the arrays and a partial for `ionfield merge`.
      const shard = parseShard(values.shard as string);
      const file = (values.partial as string | undefined) ?? `dataset.shard-${shard.index}-of-${shard.count}.json`;
      const known = values['selected-frames'] === undefined ? undefined : (values['selected-frames'] as string).split(',').map((v) => integerOption(v, 'selected-frames', 1)!);
      saveShardPartial(file, await datasetShard(positionals, values.out as string, options, shard, known));
      progress.done();
      console.error(`ionfield dataset: shard ${shard.index}/${shard.count} → ${file}`);
      return 0;
    }
    if (values.partial !== undefined || values['selected-frames'] !== undefined) throw new UsageError('--partial and --selected-frames are for --shard');
    const summary = await buildDataset(positionals, values.out as string, {
      ...options,
      onSystem: (e, skipped) => {
        if (values.json) return;
        progress.done();
        console.log(`${e.name}: ${skipped ? 'kept (already built)' : 'built'}, ${e.frames} origins, ⟨λ⟩ = ${e.lambdaMean.toPrecision(6)}, EH at τ = ${e.ehAtTau.toPrecision(6)} (sum rule ${e.sumRuleRelativeError.toExponential(1)}), Λ_EH = ${e.lambdaEh?.value?.toPrecision(4) ?? 'n/a'}`);
      },
    });
    progress.done();
    // Which points the ions are: atoms, or centres of mass of molecules (λ_i of molecular ions).
    if (values.json) printJson({ ...summary, ...centresJson(molecules) });
    else console.log(`wrote ${summary.dataset}: ${summary.systems.length} system(s), largest sum-rule error ${summary.maxSumRuleRelativeError.toExponential(2)}, ${summary.seconds.toFixed(1)} s`);
    return 0;
  },
};
