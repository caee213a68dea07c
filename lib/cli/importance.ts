// `ionfield importance`: which descriptor features a trained model relies on (permutation
// importance on a dataset, per species; lib/model/importance.ts).
import { writeAtomic } from '../analysis/npy';
import { ImportanceReport, modelImportance } from '../model/importance';
import { Command, integerOption, parse, printJson, UsageError } from './command';

function describe(r: ImportanceReport, top: number): string {
  const lines = [`model ${r.model} on ${r.systems.length} systems (${r.systems.join(', ')}); MSE against ${r.reference}`];
  for (const s of r.species) {
    lines.push('', `species ${s.species}: ${s.rows} rows, target variance ${s.targetVariance.toPrecision(4)}, baseline MSE ${s.baselineMse.toPrecision(4)}, ${s.repeats} shuffles per feature`);
    lines.push('  rise of MSE when shuffled   feature');
    for (const f of s.features.slice(0, top)) lines.push(`  ${`${f.increase.toPrecision(3)} ± ${f.error.toPrecision(2)}`.padEnd(27)}${f.feature}`);
    if (s.features.length > top) lines.push(`  (${s.features.length - top} more; --top ${s.features.length} or --json for all)`);
  }
  return lines.join('\n');
}

export const importanceCommand: Command = {
  name: 'importance',
  summary: 'which descriptor features a trained model relies on (permutation importance on a dataset)',
  usage: `ionfield importance <dataset...> --model model.onnx [options]

For each species of the model, every feature column of the dataset's descriptors is shuffled
across ions and frames in turn, the model is re-run through ONNX Runtime, and the rise of the mean
squared error against the dataset's target λ is reported (mean ± standard error over the shuffles),
most important first. The model and dataset must share species, units, τ and descriptor columns.

  --model F.onnx        the model                                                [required]
  --systems A,B         only these systems of the datasets (default: all)
  --repeats N           shuffles per feature (default 3)
  --max-rows N          rows per species, at an even stride (default 20000)
  --seed N              shuffle seed (default 1)
  --top N               features listed per species in the text output (default 8)
  --out F.json          also write the report (schema ionfield.importance/2) to F.json
  --json                print the report as JSON`,
  async run(argv) {
    const { values, positionals } = parse(argv, {
      model: { type: 'string' },
      systems: { type: 'string' },
      repeats: { type: 'string' },
      'max-rows': { type: 'string' },
      seed: { type: 'string' },
      top: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (positionals.length === 0) throw new UsageError('expected at least one dataset folder');
    if (!values.model) throw new UsageError('--model is required');
    const systems = values.systems === undefined ? undefined : (values.systems as string).split(',').map((s) => s.trim()).filter(Boolean);
    const report = await modelImportance(values.model as string, positionals, {
      systems,
      repeats: integerOption(values.repeats as string | undefined, 'repeats', 1),
      maxRows: integerOption(values['max-rows'] as string | undefined, 'max-rows', 1),
      seed: integerOption(values.seed as string | undefined, 'seed', 0),
    });
    if (values.out) writeAtomic(values.out as string, JSON.stringify(report, null, 1) + '\n');
    if (values.json) printJson(report);
    else console.log(describe(report, integerOption(values.top as string | undefined, 'top', 1) ?? 8));
    return 0;
  },
};
