// The one evaluation of the local-conductivity model that cannot cheat (issue 13): nested
// leave-one-system-out over a dataset (lib/model/nested.ts), with the baselines, calibration and
// the domain flag, deterministic (no random choice anywhere in the shared model's path; the optional
// network baseline is seeded).
//   npx tsx scripts/model/nested-evaluation.ts <dataset...> [--out docs/model/nested] [--inner-folds loo|K]
//        [--global-network] [--epochs 40] [--threads N]
// Writes DIR/nested.json (schema ionfield.nested-evaluation/2) and DIR/nested.md (the table).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { Calibration, innerFoldsOption } from '../../lib/model/committee';
import { loadDatasets } from '../../lib/model/dataset';
import { candidateName, nestedEvaluation, NestedReport } from '../../lib/model/nested';
import { nativeSystemLambda, trainModel } from '../../lib/model/train';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    out: { type: 'string', default: 'docs/model/nested' },
    'inner-folds': { type: 'string', default: 'loo' },
    'global-network': { type: 'boolean', default: false },
    epochs: { type: 'string', default: '40' },
    threads: { type: 'string', default: '0' },
  },
});
if (positionals.length === 0) {
  console.error('usage: nested-evaluation.ts <dataset...> [--out DIR] [--inner-folds loo|K] [--global-network]');
  process.exit(2);
}

/** ", maximum likelihood k = …, f = … scaled by c so that ±2σ is a conformal 95.45 % interval". */
function conformalNote(c: Calibration): string {
  if (!c.likelihood || c.conformalFactor === undefined) return '';
  return ` (maximum likelihood k = ${c.likelihood.k.toFixed(2)}, f = ${c.likelihood.f.toFixed(3)}, scaled by ${c.conformalFactor.toFixed(3)} so that ±2σ covers 95.45 % of the held-out residuals: split-conformal)`;
}

export function markdown(r: NestedReport): string {
  const pct = (v: number) => `${(100 * v).toFixed(1)} %`;
  const f = (v: number | null, d = 3) => (v === null ? '—' : v.toPrecision(d));
  const baselines = Object.keys(r.rows[0].baselines);
  const dev = (v: number | null, ref: number) => (v === null ? '—' : `${v >= ref ? '+' : ''}${(100 * (v / ref - 1)).toFixed(0)} %`);
  const lines = [
    `| system | Λ_EH | Λ_ML ± total error | dev. | z | chosen | domain score | ${baselines.map((b) => `${b} (dev.)`).join(' | ')} |`,
    `|---|---|---|---|---|---|---|${baselines.map(() => '---|').join('')}`,
    ...r.rows.map((row) => `| ${row.system} | ${f(row.reference.value)} ± ${f(row.reference.error, 2)} | ${f(row.lambdaMl)} ± ${f(row.totalError, 2)} | ${dev(row.lambdaMl, row.reference.value)} | ${row.z.toFixed(2)} | ${candidateName(row.selected)} | ${row.domain.score.toFixed(2)}${row.domain.inDomain ? '' : ' (out)'} | ${baselines.map((b) => `${f(row.baselines[b])} (${dev(row.baselines[b], row.reference.value)})`).join(' | ')} |`),
    '',
    '| model | median abs. error | 90th percentile | worst | systems |',
    '|---|---|---|---|---|',
    ...Object.entries(r.summary).map(([name, s]) => `| ${name} | ${pct(s.median)} | ${pct(s.p90)} | ${pct(s.worst)} | ${s.n} |`),
    '',
    `Coverage of the shared model's error bar (z = (Λ_ML − Λ_EH)/√(σ_ML² + σ_EH²), calibration left-one-out): |z| < 1 for ${pct(r.coverage.within1)}, |z| < 2 for ${pct(r.coverage.within2)}, rms z = ${r.coverage.rmsZ.toFixed(2)}. Calibration on all systems: k = ${r.calibration.k.toFixed(2)}, f = ${r.calibration.f.toFixed(3)}${conformalNote(r.calibration)}. Inner selections: ${Object.entries(r.selections).map(([k, n]) => `${k} × ${n}`).join('; ')}.`,
  ];
  return lines.join('\n') + '\n';
}

async function main(): Promise<void> {
  const dataset = loadDatasets(positionals);
  const extraBaselines = values['global-network']
    ? {
        networkGlobal: async (train: typeof dataset.systems, held: (typeof dataset.systems)[number]) => {
          // The earlier per-species network, global objective; two training systems validate.
          const validation = train.slice(0, 2).map((s) => s.name);
          const { model } = await trainModel({ ...dataset, systems: train }, { holdout: validation, objective: 'global', hidden: [16, 16], epochs: Number(values.epochs), patience: 8, seed: 1, threads: Number(values.threads) });
          return nativeSystemLambda(model, held);
        },
      }
    : undefined;
  const report = await nestedEvaluation(dataset, {
    innerFolds: innerFoldsOption(values['inner-folds'] as string),
    extraBaselines,
    onFold: ({ system, seconds }) => console.error(`${system}: ${seconds.toFixed(1)} s`),
  });
  fs.mkdirSync(values.out as string, { recursive: true });
  const tmp = (f: string) => path.join(values.out as string, `.${f}.${process.pid}.tmp`);
  fs.writeFileSync(tmp('nested.json'), JSON.stringify({ ...report, datasets: positionals }, null, 1) + '\n');
  fs.renameSync(tmp('nested.json'), path.join(values.out as string, 'nested.json'));
  const md = markdown(report);
  fs.writeFileSync(tmp('nested.md'), md);
  fs.renameSync(tmp('nested.md'), path.join(values.out as string, 'nested.md'));
  console.log(md);
}

if (require.main === module)
  main().catch((err) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exit(1);
  });
