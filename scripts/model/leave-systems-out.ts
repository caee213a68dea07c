// Leave-systems-out evaluation on a dataset of the family (docs/model.md, "Results"):
//   npx tsx scripts/model/leave-systems-out.ts <dataset...> [--out DIR] [--epochs N] [--hidden 32,32]
//        [--seed N] [--threads N] [--objectives per-ion,global] [--systems a,b,c] [--folds K] [--patience N]
// Without --folds, for every system s: train on all others (one of them, in turn, validates for
// early stopping when there are at least three; otherwise a fixed number of epochs). With --folds K
// the systems are split into K groups, stratified (sorted by salt type, Bjerrum length and density,
// then dealt round-robin), and each group is held out in turn while two systems of the next group
// validate: every system is still predicted by models that never saw it, at K instead of N
// trainings. Each held-out system's Λ is predicted by both network objectives and by the two
// baselines (ridge on the same descriptors; Λ = a + b√c per salt type on concentration alone).
// Writes DIR/parity.csv (one row per held-out system: Λ_EH ± err, Λ_target, every model's Λ),
// DIR/parity.svg, and DIR/leave-systems-out.json + .md (table, median relative errors against Λ_EH
// of the whole trajectory and against Λ_target, the EH estimate at lag τ on the dataset's origins,
// which is what the networks are trained to reproduce).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { concentrationSystemLambda, fitConcentration, fitLinear, linearSystemLambda, saltType } from '../../lib/model/baselines';
import { Dataset, LoadedSystem, loadDatasets, targetLambda } from '../../lib/model/dataset';
import { median, nativeSystemLambda, trainModel } from '../../lib/model/train';
import { renderSvg } from '../../lib/report/svg';

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
    folds: { type: 'string' },
    patience: { type: 'string', default: '20' },
  },
});
if (positionals.length === 0) {
  console.error('usage: leave-systems-out.ts <dataset...> [--out DIR] [--epochs N] [--hidden 32,32] [--seed N] [--objectives per-ion,global]');
  process.exit(2);
}

interface Row {
  system: string;
  fold: number;
  frames: number;
  ions: number;
  concentration: number | null;
  lambdaEh: number | null;
  lambdaEhError: number | null;
  lambdaTarget: number;
  reference: 'lambdaEh' | 'lambdaTarget';
  predictions: Record<string, number | null>;
}

async function main(): Promise<void> {
  const loaded = loadDatasets(positionals);
  // --systems a,b,c: only these systems take part (e.g. one salt type at a time).
  const only = values.systems ? (values.systems as string).split(',') : null;
  const all = withoutEmptySpecies(only ? { ...loaded, systems: loaded.systems.filter((s) => only.includes(s.name)) } : loaded);
  const objectives = (values.objectives as string).split(',').filter(Boolean) as ('per-ion' | 'global')[];
  const rows: Row[] = [];
  const names = all.systems.map((s) => s.name);
  if (names.length < 2) throw new Error(`leave-systems-out needs at least two systems; the datasets have ${names.length}`);
  const folds = foldsOf(all.systems, values.folds ? Number(values.folds) : all.systems.length);
  for (let k = 0; k < folds.length; k++) {
    const heldOut = folds[k];
    const rest = all.systems.filter((s) => !heldOut.includes(s));
    const sub: Dataset = { ...all, systems: rest };
    // Validation for early stopping: other systems (never the evaluated ones), when enough remain.
    const next = folds.length > 1 ? folds[(k + 1) % folds.length] : [];
    const validation = folds.length === all.systems.length
      ? (rest.length >= 2 ? [rest[(names.indexOf(heldOut[0].name) + 1) % rest.length].name] : [])
      : next.slice(0, Math.min(2, next.length, rest.length - 1)).map((s) => s.name);
    const predictions = new Map<LoadedSystem, Record<string, number | null>>(heldOut.map((s) => [s, {}]));
    for (const objective of objectives) {
      const started = Date.now();
      const { model, report } = await trainModel(sub, {
        holdout: validation, objective, epochs: Number(values.epochs), hidden: (values.hidden as string).split(',').map(Number),
        seed: Number(values.seed), threads: Number(values.threads), learningRate: Number(values.lr), patience: validation.length ? Number(values.patience) : 0,
      });
      for (const held of heldOut) predictions.get(held)![`nn_${objective}`] = nativeSystemLambda(model, held);
      console.error(`fold ${k + 1}/${folds.length} (${heldOut.map((s) => s.name).join(', ')}): ${objective} trained in ${((Date.now() - started) / 1000).toFixed(1)} s, best epoch ${report.bestEpoch} of ${report.epochsRun} (validation: ${validation.join(',') || 'none'})`);
    }
    const linear = fitLinear(rest);
    let conc: ReturnType<typeof fitConcentration> | null = null;
    try {
      conc = fitConcentration(rest);
    } catch {
      conc = null;
    }
    for (const held of heldOut) {
      const p = predictions.get(held)!;
      p.linear = linearSystemLambda(linear, held);
      p.concentration = conc ? concentrationSystemLambda(conc, held) : null;
      const eh = held.info.lambdaEh;
      const c = held.info.formulaUnits && held.info.volumeMean ? (held.info.formulaUnits as number) / held.info.volumeMean : null;
      rows.push({
        system: held.name, fold: k, frames: held.frames, ions: held.species.reduce((a, s) => a + s.ions, 0), concentration: c,
        lambdaEh: eh && Number.isFinite(eh.value) ? eh.value : null, lambdaEhError: eh && Number.isFinite(eh.error) ? eh.error : null,
        lambdaTarget: targetLambda(held), reference: eh && Number.isFinite(eh.value) ? 'lambdaEh' : 'lambdaTarget', predictions: p,
      });
    }
  }
  rows.sort((a, b) => names.indexOf(a.system) - names.indexOf(b.system));
  const models = Object.keys(rows[0].predictions);
  const ref = (r: Row) => (r.reference === 'lambdaEh' ? r.lambdaEh! : r.lambdaTarget);
  const medianAgainst = (reference: (r: Row) => number) =>
    Object.fromEntries(models.map((m) => [m, median(rows.filter((r) => r.predictions[m] !== null).map((r) => Math.abs(r.predictions[m]! - reference(r)) / Math.abs(reference(r))))]));
  const medians = medianAgainst(ref);
  const mediansTarget = medianAgainst((r) => r.lambdaTarget);
  fs.mkdirSync(values.out as string, { recursive: true });
  const csv = ['system,fold,concentration,lambdaEh,lambdaEhError,lambdaTarget,' + models.join(',')];
  for (const r of rows) csv.push([r.system, r.fold, r.concentration, r.lambdaEh, r.lambdaEhError, r.lambdaTarget, ...models.map((m) => r.predictions[m])].map((v) => (v === null ? '' : String(v))).join(','));
  fs.writeFileSync(path.join(values.out as string, 'parity.csv'), csv.join('\n') + '\n');
  const report = {
    schema: 'ionfield.leave-systems-out/1', datasets: all.folders, systems: names, settings: { epochs: Number(values.epochs), patience: Number(values.patience), hidden: values.hidden, seed: Number(values.seed), lr: Number(values.lr), folds: folds.map((f) => f.map((s) => s.name)) },
    rows, medianRelativeError: medians, medianRelativeErrorVsTarget: mediansTarget,
  };
  fs.writeFileSync(path.join(values.out as string, 'leave-systems-out.json'), JSON.stringify(report, null, 2) + '\n');
  const fmt = (v: number | null) => (v === null ? '—' : v.toPrecision(4));
  const md = [
    `| held-out system | Λ_EH | Λ_target | ${models.map((m) => `Λ ${m}`).join(' | ')} |`,
    `|---|---|---|${models.map(() => '---|').join('')}`,
    ...rows.map((r) => `| ${r.system} | ${r.lambdaEh === null ? '—' : `${fmt(r.lambdaEh)} ± ${fmt(r.lambdaEhError)}`} | ${fmt(r.lambdaTarget)} | ${models.map((m) => `${fmt(r.predictions[m])} (${r.predictions[m] === null ? '—' : ((100 * (r.predictions[m]! - ref(r))) / ref(r)).toFixed(0)} %)`).join(' | ')} |`),
    `| **median relative error vs Λ_EH** | | | ${models.map((m) => (medians[m] === null ? '—' : `${(100 * medians[m]!).toFixed(1)} %`)).join(' | ')} |`,
    `| **median relative error vs Λ_target** | | | ${models.map((m) => (mediansTarget[m] === null ? '—' : `${(100 * mediansTarget[m]!).toFixed(1)} %`)).join(' | ')} |`,
  ];
  await writeParityPlot(path.join(values.out as string, 'parity.svg'), rows, models);
  fs.writeFileSync(path.join(values.out as string, 'leave-systems-out.md'), md.join('\n') + '\n');
  console.log(md.join('\n'));
}

/** Drops species that no selected system has (e.g. '+2' when --systems keeps only 1:1 salts). */
function withoutEmptySpecies(data: Dataset): Dataset {
  const keep = data.manifest.species.map((_, k) => data.systems.some((s) => s.species[k].ions > 0));
  if (keep.every(Boolean)) return data;
  const species = data.manifest.species.filter((_, k) => keep[k]);
  return {
    ...data,
    manifest: { ...data.manifest, species, featureColumns: Object.fromEntries(species.map((x) => [x, data.manifest.featureColumns[x]])) },
    systems: data.systems.map((s) => ({ ...s, species: s.species.filter((_, k) => keep[k]) })),
  };
}

/** K stratified groups: systems sorted by salt type, Bjerrum length and density, dealt round-robin. */
function foldsOf(systems: LoadedSystem[], k: number): LoadedSystem[][] {
  if (!(Number.isInteger(k) && k >= 2 && k <= systems.length)) throw new Error(`--folds must be a whole number from 2 to ${systems.length}`);
  if (k === systems.length) return systems.map((s) => [s]);
  const param = (s: LoadedSystem, key: string) => Number((s.info.parameters ?? {})[key] ?? 0);
  const order = [...systems].sort((a, b) => saltType(a).localeCompare(saltType(b)) || param(a, 'lb') - param(b, 'lb') || param(a, 'rho') - param(b, 'rho') || a.name.localeCompare(b.name));
  const folds: LoadedSystem[][] = Array.from({ length: k }, () => []);
  order.forEach((s, i) => folds[i % k].push(s));
  return folds;
}

/** Parity plot: every model's Λ against Λ_EH (with its error bar), log axes, the y = x line. */
async function writeParityPlot(file: string, rows: Row[], models: string[]): Promise<void> {
  const points = rows.flatMap((r) => models.filter((m) => r.predictions[m] !== null && r.lambdaEh !== null).map((m) => ({ system: r.system, model: m, eh: r.lambdaEh!, predicted: r.predictions[m]! })));
  const bars = rows.filter((r) => r.lambdaEh !== null && r.lambdaEhError !== null).map((r) => ({ eh: r.lambdaEh!, lo: r.lambdaEh! - r.lambdaEhError!, hi: r.lambdaEh! + r.lambdaEhError! }));
  const all = points.flatMap((p) => [p.eh, p.predicted]).filter((v) => v > 0);
  const lo = Math.min(...all) / 1.3;
  const hi = Math.max(...all) * 1.3;
  const scale = { type: 'log', domain: [lo, hi] };
  const spec = {
    title: 'Leave-systems-out: predicted Λ against Λ_EH (positive values; log axes)', width: 420, height: 420,
    layer: [
      { data: { values: [{ x: lo, y: lo }, { x: hi, y: hi }] }, mark: { type: 'line', color: '#888', strokeDash: [4, 4] }, encoding: { x: { field: 'x', type: 'quantitative', scale, title: 'Λ_EH (whole trajectory)' }, y: { field: 'y', type: 'quantitative', scale, title: 'Λ predicted from structure' } } },
      { data: { values: bars }, mark: { type: 'rule', color: '#444' }, encoding: { x: { field: 'lo', type: 'quantitative', scale }, x2: { field: 'hi' }, y: { field: 'eh', type: 'quantitative', scale } } },
      { data: { values: points.filter((p) => p.predicted > 0) }, mark: { type: 'point', filled: true, size: 60, opacity: 0.8 }, encoding: { x: { field: 'eh', type: 'quantitative', scale }, y: { field: 'predicted', type: 'quantitative', scale }, color: { field: 'model', type: 'nominal', title: 'model' }, shape: { field: 'model', type: 'nominal' }, tooltip: [{ field: 'system' }, { field: 'model' }, { field: 'predicted' }] } },
    ],
  };
  fs.writeFileSync(file, await renderSvg(spec));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
