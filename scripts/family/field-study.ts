// The paper's findings 2–5 on the generated family (docs/analysis.md): for every packed system of
// data/family/manifest.json, the demo pipeline (transport → descriptors → model λ̂ → analyses) with
// a model, and the same analyses of the target λ_i(t0) (exact decomposition); then one combined
// report per field and the figures docs/figures/field-*.svg plus docs/figures/field-study.json with
// the numbers quoted in docs/analysis.md.
//   node --import tsx scripts/family/field-study.ts [--packed data/family] [--out DIR] [--model F.onnx]
//        [--only a,b] [--figures docs/figures]
// Λ per system is the manifest's Λ_EH (fit window 3–12 τ, whole trajectory).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { AnalysisResult } from '../../lib/analysis';
import { fluctuationAgainstLambda } from '../../lib/analysis/fluctuation';
import { defaultStages, DemoStages, runDemo } from '../../lib/demo/pipeline';
import { buildReport, loadResults } from '../../lib/report/build';
import { renderSvg } from '../../lib/report/svg';

const repo = path.resolve(__dirname, '..', '..');
const { values } = parseArgs({
  options: {
    packed: { type: 'string', default: path.join(repo, 'data', 'family') },
    out: { type: 'string', default: '/tmp/ionfield-field-study' },
    model: { type: 'string' },
    only: { type: 'string' },
    figures: { type: 'string', default: path.join(repo, 'docs', 'figures') },
  },
});

interface ManifestSystem {
  name: string;
  parameters: { lb: number; rho: number; qcat: number; sigan: number };
  packed: { file: string } | null;
  transport: { lambdaEh: { value: number; error: number } };
}

type FieldKind = 'model' | 'target';

/** Per-system summary of one field: the numbers each finding is judged by. */
function summarise(a: AnalysisResult) {
  let n = 0, s = 0, s2 = 0;
  for (const d of a.distributions) { n += d.samples; s += d.samples * d.mean.value; s2 += d.samples * (d.std.value ** 2 + d.mean.value ** 2); }
  const mean = s / n;
  const std = Math.sqrt(s2 / n - mean * mean);
  const contact = (pair: (c: AnalysisResult['structure']['curves'][number]) => boolean) => {
    // C_ab at the first bin with ≥ 50 pairs (contact), with its jackknife error.
    const c = a.structure.curves.find(pair);
    if (!c) return null;
    const j = c.pairs.findIndex((p, k) => p >= 50 && c.correlation[k] !== null);
    return j < 0 ? null : { r: c.r[j], value: c.correlation[j], error: c.correlationError[j] };
  };
  const signs = a.structure.species;
  // Within one frame (each species about its own frame mean), averaged over species by samples.
  const withinFrameRelativeStd = a.distributions.reduce((t, d) => t + d.samples * d.withinFrameRelativeStd.value, 0) / n;
  return {
    mean, std, relativeStd: std / mean, withinFrameRelativeStd,
    species: a.distributions.map((d) => ({ species: d.species, mean: d.mean.value, std: d.std.value, withinFrameRelativeStd: d.withinFrameRelativeStd.value, skewness: d.skewness, lowTailRatio: d.lowTailRatio, q05OverMean: d.quantiles.q05 / d.mean.value, belowZero: d.fractionBelow[0]?.fraction ?? null })),
    pairCutoff: a.clusters?.cutoff ?? null, pairCutoffSource: a.clusters?.cutoffSource ?? null,
    largestClusterFraction: a.clusters?.largestClusterFraction ?? null,
    classes: (a.clusters?.classes ?? []).map((c) => ({ ...c, relative: c.mean === null ? null : c.mean / mean })),
    byCounterIons: (a.clusters?.byCounterIons ?? []).map((c) => ({ ...c, relative: c.mean === null ? null : c.mean / mean })),
    contactCorrelation: {
      like: signs.map((x) => ({ pair: `${x}${x}`, ...contact((c) => c.a === x && c.b === x) })),
      unlike: contact((c) => c.a !== c.b),
    },
  };
}

async function main() {
  const manifest = JSON.parse(fs.readFileSync(path.join(values.packed!, 'manifest.json'), 'utf8')) as { systems: ManifestSystem[] };
  const only = values.only ? values.only.split(',') : null;
  const systems = manifest.systems.filter((s) => s.packed && (!only || only.includes(s.name)));
  const stages: Record<FieldKind, DemoStages> = {
    model: { ...defaultStages, importance: null },
    target: { ...defaultStages, predict: null, importance: null },
  };
  const results: { system: ManifestSystem; kind: FieldKind; dir: string; a: AnalysisResult }[] = [];
  for (const system of systems) {
    for (const kind of ['model', 'target'] as FieldKind[]) {
      const dir = path.join(values.out!, kind, system.name);
      const t0 = Date.now();
      await runDemo({ out: dir, trajectory: path.join(values.packed!, system.packed!.file), title: `${system.name} (${kind} λ)`, model: values.model }, stages[kind]);
      const a = JSON.parse(fs.readFileSync(path.join(dir, 'analysis', 'analysis.json'), 'utf8')) as AnalysisResult;
      results.push({ system, kind, dir, a });
      console.log(`${system.name} ${kind}: ${a.frames} frames × ${a.ions} ions (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    }
  }
  for (const kind of ['model', 'target'] as FieldKind[]) {
    const files = results.filter((r) => r.kind === kind).flatMap((r) => [path.join(r.dir, 'transport.json'), path.join(r.dir, 'analysis', 'analysis.json')]);
    fs.writeFileSync(path.join(values.out!, `report-${kind}.html`), await buildReport(loadResults(files), { title: `ionfield: field analyses on the generated family (${kind} λ)` }));
  }

  const rows = results.map(({ system, kind, a }) => ({
    system: system.name, kind, lb: system.parameters.lb, rho: system.parameters.rho,
    salt: system.parameters.qcat === 2 ? '2:1' : system.parameters.sigan !== 1 ? `1:1 (σ− = ${system.parameters.sigan}σ+)` : '1:1',
    Lambda_EH: system.transport.lambdaEh.value, Lambda_EH_error: system.transport.lambdaEh.error,
    frames: a.frames, ions: a.ions, fieldSource: a.provenance.source, ...summarise(a), warnings: a.warnings,
  }));
  const across = Object.fromEntries((['model', 'target'] as FieldKind[]).map((kind) => {
    const sys = rows.filter((r) => r.kind === kind && r.salt === '1:1');
    const against = (relativeStd: (r: (typeof sys)[number]) => number) =>
      fluctuationAgainstLambda(sys.map((r) => ({ system: r.system, molarConductivity: r.Lambda_EH, molarConductivityError: r.Lambda_EH_error, std: relativeStd(r) * r.mean, relativeStd: relativeStd(r) })));
    const f = against((r) => r.relativeStd);
    // The same with the spread among the ions of one frame only (the frame-to-frame part removed).
    const w = against((r) => r.withinFrameRelativeStd);
    return [kind, { systems: sys.length, spearmanStd: f.spearmanStd, pearsonStd: f.pearsonStd, spearmanRelativeStd: f.spearmanRelativeStd, pearsonRelativeStd: f.pearsonRelativeStd,
      withinFrame: { spearmanRelativeStd: w.spearmanRelativeStd, pearsonRelativeStd: w.pearsonRelativeStd } }];
  }));

  // Figures.
  fs.mkdirSync(values.figures!, { recursive: true });
  const write = async (file: string, spec: Record<string, unknown>) => fs.writeFileSync(path.join(values.figures!, file), await renderSvg(spec));
  const dist: Record<string, unknown>[] = [];
  for (const { system, a } of results.filter((r) => r.kind === 'model')) {
    const m = summarise(a).mean;
    for (const d of a.distributions)
      d.histogram.density.forEach((p, k) => dist.push({ x: (0.5 * (d.histogram.edges[k] + d.histogram.edges[k + 1])) / m, p: p * m, system: system.name, species: d.species, rho: system.parameters.rho, lb: `l_B = ${system.parameters.lb}` }));
  }
  await write('field-distributions.svg', {
    title: 'Model λ̂ / ⟨λ̂⟩ per system and species (columns: Bjerrum length; colour: ion density)',
    data: { values: dist }, facet: { column: { field: 'lb', type: 'nominal', title: null } },
    spec: { width: 240, height: 220, mark: { type: 'line', interpolate: 'step', clip: true, strokeWidth: 1 }, encoding: { x: { field: 'x', type: 'quantitative', title: 'λ̂ / ⟨λ̂⟩', scale: { domain: [-1, 3] } }, y: { field: 'p', type: 'quantitative', title: 'density' }, color: { field: 'rho', type: 'quantitative', title: 'ρσ³', scale: { type: 'log', scheme: 'viridis' } }, detail: [{ field: 'system' }, { field: 'species' }] } },
  });
  await write('field-fluctuation.svg', {
    title: 'Spread of λ against Λ_EH across the family', data: { values: rows.map((r) => ({ ...r, field: r.kind === 'model' ? 'model λ̂' : 'target λ (exact, noisy)' })) },
    facet: { column: { field: 'field', type: 'nominal', title: null } }, resolve: { scale: { y: 'independent' } },
    spec: { width: 260, height: 220, mark: { type: 'point', filled: true, size: 60 }, encoding: { x: { field: 'Lambda_EH', type: 'quantitative', title: 'Λ_EH (lj)', scale: { type: 'log' } }, y: { field: 'relativeStd', type: 'quantitative', title: 'std(λ) / ⟨λ⟩' }, color: { field: 'lb', type: 'ordinal', title: 'l_B/σ' }, shape: { field: 'salt', type: 'nominal', title: 'salt' }, tooltip: [{ field: 'system' }] } },
  });
  const classes = rows.filter((r) => r.kind === 'model').flatMap((r) => r.byCounterIons.filter((c) => c.samples >= 50 && c.relative !== null).map((c) => ({ system: r.system, rho: r.rho, lb: `l_B = ${r.lb}`, species: c.species, counterIons: c.counterIons, relative: c.relative })));
  await write('field-pairs.svg', {
    title: 'Model λ̂ by counter-ions within the pair cutoff, relative to the system mean (classes ≥ 50 samples)',
    data: { values: classes }, facet: { column: { field: 'lb', type: 'nominal', title: null } },
    spec: { width: 240, height: 220, mark: { type: 'line', point: true }, encoding: { x: { field: 'counterIons', type: 'ordinal', title: 'counter-ions within the cutoff' }, y: { field: 'relative', type: 'quantitative', title: 'mean λ̂ / ⟨λ̂⟩', scale: { zero: false } }, color: { field: 'rho', type: 'quantitative', title: 'ρσ³', scale: { type: 'log', scheme: 'viridis' } }, detail: [{ field: 'system' }, { field: 'species' }], strokeDash: { field: 'species', type: 'nominal' } } },
  });
  // C_ab(r) for six systems that span the family (all of them do not fit one readable figure;
  // field-study.json and the reports hold every system).
  const shown = ['s11-lb2-rho0.01', 's11-lb2-rho0.1', 's11-lb2-rho0.4', 's11-lb4-rho0.01', 's11-lb4-rho0.4', 's21-lb1-rho0.2'];
  const corr: Record<string, unknown>[] = [];
  for (const { system, kind, a } of results.filter((r) => shown.includes(r.system.name) || results.length <= 2 * shown.length))
    for (const c of a.structure.curves) c.r.forEach((r, j) => { if (c.correlation[j] !== null && c.pairs[j] >= 50 && r <= 6) corr.push({ r, C: c.correlation[j], system: system.name, pair: `${c.a}${c.b}`, field: kind === 'model' ? 'model λ̂' : 'target λ' }); });
  await write('field-correlation.svg', {
    title: 'C_ab(r) of δλ per system (bins with ≥ 50 pairs)', data: { values: corr },
    facet: { row: { field: 'field', type: 'nominal', title: null }, column: { field: 'system', type: 'nominal', title: null } }, resolve: { scale: { y: 'independent' } },
    spec: { width: 150, height: 130, mark: { type: 'line', strokeWidth: 1 }, encoding: { x: { field: 'r', type: 'quantitative', title: 'r (σ)' }, y: { field: 'C', type: 'quantitative', title: 'C(r)' }, color: { field: 'pair', type: 'nominal' } } },
  });
  fs.writeFileSync(path.join(values.figures!, 'field-study.json'), JSON.stringify({ schema: 'ionfield.field-study/1', model: values.model ?? 'data/models/default.onnx', across1to1Systems: across, systems: rows }, null, 1) + '\n');
  console.log(JSON.stringify(across, null, 1));
  console.log(`reports: ${values.out}/report-{model,target}.html; figures in ${values.figures}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
