import { Device } from '../descriptors';
import { Provider } from '../model/inference';
import { defaultModelPath, PredictOptions, predictTrajectory, PredictReport } from '../model/predict';
import { predictShard } from '../model/predict-shard';
import { parseShard, saveShardPartial } from '../shard/partial-file';
import type { SharedPredictReport } from '../model/predict-shared';
import { parseCharges } from '../trajectory';
import { Command, integerOption, Options, parse, printJson, UsageError } from './command';
import { allowUsage, centresJson, moleculeOptions, moleculesFromValues, moleculeUsage, selectionFromValues, selectionOptions, topologyCharges } from './selection';
import { Progress } from './progress';
import { runPredictTable } from './predict-table';

function printReport(r: PredictReport): void {
  const l = r.lambdaMl;
  const shared = r as Partial<SharedPredictReport>;
  if (shared.lambdaMl?.parts) {
    const p = shared.lambdaMl.parts;
    if (!Number.isFinite(l.error)) console.log(`Λ_ML = ${l.value.toPrecision(4)} (${l.units}; τ = ${l.tau}): no error bar — Λ_ML is not a positive number (see the domain reasons)`);
    else {
      console.log(`Λ_ML = ${l.value.toPrecision(4)} ± ${l.error.toPrecision(2)} (${l.units}; τ = ${l.tau})`);
      console.log(`  error: model ${p.model.toPrecision(2)} (calibrated committee error) ⊕ sampling ${p.sampling.toPrecision(2)} (${l.blocks} blocks of ${l.blockFrames} frames); ${shared.lambdaMl.dominant} dominates`);
    }
    console.log(`  domain: score ${shared.domain!.score.toFixed(2)} (threshold ${shared.domain!.threshold}), committee spread ${(100 * shared.domain!.relativeSpread).toFixed(1)} % → ${shared.inDomain ? 'in domain' : 'OUT OF DOMAIN'}`);
  } else console.log(`Λ_ML = ${l.value.toPrecision(6)} ± ${l.error.toPrecision(2)} (${l.units}; τ = ${l.tau}; error from ${l.blocks} blocks of ${l.blockFrames} frames)`);
  for (const [s, v] of Object.entries(r.species)) console.log(`  species ${s}${typeof v.charge === 'number' ? ` (z = ${v.charge})` : ''}: ${v.ions} ions, mean λ̂ ${v.lambdaMean.toPrecision(6)}`);
  console.log(`${r.frames} frames x ${r.ions} ions in ${r.seconds.toFixed(2)} s (${r.ionsFramesPerSecond.toExponential(3)} ion-frames/s); ONNX Runtime ${r.provider}${r.providerNote ? ` (${r.providerNote})` : ''}, descriptors on ${r.device}`);
  const st = r.stages;
  console.log(`stages (wall s, overlapping): read ${st.read.toFixed(2)}, descriptors ${st.descriptors.toFixed(2)}, inference ${st.inference.toFixed(2)}, write ${st.write.toFixed(2)}`);
  for (const [s, n] of Object.entries(r.ignored)) console.log(`  species ${s}: ${n} atoms left out (--ignore-species)`);
  if (r.field) console.log(`wrote ${r.field.path}: λ̂ per frame x ion (float32)${r.field.spreadPath ? `, and its committee spread ${r.field.spreadPath}` : ''}`);
}

/** Out of its depth: a warning on stderr (the JSON says "inDomain": false); the exit code stays 0. */
function warnOutOfDomain(r: PredictReport): void {
  const shared = r as Partial<SharedPredictReport>;
  if (shared.sizes && !Object.keys(shared.sizes.values).length)
    process.stderr.write(`ionfield predict: note: no ion diameters given (--sizes, or "sizes" in the topology file): every ion is taken as diameter 1; pass them for salts of unequal ion sizes\n`);
  if (shared.inDomain === false)
    process.stderr.write(`ionfield predict: warning: ${r.trajectory} is outside the model's training domain; Λ_ML and its error bar may be wrong:\n${shared.domain!.reasons.map((x) => `  - ${x}`).join('\n')}\n`);
}

/** The options of this command (exported: `ionfield slurm` parses a command line before it submits it). */
export const predictOptions: Options = {
  model: { type: 'string' },
  out: { type: 'string' },
  units: { type: 'string' },
  ...selectionOptions,
  ...moleculeOptions,
  charges: { type: 'string' },
  'ignore-species': { type: 'string' },
  'formula-units': { type: 'string' },
  sizes: { type: 'string' },
  batch: { type: 'string' },
  threads: { type: 'string' },
  device: { type: 'string' },
  provider: { type: 'string' },
  shard: { type: 'string' },
  partial: { type: 'string' },
  'selected-frames': { type: 'string' },
  table: { type: 'boolean' },
  list: { type: 'string' },
  'out-dir': { type: 'string' },
  json: { type: 'boolean' },
};

export const predictCommand: Command = {
  name: 'predict',
  summary: 'per-ion local conductivity λ̂ and Λ_ML of a trajectory from a trained ONNX model',
  usage: `ionfield predict <trajectory> [--model model.onnx] [options]
ionfield predict <trajectory>... | --list FILE [--out-dir DIR] [options]

  Several trajectories (or --table, or --list): one prediction per trajectory, one row each (text
  table, or --json: schema ionfield.trajectory-table/1, each row's result the single run's report).


  --model F.onnx        default: the shipped model (data/models/default.onnx, docs/model.md); or a
                        model from ionfield train, or any ONNX model with a documented signature
  --out F.npy           per-ion λ̂, frames x ions (float32); ions are the atoms of the model's species
                        in file order (listed in the --json report)
  --units U             unit style of the trajectory (default lj); must equal the model's
  --type-map 1:Na,2:Cl  rename species labels first
  --charges 1:2,2:-1    charges per species label, for models whose species are charge labels
                        ("+1", "-1", "+2"; metadata ionfield.speciesLabels = "charge") when the
                        file has no q column; such a model labels each ion by its charge
  --topology FILE       species and charges from an x.topology.json or a LAMMPS data file (with
                        molecules: one ion per molecule at its centre of mass, see --centres), or
                        labels from the first frame of another trajectory FILE (DCD/XTC input)
${moleculeUsage}
  --ignore-species A,B  leave the atoms of these file species out entirely (neither centres nor
                        neighbours), e.g. explicit solvent; the model then sees the ions only
  --formula-units N     n_f for mixtures (shared models; default: from the salt's stoichiometry)
  --sizes 1:1,2:1.5     ion diameters per species (shared models; σ in lj units): the model reads
                        them with the structure; without them every ion is taken as 1

  --format F            trajectory format (default: from extension, then content)
  --start N --stop N --stride N   frame selection (0-based, stop exclusive)
${allowUsage}
  --batch N             frames per descriptor/ONNX call (default 32)
  --threads N           CPU threads for descriptors (default: all)
  --device D            descriptors on auto (default) | cpu | cuda
  --provider P          ONNX Runtime on auto (default: CUDA when available) | cpu | cuda
  --json                print the report (schema ionfield.predict/2)
  --shard i/n           shared models: run shard i (0-based) of n of the frames (whole batches) and
                        write its partial to --partial FILE (default predict.shard-i-of-n.json) and
                        its part of --out; \`ionfield merge\` gives the single run's report and field
  --selected-frames N   with --shard: the run's frame count, known already (else the file is scanned;
                        a table: one count per row, comma-separated)
  --table               a table even of one trajectory
  --list FILE           the table's trajectories: one per line, optionally with name=NAME (or JSON,
                        schema ionfield.trajectory-list/1; docs/scale-out.md)
  --out-dir DIR         a table: each row's per-ion field to DIR/<name>.npy (and .spread.npy)
  --shard t/N           a table: N = rows × k, shard t is shard t mod k of row ⌊t/k⌋

  Shared models (the shipped default): Λ_ML ± total error, where the total combines the snapshot
  sampling error and the model error calibrated in the nested study (docs/model.md); --out also
  writes <name>.spread.npy (committee spread of each λ̂). A trajectory outside the training domain
  gets a warning on stderr and "inDomain": false in the JSON (exit code 0).`,
  async run(argv) {
    const { values, positionals } = parse(argv, predictOptions);
    const table = positionals.length > 1 || Boolean(values.table) || values.list !== undefined;
    if (!table && positionals.length !== 1) throw new UsageError('expected a trajectory file (several, or --list FILE, for a table)');
    if (!table && values['out-dir'] !== undefined) throw new UsageError('--out-dir is for several trajectories (a table); one trajectory takes --out FILE.npy');
    if (values.out && !/\.npy$/i.test(values.out as string)) throw new UsageError(`--out must end in .npy, got '${values.out}'`);
    const device = (values.device ?? 'auto') as string;
    if (!['auto', 'cpu', 'cuda'].includes(device)) throw new UsageError(`--device must be auto, cpu or cuda, got '${device}'`);
    const provider = (values.provider ?? 'auto') as string;
    if (!['auto', 'cpu', 'cuda'].includes(provider)) throw new UsageError(`--provider must be auto, cpu or cuda, got '${provider}'`);
    const units = (values.units ?? 'lj') as string;
    if (!['lj', 'real', 'metal', 'gromacs'].includes(units)) throw new UsageError(`--units: '${units}' is not one of lj, real, metal, gromacs`);
    // The selection first: it cuts a topology down to the atoms the trajectory holds.
    const selection = await selectionFromValues(values, positionals[0]);
    const molecules = moleculesFromValues(values);
    const options: PredictOptions = {
      ...selection,
      molecules,
      model: (values.model as string | undefined) ?? defaultModelPath(),
      charges: values.charges ? parseCharges(values.charges as string) : topologyCharges(values),
      out: values.out as string | undefined,
      ignoreSpecies: values['ignore-species'] ? (values['ignore-species'] as string).split(',').map((x) => x.trim()).filter(Boolean) : undefined,
      units,
      sizes: values.sizes ? parseCharges(values.sizes as string, '--sizes') : undefined,
      formulaUnits: values['formula-units'] ? integerOption(values['formula-units'] as string, 'formula-units', 1) : undefined,
      batchSize: integerOption(values.batch as string | undefined, 'batch', 1),
      threads: integerOption(values.threads as string | undefined, 'threads', 0),
      device: device as Device,
      provider: provider as Provider,
    };
    if (table) return runPredictTable(positionals, options, values as Record<string, string | boolean | undefined>, centresJson(molecules));
    if (values.shard !== undefined) {
      if (molecules) throw new UsageError('--shard is not available yet with molecules (a topology with molecules): run it as one process, or shard with --centres atoms');
      // One shard of the frames: its part of the field and a partial for `ionfield merge`.
      const shard = parseShard(values.shard as string);
      const file = (values.partial as string | undefined) ?? `predict.shard-${shard.index}-of-${shard.count}.json`;
      saveShardPartial(file, await predictShard(positionals[0], options, shard, integerOption(values['selected-frames'] as string | undefined, 'selected-frames', 1)));
      console.error(`ionfield predict: shard ${shard.index}/${shard.count} → ${file}`);
      return 0;
    }
    if (values.partial !== undefined || values['selected-frames'] !== undefined) throw new UsageError('--partial and --selected-frames are for --shard');
    const progress = new Progress('predict', null, !values.json);
    const report = await predictTrajectory(positionals[0], { ...options, onProgress: progress.report });
    progress.done();
    // Which points the ions are: atoms, or centres of mass of molecules.
    if (values.json) printJson({ ...report, ...centresJson(molecules) });
    else printReport(report);
    warnOutOfDomain(report);
    return 0;
  },
};
