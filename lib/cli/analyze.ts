// `ionfield analyze`: the analyses of a per-ion field (λ̂ from `ionfield predict`, or targets) on
// the frames it came from: distributions, g_ab(r), coordination, ion pairs, C_ab(r).
import * as path from 'node:path';
import { analyzeField, AnalysisResult, LoadFieldOptions, openField, writeAnalysis } from '../analysis';
import { analyzeShard } from '../analysis/shard';
import { parseShard, saveShardPartial } from '../shard/partial-file';
import { parseCharges, parseKeyValueList } from '../trajectory';
import { Command, integerOption, numberOption, parse, printJson, UsageError } from './command';
import { Progress } from './progress';
import { centresJson, moleculeOptions, moleculesFromValues, moleculeUsage, typesFromTopology } from './selection';

const fmt = (v: number | null | undefined, d = 4) => (v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : v.toPrecision(d));

function describe(r: AnalysisResult, out: string): string {
  const lines = [`field           ${r.provenance.field ?? ''} on ${r.provenance.trajectory ?? ''} (${r.frames} frames × ${r.ions} ions)`, ''];
  lines.push('species   samples     mean ± err        std     std/mean  in-frame  skew   q05      q50      low-tail ratio');
  for (const d of r.distributions)
    lines.push(`${d.species.padEnd(9)} ${String(d.samples).padEnd(10)} ${`${fmt(d.mean.value)} ± ${fmt(d.mean.error, 2)}`.padEnd(17)} ${fmt(d.std.value).padEnd(7)} ${fmt(d.relativeStd.value).padEnd(9)} ${fmt(d.withinFrameRelativeStd.value).padEnd(9)} ${fmt(d.skewness, 3).padEnd(6)} ${fmt(d.quantiles.q05).padEnd(8)} ${fmt(d.quantiles.q50).padEnd(8)} ${fmt(d.lowTailRatio, 3)}`);
  lines.push('', `pair structure  rMax ${fmt(r.structure.rMax)}, ${r.structure.bins} bins, ${r.structure.blocks} jackknife blocks`);
  for (const c of r.structure.curves) {
    const peak = c.g.indexOf(Math.max(...c.g));
    lines.push(`  g_${c.a}${c.b}: first peak ${fmt(c.g[peak])} at r = ${fmt(c.r[peak])}`);
  }
  if (r.clusters) {
    lines.push('', `ion pairs       cutoff ${fmt(r.clusters.cutoff)} (${r.clusters.cutoffSource})`);
    for (const c of r.clusters.classes) lines.push(`  ${c.species.padEnd(6)} ${c.class.padEnd(8)} ${(100 * c.fraction).toFixed(1).padStart(5)} %   λ = ${fmt(c.mean)} ± ${fmt(c.error, 2)}`);
    lines.push(`  largest cluster: ${(100 * r.clusters.largestClusterFraction).toFixed(0)} % of the ions on average; by counter-ions within the cutoff:`);
    for (const c of r.clusters.byCounterIons) lines.push(`  ${c.species.padEnd(6)} ${c.counterIons.padEnd(8)} ${(100 * c.fraction).toFixed(1).padStart(5)} %   λ = ${fmt(c.mean)} ± ${fmt(c.error, 2)}`);
  }
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  lines.push('', `results in ${out}`);
  return lines.join('\n');
}

/** The options `analyze` parses (also read by `ionfield slurm analyze` before it submits). */
export const analyzeCliOptions = {
  field: { type: 'string' },
  out: { type: 'string' },
  'r-max': { type: 'string' },
  bins: { type: 'string' },
  'pair-cutoff': { type: 'string' },
  blocks: { type: 'string' },
  species: { type: 'string' },
  charges: { type: 'string' },
  'type-map': { type: 'string' },
  topology: { type: 'string' },
  ...moleculeOptions,
  format: { type: 'string' },
  start: { type: 'string' },
  stop: { type: 'string' },
  stride: { type: 'string' },
  units: { type: 'string' },
  'length-units': { type: 'string' },
  json: { type: 'boolean' },
  shard: { type: 'string' },
  partial: { type: 'string' },
} as const;

export const analyzeCommand: Command = {
  name: 'analyze',
  summary: 'analyse a per-ion λ field: distributions, g(r), coordination, ion pairs, spatial correlation',
  usage: `ionfield analyze <trajectory> --field field.npy [options]

The field is a .npy array [frames, ions] (ionfield predict, or λ targets) of the selected frames.
If it has fewer columns than the trajectory has atoms, its columns are the charged atoms (or
--species) in file order.

  --field F.npy          the per-ion field                                    [required]
  --out DIR              where to write analysis.json and pair_<a>_<b>.npy (default: analysis)
  --r-max R              range of g(r) and C(r) (default: half the smallest cell width)
  --bins N               distance bins (default 100)
  --pair-cutoff R        contact-pair distance (default: first minimum of g_+-(r))
  --blocks N             jackknife blocks of frames for errors (default 10)
  --species A,B          the species the field's columns cover
  --charges 1:1,2:-1     charge per species (default: the file's q column)
  --type-map 1:Na,2:Cl   rename species labels
  --topology FILE        species labels from a topology file or another trajectory; with molecules
                         (LAMMPS data file, GROMACS .top, JSON): the field's ions are molecules
${moleculeUsage}
  --format F             trajectory format (default: from extension, then content)
  --start N --stop N --stride N   frame selection matching the field's frames
  --units TEXT --length-units TEXT   labels for the field's and the length unit in outputs
  --json                 machine-readable output (schema ionfield.analysis/2, docs/analysis.md)
  --shard i/n            run shard i (0-based) of n of the frames (whole --blocks blocks) and write
                         its partial to --partial FILE (default analyze.shard-i-of-n.json);
                         \`ionfield merge\` writes --out as the single run (needs --pair-cutoff;
                         docs/scale-out.md)`,
  async run(argv) {
    const { values, positionals } = parse(argv, analyzeCliOptions);
    const str = (k: string) => values[k] as string | undefined;
    if (positionals.length !== 1) throw new UsageError('expected exactly one trajectory file');
    if (!str('field')) throw new UsageError('--field is required');
    const positive = (k: string) => numberOption(str(k), k, (v) => Number.isFinite(v) && v > 0);
    const out = str('out') ?? 'analysis';
    const types = str('topology') ? await typesFromTopology(str('topology')!, positionals[0], str('format')) : undefined;
    const molecules = moleculesFromValues(values);
    const load: LoadFieldOptions = {
      types,
      molecules,
      format: str('format'),
      start: integerOption(str('start'), 'start'),
      stop: integerOption(str('stop'), 'stop'),
      stride: integerOption(str('stride'), 'stride', 1),
      species: str('species')?.split(',').map((s) => s.trim()).filter(Boolean),
      charges: str('charges') ? parseCharges(str('charges')!) : undefined,
      typeMap: str('type-map') ? parseKeyValueList(str('type-map')!, '--type-map') : undefined,
    };
    const analyzeOptions = {
      rMax: positive('r-max'),
      bins: integerOption(str('bins'), 'bins', 1),
      blocks: integerOption(str('blocks'), 'blocks', 1),
      pairCutoff: positive('pair-cutoff'),
      fieldUnits: str('units'),
      lengthUnits: str('length-units'),
    };
    if (str('shard') !== undefined) {
      // One shard of the frames (whole jackknife blocks): a partial for `ionfield merge`.
      const shard = parseShard(str('shard')!);
      const file = str('partial') ?? `analyze.shard-${shard.index}-of-${shard.count}.json`;
      saveShardPartial(file, await analyzeShard(positionals[0], { ...analyzeOptions, field: str('field')!, out, load }, shard));
      console.error(`ionfield analyze: shard ${shard.index}/${shard.count} → ${file}`);
      return 0;
    }
    if (str('partial') !== undefined) throw new UsageError('--partial is for --shard');
    const progress = new Progress('reading frames', null, !values.json);
    // Read in chunks from disk (the field's .npy, and the positions spilled to a scratch file):
    // memory does not grow with the number of frames.
    const field = await openField(positionals[0], str('field')!, { ...load, onProgress: progress.report });
    progress.done();
    const pairs = new Progress('pair structure', field.frames, !values.json);
    let result: AnalysisResult;
    try {
      result = await analyzeField(field, { ...analyzeOptions, onProgress: pairs.report });
    } catch (err) {
      if ((err as { code?: string }).code === 'IONFIELD_USAGE' || /exceeds half the smallest cell width/.test((err as Error).message)) throw new UsageError((err as Error).message);
      throw err;
    } finally {
      field.close();
    }
    pairs.done();
    const files = writeAnalysis(result, out).map((f) => path.join(out, f));
    if (values.json) printJson({ ...result, files, ...centresJson(molecules) });
    else console.log(describe(result, out));
    return 0;
  },
};
