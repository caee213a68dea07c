// One measured case for scripts/bench/stream-memory.ts and test/stream-memory.test.ts, run in a
// child process of its own so that its peak RSS is its alone:
//   train   <dataset folder> <holdout> stream|whole    (one epoch, hidden 8)
//   analyze <trajectory> <topology> <field.npy> stream|whole
// `stream` is what the CLI does (data left on disk, read in chunks); `whole` reads everything into
// memory first (loadDatasets / loadField: the path before issue 15 item 5, still in the library).
// Prints one JSON line: {maxRssMB, seconds, result} (result: a digest to compare the two paths).
import { createHash } from 'node:crypto';
import { analyzeField, loadField, openField } from '../../lib/analysis';
import { loadDatasets } from '../../lib/model/dataset';
import { trainModel } from '../../lib/model/train';
import { typesFromTopology } from '../../lib/cli/selection';
import { peakRssMiB } from './peak-rss';

async function main(): Promise<void> {
  const [what, ...rest] = process.argv.slice(2);
  const started = process.hrtime.bigint();
  let digest: string;
  if (what === 'train') {
    const [folder, holdout, mode] = rest;
    const options = { holdout: holdout ? [holdout] : [], epochs: 1, hidden: [8], seed: 1, patience: 0, threads: 1 };
    const { model, report } = await trainModel(mode === 'whole' ? loadDatasets([folder]) : [folder], options);
    digest = createHash('sha256').update(Buffer.from(model.params.buffer)).update(JSON.stringify(report.holdout)).digest('hex');
  } else if (what === 'analyze') {
    const [trajectory, topology, fieldFile, mode] = rest;
    const types = await typesFromTopology(topology);
    const charges = { '1': 1, '2': -1 };
    const options = { rMax: 1.5, bins: 30, pairCutoff: 1.0, blocks: 10 };
    let result;
    if (mode === 'whole') result = await analyzeField(await loadField(trajectory, fieldFile, { types, charges }), options);
    else {
      const field = await openField(trajectory, fieldFile, { types, charges });
      try {
        result = await analyzeField(field, options);
      } finally {
        field.close();
      }
    }
    digest = createHash('sha256').update(JSON.stringify(result)).digest('hex');
  } else throw new Error(`unknown case '${what}' (train | analyze)`);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  // This process's own peak (peak-rss.ts: ru_maxrss would include the spawning parent's RSS).
  console.log(JSON.stringify({ maxRssMB: peakRssMiB(), seconds, result: digest }));
}

main().catch((err) => {
  console.error((err as Error).stack ?? String(err));
  process.exit(1);
});
