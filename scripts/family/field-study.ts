// The paper's findings 2–5 on the generated family: for every finished system (done.json) runs
// the demo pipeline (transport → target λ → analyses), then one combined report and the figures
// in docs/figures/field-*.svg, and docs/figures/field-study.json with the numbers quoted in
// docs/analysis.md. Uses target λ (exact decomposition) until the model is merged.
//   node --import tsx scripts/family/field-study.ts [--raw DIR] [--out DIR]
// DIR defaults: --raw data/family/raw, --out /tmp/ionfield-field-study.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AnalysisResult } from '../../lib/analysis';
import { runDemo } from '../../lib/demo/pipeline';
import { buildReport, loadResults } from '../../lib/report/build';
import { renderSvg } from '../../lib/report/svg';
import { TransportReport } from '../../lib/transport';

const repo = path.resolve(__dirname, '..', '..');
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};

async function main() {
  const raw = arg('--raw', path.join(repo, 'data', 'family', 'raw'));
  const out = arg('--out', '/tmp/ionfield-field-study');
  const systems = fs.readdirSync(raw).filter((d) => fs.existsSync(path.join(raw, d, 'done.json'))).sort();
  const inputs: { name: string; trajectory: string }[] = systems.map((name) => ({ name, trajectory: path.join(raw, name, 'traj.lammpstrj') }));
  inputs.push({ name: 'demo (data/demo)', trajectory: path.join(repo, 'data', 'demo', 'electrolyte.lammpstrj.gz') });
  const results: { name: string; t: TransportReport; a: AnalysisResult; dir: string }[] = [];
  for (const input of inputs) {
    const dir = path.join(out, input.name.replace(/[^A-Za-z0-9.-]+/g, '_'));
    const t0 = Date.now();
    await runDemo({ out: dir, trajectory: input.trajectory, title: input.name, timestep: input.name.startsWith('demo') ? undefined : 0.005 });  // family.json: timestep 0.005
    const t = JSON.parse(fs.readFileSync(path.join(dir, 'transport.json'), 'utf8'));
    const a = JSON.parse(fs.readFileSync(path.join(dir, 'analysis', 'analysis.json'), 'utf8'));
    results.push({ name: input.name, t, a, dir });
    console.log(`${input.name}: Λ = ${t.molar_conductivity?.value?.toPrecision(4)} ± ${t.molar_conductivity?.error?.toPrecision(2)} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  }
  const files = results.flatMap((r) => [path.join(r.dir, 'transport.json'), path.join(r.dir, 'analysis', 'analysis.json')]);
  fs.writeFileSync(path.join(out, 'report.html'), await buildReport(loadResults(files), { title: 'ionfield: field analyses on the generated family (target λ)' }));
  // Figures for docs: distributions scaled by each system's mean, C_ab(r) per system, spread vs Λ.
  const figures = path.join(repo, 'docs', 'figures');
  fs.mkdirSync(figures, { recursive: true });
  const dist: Record<string, unknown>[] = [];
  const corr: Record<string, unknown>[] = [];
  const summary = results.map(({ name, t, a }) => {
    let n = 0, s = 0, s2 = 0;
    for (const d of a.distributions) { n += d.samples; s += d.samples * d.mean.value; s2 += d.samples * (d.std.value ** 2 + d.mean.value ** 2); }
    const mean = s / n;
    const std = Math.sqrt(s2 / n - mean * mean);
    for (const d of a.distributions) d.histogram.density.forEach((p, k) => dist.push({ x: (0.5 * (d.histogram.edges[k] + d.histogram.edges[k + 1])) / mean, p: p * mean, system: `${name} ${d.species}` }));
    for (const c of a.structure.curves) c.r.forEach((r, j) => { if (c.correlation[j] !== null && c.pairs[j] >= 50) corr.push({ r, C: c.correlation[j], system: name, pair: `${c.a}${c.b}` }); });
    return {
      system: name,
      Lambda: t.molar_conductivity?.value, Lambda_error: t.molar_conductivity?.error,
      mean_lambda: mean, std, relative_std: std / mean,
      species: a.distributions.map((d) => ({ species: d.species, skewness: d.skewness, low_tail_ratio: d.low_tail_ratio, q05_over_mean: d.quantiles.q05 / d.mean.value, below_zero: d.fraction_below[0].fraction })),
      pair_cutoff: a.clusters?.cutoff ?? null, largest_cluster_fraction: a.clusters?.largest_cluster_fraction ?? null,
      by_counter_ions: a.clusters?.by_counter_ions ?? [], classes: a.clusters?.classes ?? [],
      warnings: a.warnings,
    };
  });
  const write = async (file: string, spec: Record<string, unknown>) => fs.writeFileSync(path.join(figures, file), await renderSvg(spec));
  await write('field-distributions.svg', { title: 'λ / ⟨λ⟩ per system and species', width: 460, height: 280, data: { values: dist }, mark: { type: 'line', interpolate: 'step', clip: true }, encoding: { x: { field: 'x', type: 'quantitative', title: 'λ / ⟨λ⟩', scale: { domain: [-20, 20] } }, y: { field: 'p', type: 'quantitative', title: 'density of λ/⟨λ⟩' }, color: { field: 'system', type: 'nominal' } } });
  await write('field-correlation.svg', { title: 'C_ab(r) per system (bins with ≥ 50 pairs)', data: { values: corr }, facet: { column: { field: 'system', type: 'nominal' } }, spec: { width: 220, height: 200, mark: 'line', encoding: { x: { field: 'r', type: 'quantitative', title: 'r (sigma)' }, y: { field: 'C', type: 'quantitative', title: 'C(r)' }, color: { field: 'pair', type: 'nominal' } } } });
  await write('field-fluctuation.svg', { title: 'Spread of λ against Λ', width: 360, height: 240, data: { values: summary }, mark: { type: 'point', filled: true, size: 70 }, encoding: { x: { field: 'Lambda', type: 'quantitative', title: 'Λ (lj reduced)', scale: { type: 'log' } }, y: { field: 'relative_std', type: 'quantitative', title: 'std(λ) / ⟨λ⟩' }, color: { field: 'system', type: 'nominal' } } });
  fs.writeFileSync(path.join(figures, 'field-study.json'), JSON.stringify(summary, null, 1) + '\n');
  console.log(`report: ${path.join(out, 'report.html')}; figures in ${figures}`);
}
main().catch((e) => { console.error(e); process.exit(1); });
