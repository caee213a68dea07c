// Leave-systems-out evaluation on a dataset of the family (docs/model.md, "Results"):
//   npx tsx scripts/model/leave-systems-out.ts <dataset...> [--out DIR] [--epochs N] [--hidden 32,32]
//        [--seed N] [--threads N] [--objectives per-ion,global] [--systems a,b,c]
// For every system s: train on all others (one of them, in turn, validates for early stopping when
// there are at least three; otherwise a fixed number of epochs), predict Λ of s, and do the same for
// the two baselines (ridge on the same descriptors; Λ = a + b√c on concentration alone). Writes
// DIR/parity.csv (one row per held-out system: Λ_EH ± err, Λ_target, every model's Λ) and
// DIR/leave-systems-out.json + .md (table, median relative errors). The reference Λ is the
// trajectory's Λ_EH when the dataset records it, else the target mean (EH at lag τ on the origins).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { concentrationSystemLambda, fitConcentration, fitLinear, linearSystemLambda } from '../../lib/model/baselines';
import { Dataset, loadDatasets, targetLambda } from '../../lib/model/dataset';
import { median, nativeSystemLambda, trainModel } from '../../lib/model/train';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    out: { type: 'string', default: 'leave-systems-out' },
    epochs: { type: 'string', default: '100' },
    hidden: { type: 'string', default: '32,32' },
    seed: { type: 'string', default: '1' },
    threads: { type: 'string', default: '0' },
    lr: { type: 'string', default: '1e-3' },
    objectives: { type: 'string', default: 'per-ion,global' },
    systems: { type: 'string' },
  },
});
if (positionals.length === 0) {
  console.error('usage: leave-systems-out.ts <dataset...> [--out DIR] [--epochs N] [--hidden 32,32] [--seed N] [--objectives per-ion,global]');
  process.exit(2);
}

interface Row {
  system: string;
  frames: number;
  ions: number;
  concentration: number | null;
  lambda_eh: number | null;
  lambda_eh_error: number | null;
  lambda_target: number;
  reference: 'lambda_eh' | 'lambda_target';
  predictions: Record<string, number | null>;
}

async function main(): Promise<void> {
  const loaded = loadDatasets(positionals);
  // --systems a,b,c: only these systems take part (e.g. one salt type at a time).
  const only = values.systems ? (values.systems as string).split(',') : null;
  const all: Dataset = only ? { ...loaded, systems: loaded.systems.filter((s) => only.includes(s.name)) } : loaded;
  const objectives = (values.objectives as string).split(',').filter(Boolean) as ('per-ion' | 'global')[];
  const rows: Row[] = [];
  const names = all.systems.map((s) => s.name);
  if (names.length < 2) throw new Error(`leave-systems-out needs at least two systems; the datasets have ${names.length}`);
  for (const held of all.systems) {
    const rest = all.systems.filter((s) => s !== held);
    const sub: Dataset = { ...all, systems: rest };
    // Validation for early stopping: another system (never the evaluated one), when enough remain.
    const validation = rest.length >= 2 ? [rest[(names.indexOf(held.name) + 1) % rest.length].name] : [];
    const predictions: Record<string, number | null> = {};
    for (const objective of objectives) {
      const started = Date.now();
      const { model } = await trainModel(sub, {
        holdout: validation, objective, epochs: Number(values.epochs), hidden: (values.hidden as string).split(',').map(Number),
        seed: Number(values.seed), threads: Number(values.threads), learningRate: Number(values.lr), patience: validation.length ? 20 : 0,
      });
      predictions[`nn_${objective}`] = nativeSystemLambda(model, held);
      console.error(`${held.name}: ${objective} trained in ${((Date.now() - started) / 1000).toFixed(1)} s (validation: ${validation.join(',') || 'none'})`);
    }
    predictions.linear = linearSystemLambda(fitLinear(rest), held);
    try {
      predictions.concentration = concentrationSystemLambda(fitConcentration(rest), held);
    } catch {
      predictions.concentration = null;
    }
    const eh = held.info.lambda_eh;
    const c = held.info.formula_units && held.info.volume_mean ? (held.info.formula_units as number) / held.info.volume_mean : null;
    rows.push({
      system: held.name, frames: held.frames, ions: held.species.reduce((a, s) => a + s.ions, 0), concentration: c,
      lambda_eh: eh && Number.isFinite(eh.value) ? eh.value : null, lambda_eh_error: eh && Number.isFinite(eh.error) ? eh.error : null,
      lambda_target: targetLambda(held), reference: eh && Number.isFinite(eh.value) ? 'lambda_eh' : 'lambda_target', predictions,
    });
  }
  const models = Object.keys(rows[0].predictions);
  const ref = (r: Row) => (r.reference === 'lambda_eh' ? r.lambda_eh! : r.lambda_target);
  const medians = Object.fromEntries(models.map((m) => [m, median(rows.filter((r) => r.predictions[m] !== null).map((r) => Math.abs(r.predictions[m]! - ref(r)) / Math.abs(ref(r))))]));
  fs.mkdirSync(values.out as string, { recursive: true });
  const csv = ['system,concentration,lambda_eh,lambda_eh_error,lambda_target,' + models.join(',')];
  for (const r of rows) csv.push([r.system, r.concentration, r.lambda_eh, r.lambda_eh_error, r.lambda_target, ...models.map((m) => r.predictions[m])].map((v) => (v === null ? '' : String(v))).join(','));
  fs.writeFileSync(path.join(values.out as string, 'parity.csv'), csv.join('\n') + '\n');
  const report = {
    schema: 'ionfield.leave-systems-out/1', datasets: all.folders, systems: names, settings: { epochs: Number(values.epochs), hidden: values.hidden, seed: Number(values.seed), lr: Number(values.lr) },
    rows, median_relative_error: medians,
  };
  fs.writeFileSync(path.join(values.out as string, 'leave-systems-out.json'), JSON.stringify(report, null, 2) + '\n');
  const fmt = (v: number | null) => (v === null ? '—' : v.toPrecision(4));
  const md = [
    `| held-out system | Λ_EH | Λ_target | ${models.map((m) => `Λ ${m}`).join(' | ')} |`,
    `|---|---|---|${models.map(() => '---|').join('')}`,
    ...rows.map((r) => `| ${r.system} | ${r.lambda_eh === null ? '—' : `${fmt(r.lambda_eh)} ± ${fmt(r.lambda_eh_error)}`} | ${fmt(r.lambda_target)} | ${models.map((m) => `${fmt(r.predictions[m])} (${r.predictions[m] === null ? '—' : ((100 * (r.predictions[m]! - ref(r))) / ref(r)).toFixed(0)} %)`).join(' | ')} |`),
    `| **median relative error** | | | ${models.map((m) => (medians[m] === null ? '—' : `${(100 * medians[m]!).toFixed(1)} %`)).join(' | ')} |`,
  ];
  fs.writeFileSync(path.join(values.out as string, 'leave-systems-out.md'), md.join('\n') + '\n');
  console.log(md.join('\n'));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
