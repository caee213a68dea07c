// `ionfield merge`: combines shard partials (any order, any grouping) into the single run's result,
// or, when shards are still missing (or with --partial), into one bigger partial.
import { writeFileAtomic } from '../atomic-file';
import { combineShardPartials, loadShardPartial, missingShards, saveShardPartial } from '../shard/partial-file';
import { finishShards } from '../shard/finish';
import { Command, parse, printJson, UsageError } from './command';

export const mergeCommand: Command = {
  name: 'merge',
  summary: 'combine shard partials (--shard i/n runs) into the single-process result',
  usage: `ionfield merge PARTIAL... --out RESULT [--partial] [--json]

Partials written by \`--shard i/n\` runs of transport, predict, descriptors, dataset, analyze or
kinosons kmc/report/generate/fit, and of transport and predict tables (or by earlier merges) combine in any order and
grouping. Partials of other inputs, options or shard counts are refused, with a message naming
what differs.

  --out FILE     where to write: the result (the command's --json output) when every shard is
                 there, else a merged partial                                             [required]
  --partial      write a merged partial even when every shard is there
  --json         print the result (or the merged partial's summary) as JSON`,
  async run(argv) {
    const { values, positionals } = parse(argv, { out: { type: 'string' }, partial: { type: 'boolean' }, json: { type: 'boolean' } });
    if (!positionals.length) throw new UsageError('expected at least one partial file');
    const out = values.out as string | undefined;
    if (!out) throw new UsageError('--out FILE is required');
    const merged = combineShardPartials(positionals.map(loadShardPartial));
    const missing = missingShards(merged);
    if (missing.length || values.partial) {
      const { file: _file, ...partial } = merged;
      saveShardPartial(out, partial);
      const summary = { command: merged.command, shards: merged.shards, missing, out };
      if (values.json) printJson(summary);
      else console.log(`merged shards ${merged.shards.indices.join(', ')} of ${merged.shards.count} (${merged.command}) → ${out}${missing.length ? `; missing: ${missing.join(', ')}` : ''}`);
      return 0;
    }
    const result = await finishShards(merged);
    writeFileAtomic(out, JSON.stringify(result, null, 2) + '\n');
    if (values.json) printJson(result);
    else console.log(`merged all ${merged.shards.count} shards (${merged.command}) → ${out}`);
    return 0;
  },
};
