import { loadSet, shippedSets } from '../descriptor-sets';
import { writeDescriptors, Device, DescriptorRunOptions } from '../descriptors';
import { descriptorsShard } from '../descriptors-shard';
import { parseShard, saveShardPartial } from '../shard/partial-file';
import { parseCharges, parseLabelBy } from '../trajectory';
import { Command, integerOption, numberOption, Options, parse, printJson, UsageError } from './command';
import { allowUsage, centresJson, moleculeOptions, moleculesFromValues, moleculeUsage, selectionFromValues, selectionOptions, topologyCharges } from './selection';
import { Progress } from './progress';

function listSets(json: boolean): number {
  const sets = shippedSets().map((name) => {
    const def = loadSet(name);
    return { name, description: def.description, lengthUnit: def.lengthUnit };
  });
  if (json) printJson({ schema: 'ionfield.descriptor-sets/2', sets });
  else for (const s of sets) console.log(`${s.name.padEnd(14)} ${s.description}`);
  return 0;
}

/** The options of this command (exported: `ionfield slurm` parses a command line before it submits it). */
export const descriptorsOptions: Options = {
  set: { type: 'string' },
  out: { type: 'string' },
  scale: { type: 'string' },
  species: { type: 'string' },
  'label-by': { type: 'string' },
  charges: { type: 'string' },
  ...selectionOptions,
  ...moleculeOptions,
  batch: { type: 'string' },
  threads: { type: 'string' },
  device: { type: 'string' },
  'list-sets': { type: 'boolean' },
  shard: { type: 'string' },
  partial: { type: 'string' },
  'selected-frames': { type: 'string' },
  json: { type: 'boolean' },
};

export const descriptorsCommand: Command = {
  name: 'descriptors',
  summary: 'symmetry-function descriptors of every ion in every frame, streamed to a .npy file',
  usage: `ionfield descriptors <trajectory> --set <file|name> --out <file.npy> [options]
ionfield descriptors --list-sets [--json]

  --set S             a shipped set (benchmark, compact, behler-narrow, radial-fine), a JSON set
                      file (schema ionfield.descriptor-set/2) or an n2p2 input.nn with
                      symfunction_short lines (types 2, 3, 9)
  --out F.npy         frames x rows x features, float32; beside it F.columns.json names every
                      column (centre species, neighbour species, type, parameters) and row (atom)
  --scale L           multiply the set's lengths by L (shipped sets are in ion diameters)
  --species A,B       species order for generic sets (default: the trajectory's labels, sorted)
  --type-map 1:Na,2:Cl   rename species labels first
  --label-by type|charge  species labels: the file's (default) or each ion's charge ("+1", "-1",
                      "+2"; from the q column or --charges), as ionfield dataset --label-by
  --charges 1:2,2:-1  charges per species label (files without a q column)
  --topology FILE     species and charges from an x.topology.json or a LAMMPS data file (with
                      molecules: one row per molecule at its centre of mass, see --centres), or
                      labels from the first frame of another trajectory FILE (DCD/XTC input)
${moleculeUsage}
  --format F          trajectory format (default: from extension, then content)
  --start N --stop N --stride N   frame selection (0-based, stop exclusive)
${allowUsage}
  --shard i/n           run shard i (0-based) of n of the frames (whole batches) into
                        <out>.shard-i-of-n.npy and a partial (--partial FILE, default
                        descriptors.shard-i-of-n.json); \`ionfield merge\` writes --out as the single
                        run does, bit for bit (docs/scale-out.md)
  --selected-frames N   with --shard: the run's frame count, known already (else the file is scanned)
  --batch N           frames per native call (default 16; memory grows with it)
  --threads N         CPU threads (default: all)
  --device D          auto (default: GPU when usable) | cpu | cuda
  --json              print a JSON summary (schema ionfield.descriptors/2)`,
  async run(argv) {
    const { values, positionals } = parse(argv, descriptorsOptions);
    if (values['list-sets']) return listSets(Boolean(values.json));
    if (positionals.length !== 1) throw new UsageError('expected exactly one trajectory file');
    if (!values.set) throw new UsageError('--set is required (ionfield descriptors --list-sets shows the shipped ones)');
    if (!values.out) throw new UsageError('--out is required');
    const out = values.out as string;
    if (!/\.npy$/i.test(out)) throw new UsageError(`--out must end in .npy, got '${out}'`);
    const device = (values.device ?? 'auto') as string;
    if (!['auto', 'cpu', 'cuda'].includes(device)) throw new UsageError(`--device must be auto, cpu or cuda, got '${device}'`);
    // The selection first: it cuts a topology down to the atoms the trajectory holds.
    const selection = await selectionFromValues(values, positionals[0]);
    const molecules = moleculesFromValues(values);
    const options: DescriptorRunOptions = {
      ...selection,
      molecules,
      set: values.set as string,
      labelBy: parseLabelBy(values['label-by'] as string | undefined),
      charges: values.charges ? parseCharges(values.charges as string) : topologyCharges(values),
      scale: numberOption(values.scale as string | undefined, 'scale', (v) => v > 0 && Number.isFinite(v)),
      species: values.species ? (values.species as string).split(',').map((s) => s.trim()).filter(Boolean) : undefined,
      batchSize: integerOption(values.batch as string | undefined, 'batch', 1),
      threads: integerOption(values.threads as string | undefined, 'threads', 0),
      device: device as Device,
    };
    if (values.shard !== undefined) {
      if (molecules) throw new UsageError('--shard is not available yet with molecules (a topology with molecules): run it as one process, or shard with --centres atoms');
      // One shard of the frames: its part of the array and a partial for `ionfield merge`.
      const shard = parseShard(values.shard as string);
      const file = (values.partial as string | undefined) ?? `descriptors.shard-${shard.index}-of-${shard.count}.json`;
      saveShardPartial(file, await descriptorsShard(positionals[0], out, options, shard, integerOption(values['selected-frames'] as string | undefined, 'selected-frames', 1)));
      console.error(`ionfield descriptors: shard ${shard.index}/${shard.count} → ${file}`);
      return 0;
    }
    if (values.partial !== undefined || values['selected-frames'] !== undefined) throw new UsageError('--partial and --selected-frames are for --shard');
    const progress = new Progress('descriptors', null, !values.json);
    const summary = await writeDescriptors(positionals[0], out, { ...options, onProgress: progress.report });
    progress.done();
    // Which points the rows are: atoms, or centres of mass of molecules (solvent molecules included).
    if (values.json) printJson({ ...summary, ...centresJson(molecules), ...(molecules ? { warnings: molecules.warnings } : {}) });
    else {
      if (molecules) console.log(`centres: molecules of ${molecules.file} (${molecules.species.map((s) => `${s.name} × ${s.count}`).join(', ')})`);
      const feats = Object.entries(summary.features).map(([s, n]) => `${s}: ${n}`).join(', ');
      console.log(`wrote ${summary.output}: ${summary.frames} frames x ${summary.rows} ions x ${summary.shape[2]} features (float32; ${feats})`);
      console.log(`columns: ${summary.columns}`);
      console.log(`${summary.device === 'cuda' ? 'GPU' : 'CPU'} (${summary.deviceNote}), ${summary.seconds.toFixed(2)} s, ${summary.framesPerSecond.toFixed(1)} frames/s`);
    }
    return 0;
  },
};
