// Builds the single-file HTML report from result JSON files (ionfield.transport/2,
// ionfield.analysis/2, ionfield.importance/2, ionfield.predict/2): tables with units and errors, plots rendered to SVG,
// and provenance.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AnalysisResult } from '../analysis/run';
import { fluctuationAgainstLambda, SystemFluctuation } from '../analysis/fluctuation';
import { packageRoot } from '../native';
import type { ImportanceReport } from '../model/importance';
import type { PredictReport } from '../model/predict';
import type { TransportReport } from '../transport/report';
import { escapeHtml, figure, num, page, table, withError } from './html';
import { predictSection } from './predict-section';
import { fileProvenance } from './provenance';
import * as plots from './plots';
import { renderSvg } from './svg';
import { upgradeLegacyDocument } from '../legacy-document';

export interface ReportInput {
  file: string;
  result: TransportReport | AnalysisResult | ImportanceReport | PredictReport;
}

const KNOWN_SCHEMAS = ['ionfield.transport/2', 'ionfield.analysis/2', 'ionfield.importance/2', 'ionfield.predict/2'];

const badInput = (message: string) => Object.assign(new Error(message), { code: 'IONFIELD_BAD_INPUT' });

/** Reads result files; each must be JSON with a known `schema`. */
export function loadResults(files: string[]): ReportInput[] {
  return files.map((file) => {
    let json: { schema?: string };
    try {
      json = upgradeLegacyDocument(JSON.parse(fs.readFileSync(file, 'utf8')));
    } catch (err) {
      throw badInput(`${file}: not a JSON result file (${(err as Error).message})`);
    }
    if (!KNOWN_SCHEMAS.includes(json.schema ?? ''))
      throw badInput(`${file}: schema '${json.schema ?? '(none)'}' is not one the report knows (${KNOWN_SCHEMAS.join(', ')})`);
    return { file, result: json as ReportInput['result'] };
  });
}

async function transportSection(t: TransportReport, source: string): Promise<string> {
  const rows: string[][] = [];
  for (const [s, d] of Object.entries(t.diffusion)) rows.push([`D(${s})`, withError(d.value, d.error), d.units]);
  rows.push(['σ (Einstein–Helfand)', withError(t.conductivity.value, t.conductivity.error), t.conductivity.units]);
  if (t.molarConductivity) rows.push(['Λ', withError(t.molarConductivity.value, t.molarConductivity.error), t.molarConductivity.units]);
  // Molecular runs: the same σ and Λ from atomic partial charges, the check beside the molecular ones.
  const atomic = t.molecules?.atomicCharges;
  if (atomic && atomic.conductivity.value !== null) rows.push(['σ from atomic partial charges', withError(atomic.conductivity.value, atomic.conductivity.error), atomic.conductivity.units]);
  if (atomic?.molarConductivity) rows.push(['Λ from atomic partial charges', withError(atomic.molarConductivity.value, atomic.molarConductivity.error), atomic.molarConductivity.units]);
  if (t.nernstEinstein) rows.push(['Λ_NE (Nernst–Einstein)', withError(t.nernstEinstein.value, t.nernstEinstein.error), t.nernstEinstein.units]);
  rows.push(['ionicity Λ/Λ_NE', withError(t.ionicity.value, t.ionicity.error), '1']);
  const sp = t.onsager.species;
  for (let a = 0; a < sp.length; a++) for (let b = a; b < sp.length; b++) rows.push([`L(${sp[a]},${sp[b]})`, withError(t.onsager.value[a][b], t.onsager.error[a][b]), t.onsager.units]);
  for (const [s, q] of Object.entries(t.transference)) rows.push([`t(${s})`, withError(q.value, q.error), '1']);
  const w = t.fitWindow;
  const [msd, slope] = await Promise.all([renderSvg(plots.msdPlot(t)), renderSvg(plots.slopePlot(t))]);
  return `<section class="transport"><h2>Transport: ${escapeHtml(path.basename(t.file))}</h2>
<dl><dt>trajectory</dt><dd>${escapeHtml(fileProvenance(t.file))} — ${t.format}, ${t.frames} frames</dd>
<dt>result file</dt><dd>${escapeHtml(source)}</dd>
<dt>units</dt><dd>${escapeHtml(t.units.description)}; T = ${num(t.temperature)} ${escapeHtml(t.units.temperature)}</dd>
<dt>species</dt><dd>${escapeHtml(t.species.map((s) => `${s.label}: ${s.count} × z = ${s.charge}`).join(', '))}</dd>
<dt>centres</dt><dd>${t.molecules ? escapeHtml(`centres of mass of molecules (${path.basename(t.molecules.topology)}): ${t.molecules.species.map((s) => `${s.name} = ${s.composition}, ${s.atomsPerMolecule} atoms, net charge ${s.netCharge}`).join('; ')}`) : 'atoms'}</dd>
<dt>formula units</dt><dd>${escapeHtml(t.formulaUnits.convention)}</dd>
<dt>fit window</dt><dd>${num(w.start)} – ${num(w.stop)} ${escapeHtml(w.units)} (${w.points} lags, ${w.automatic ? 'automatic' : 'user'}${w.diffusive ? '' : '; not diffusive within tolerance'})</dd>
<dt>errors</dt><dd>${escapeHtml(t.uncertainty.method)}, ${t.uncertainty.blocks} blocks</dd>
<dt>reference frame</dt><dd>${escapeHtml(t.referenceFrame)}</dd></dl>
${table(['quantity', 'value ± error', 'units'], rows, 'Transport coefficients')}
${t.warnings.map((x) => `<p class="warn">warning: ${escapeHtml(x)}</p>`).join('\n')}
<div class="plots">${figure('msd', msd, 'Per-species MSD and the charge-displacement correlation ⟨|J|²⟩/N; shaded: fit window.')}
${figure('slope', slope, 'Local slope of ln MSD against ln t; the fit uses lags where it is close to 1.')}</div></section>`;
}

async function analysisSection(a: AnalysisResult, source: string): Promise<string> {
  const distRows = a.distributions.map((d) => [
    d.species, String(d.samples), withError(d.mean.value, d.mean.error), withError(d.std.value, d.std.error), withError(d.relativeStd.value, d.relativeStd.error),
    withError(d.withinFrameRelativeStd.value, d.withinFrameRelativeStd.error), num(d.skewness, 3), num(d.quantiles.q05), num(d.quantiles.q50), num(d.quantiles.q95),
    d.fractionBelow.map((f) => `${f.label}: ${(100 * f.fraction).toFixed(1)} %`).join('; '), num(d.lowTailRatio, 3),
  ]);
  const specs: [string, plots.VegaLiteSpecOrNull, string][] = [
    ['distribution', plots.distributionPlot(a), 'Histogram of λ per species (0.1–99.9 % range).'],
    ['rdf', plots.rdfPlot(a), 'g_ab(r), normalised by the ideal-gas pair density of each frame.'],
    ['coordination', plots.coordinationPlot(a), 'Mean number of b ions within r of an a ion.'],
    ['correlation', plots.correlationPlot(a), 'C_ab(r) = ⟨δλ_i δλ_j⟩ over pairs at distance r, δλ centred and scaled per species; bins with ≥ 10 pairs.'],
    ['classes', plots.classPlot(a), 'Mean λ per ion class: free (no counter-ion within the cutoff), contact pair, larger cluster (classes with ≥ 20 samples).'],
    ['counter-ions', plots.counterIonPlot(a), 'Mean λ by the number of counter-ions within the pair cutoff (classes with ≥ 20 samples).'],
  ];
  const figures: string[] = [];
  for (const [id, spec, caption] of specs) if (spec) figures.push(figure(id, await renderSvg(spec), caption));
  const classRows = a.clusters?.classes.map((c) => [c.species, c.class, `${(100 * c.fraction).toFixed(1)} %`, String(c.samples), withError(c.mean, c.error)]) ?? [];
  const countRows = a.clusters?.byCounterIons.map((c) => [c.species, c.counterIons, `${(100 * c.fraction).toFixed(1)} %`, String(c.samples), withError(c.mean, c.error)]) ?? [];
  const p = a.provenance as Record<string, unknown>;
  const model = p.model ? `<dt>model</dt><dd>${escapeHtml(describeModel(p.model))}</dd>` : '';
  return `<section class="analysis"><h2>Field analysis: ${escapeHtml(path.basename(String(p.field ?? source)))}</h2>
<dl><dt>field</dt><dd>${escapeHtml(fileProvenance(p.field))}</dd>
<dt>trajectory</dt><dd>${escapeHtml(fileProvenance(p.trajectory))}</dd>
<dt>field source</dt><dd>${escapeHtml(String(p.source ?? 'not stated'))}</dd>${model}
<dt>result file</dt><dd>${escapeHtml(source)}</dd>
<dt>frames × ions</dt><dd>${a.frames} × ${a.ions}</dd>
<dt>units</dt><dd>λ: ${escapeHtml(a.units.field)}; length: ${escapeHtml(a.units.length)}</dd>
<dt>errors</dt><dd>jackknife over ${a.structure.blocks} contiguous blocks of frames</dd></dl>
${table(['species', 'samples', 'mean ± err', 'std ± err', 'std/mean ± err', 'within one frame: std/mean ± err', 'skewness', 'q05', 'median', 'q95', 'fraction below', 'low-tail ratio'], distRows, `Distribution of λ (${a.units.field}); low-tail ratio: fraction below mean − 2 std over the Gaussian 2.28 %; within one frame: the spread about each frame's own mean (what tells the ions of one configuration apart; the rest is frame-to-frame)`)}
${a.clusters ? table(['species', 'class', 'share', 'samples', 'mean λ ± err'], classRows, `Ion pairs: contact when a counter-ion is within ${num(a.clusters.cutoff)} ${a.units.length} (${a.clusters.cutoffSource}); largest cluster: ${(100 * a.clusters.largestClusterFraction).toFixed(0)} % of the ions on average`) + table(['species', 'counter-ions', 'share', 'samples', 'mean λ ± err'], countRows, 'λ by number of counter-ions within the cutoff') : ''}
${a.warnings.map((x) => `<p class="warn">warning: ${escapeHtml(x)}</p>`).join('\n')}
<div class="plots">${figures.join('\n')}</div></section>`;
}

/** A model as a reader wants it: its file with size and hash, or its name and file from a record. */
function describeModel(model: unknown): string {
  if (typeof model === 'string') return fileProvenance(model);
  if (model && typeof model === 'object') {
    const m = model as Record<string, unknown>;
    const file = m.path ?? m.file ?? m.model;
    const name = m.name ?? m.kind ?? m.schema;
    return [name ? String(name) : null, typeof file === 'string' ? fileProvenance(file) : null].filter(Boolean).join(': ') || 'a model (no file recorded)';
  }
  return String(model);
}

async function importanceSection(r: ImportanceReport, source: string): Promise<string> {
  const TOP = 10;
  const rows: string[][] = [];
  const notes: string[] = [];
  for (const s of r.species) {
    const shown = plots.significantFeatures(s.features, TOP);
    shown.forEach((f, k) => rows.push([s.species, String(k + 1), f.feature, withError(f.increase, f.error), num(f.increase / s.targetVariance, 3)]));
    const rest = s.features.length - shown.length;
    const significantLeft = plots.significantFeatures(s.features, Infinity).length - shown.length;
    if (rest > 0)
      notes.push(`${escapeHtml(s.species)}: ${shown.length ? `the other ${rest}` : `all ${rest}`} features${significantLeft > 0 ? ` (${significantLeft} more above two errors, each smaller than those shown)` : ' raise the MSE by less than two errors when shuffled'}.`);
  }
  const plot = rows.length
    ? `<div class="plots">${figure('importance', await renderSvg(plots.importancePlot(r, TOP)), `Rise of the MSE when one feature is shuffled: features more than two errors above zero, at most ${TOP} per species (±1 error bars).`)}</div>`
    : '<p class="note">No feature raises the MSE by more than two errors when shuffled: the importances are indistinguishable from zero at this sample size.</p>';
  return `<section class="importance"><h2>Which descriptors the model uses</h2>
<dl><dt>model</dt><dd>${escapeHtml(fileProvenance(r.model))}</dd>
<dt>data</dt><dd>${escapeHtml(r.datasets.join(', '))}: ${escapeHtml(r.systems.join(', '))}</dd>
<dt>method</dt><dd>permutation importance: each feature shuffled across ions and frames (${r.species.map((s) => `${s.repeats} shuffles, ${s.rows} rows of ${escapeHtml(s.species)}`).join('; ')}); the rise of the mean squared error against ${escapeHtml(r.reference)}, ± standard error over the shuffles</dd>
<dt>result file</dt><dd>${escapeHtml(source)}</dd></dl>
${plot}
${rows.length ? table(['species', 'rank', 'feature', 'MSE rise ± err', 'rise / Var(λ)'], rows, 'Permutation importance: the features that matter, most important first per species') : ''}
${notes.map((n) => `<p class="note">${n}</p>`).join('\n')}</section>`;
}

async function fluctuationSection(inputs: ReportInput[]): Promise<string | null> {
  const transports = inputs.map((i) => i.result).filter((r): r is TransportReport => r.schema === 'ionfield.transport/2');
  const analyses = inputs.filter((i) => i.result.schema === 'ionfield.analysis/2');
  if (analyses.length === 0) return null;
  const systems: (SystemFluctuation & { source: string })[] = analyses.map(({ file, result }) => {
    const a = result as AnalysisResult;
    const traj = String(a.provenance.trajectory ?? '');
    const t = transports.find((x) => path.resolve(x.file) === path.resolve(traj));
    let n = 0;
    let s = 0;
    let s2 = 0;
    for (const d of a.distributions) {
      n += d.samples;
      s += d.samples * d.mean.value;
      s2 += d.samples * (d.std.value ** 2 + d.mean.value ** 2);
    }
    const m = s / n;
    const std = Math.sqrt(s2 / n - m * m);
    return {
      system: path.basename(traj || file),
      molarConductivity: t?.molarConductivity?.value ?? m,
      molarConductivityError: t?.molarConductivity?.error ?? null,
      std,
      relativeStd: std / m,
      source: t ? 'Einstein–Helfand (transport result)' : 'mean of the field',
    };
  });
  const f = fluctuationAgainstLambda(systems);
  const rows = systems.map((x) => [x.system, withError(x.molarConductivity, x.molarConductivityError), x.source, num(x.std), num(x.relativeStd)]);
  const corr = f.spearmanStd === null
    ? '<p class="note">Correlations across systems need at least three systems; pass more analysis results.</p>'
    : `<p class="note">Across ${systems.length} systems: Spearman ρ(std, Λ) = ${num(f.spearmanStd, 3)}, Pearson r = ${num(f.pearsonStd, 3)}; ρ(std/mean, Λ) = ${num(f.spearmanRelativeStd, 3)}, r = ${num(f.pearsonRelativeStd, 3)}.</p>`;
  // A scatter of one or two points says nothing about a trend: a sentence instead.
  const plot = systems.length >= 3
    ? figure('fluctuation', await renderSvg(plots.fluctuationPlot(f)), 'One point per system: relative spread of λ over all ions against Λ.')
    : `<p class="note">The spread of λ against Λ is plotted from three systems on; this report has ${systems.length}.</p>`;
  return `<section class="fluctuation"><h2>Fluctuation against Λ</h2>${table(['system', 'Λ ± err', 'Λ from', 'std(λ)', 'std/mean'], rows)}${corr}<div class="plots">${plot}</div></section>`;
}

export async function buildReport(inputs: ReportInput[], options: { title?: string } = {}): Promise<string> {
  if (inputs.length === 0) throw badInput('report: no result files given');
  const version = (JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  const sections: string[] = [];
  for (const { file, result } of inputs)
    sections.push(
      result.schema === 'ionfield.transport/2' ? await transportSection(result, file)
        : result.schema === 'ionfield.importance/2' ? await importanceSection(result, file)
          : result.schema === 'ionfield.predict/2' ? predictSection(result, file, inputs.map((i) => i.result).filter((r): r is TransportReport => r.schema === 'ionfield.transport/2'))
          : await analysisSection(result, file),
    );
  const fluct = await fluctuationSection(inputs);
  if (fluct) sections.push(fluct);
  sections.push(`<section class="provenance"><h2>Provenance</h2><dl><dt>generated</dt><dd>${new Date().toISOString()} by ionfield ${escapeHtml(version)} (node ${process.version})</dd>
<dt>inputs</dt><dd>${inputs.map((i) => escapeHtml(fileProvenance(i.file))).join('<br>')}</dd>
<dt>plots</dt><dd>Vega-Lite specifications rendered to SVG in Node by vega's headless view</dd>
<dt>method</dt><dd>local molar conductivity λ_i(t0) after Jones, Fong, Persson, Lee, arXiv:2208.03182 (2022)</dd></dl></section>`);
  return page(options.title ?? 'ionfield report', `${inputs.length} result file(s) · ionfield ${version}`, sections);
}
