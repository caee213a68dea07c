// The CLI path end to end on the shipped demo: `ionfield demo` (transport → descriptors → model
// λ̂ → analyses → report; with --targets the exact target λ instead of the model), `ionfield analyze --json` and `ionfield report`, and the report opened in
// headless Chromium: no console errors, no network requests, every plot drawn.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readModelFile } from '../lib/model/predict';
import { chromiumMissing, openInChromium } from './helpers/chromium';
import { runCli, runCliJson } from './helpers/cli';
import { repoRoot, tempDir } from './helpers/paths';

const demoTrajectory = path.join(repoRoot, 'data', 'demo', 'electrolyte.lammpstrj.gz');

describe('ionfield demo, analyze and report (CLI)', function () {
  this.timeout(120_000);
  let out = '';
  let modelOut = '';
  type Demo = { schema: string; report: string; stages: { stage: string; status: string; detail: string }[] };
  let demo: Demo;
  let modelDemo: Demo;

  before(() => {
    out = tempDir();
    modelOut = tempDir();
    demo = runCliJson(['demo', '--out', out, '--targets']);
    modelDemo = runCliJson(['demo', '--out', modelOut]);
  });

  it('--targets: runs every stage but the model, and analyses the target field', () => {
    assert.equal(demo.schema, 'ionfield.demo/2');
    const status = Object.fromEntries(demo.stages.map((s) => [s.stage, s.status]));
    assert.deepEqual(status, { transport: 'done', descriptors: 'done', model: 'skipped', targets: 'done', importance: 'skipped', analyses: 'done', report: 'done' });
    assert.ok(fs.statSync(demo.report).size > 10_000);
  });

  it('by default the shipped model gives the field: its λ̂ mean is the analysed mean and Λ_ML is reported', () => {
    const status = Object.fromEntries(modelDemo.stages.map((s) => [s.stage, s.status]));
    assert.deepEqual(status, { transport: 'done', descriptors: 'done', model: 'done', importance: 'done', analyses: 'done', report: 'done' });
    // The importance stage ranked the model's features on a dataset built from the demo trajectory,
    // and its section reached the report.
    const imp = JSON.parse(fs.readFileSync(path.join(modelOut, 'importance.json'), 'utf8'));
    assert.equal(imp.schema, 'ionfield.importance/2');
    // One entry per descriptor column the shipped model reads for that species (its own metadata,
    // not a number copied here: the default model's descriptor set may change when it is retrained).
    const meta = readModelFile(path.join(repoRoot, 'data', 'models', 'default.onnx')).metadata;
    assert.ok(imp.species.length > 0);
    for (const s of imp.species) assert.equal(s.features.length, meta.featureColumns[s.species].length, `species ${s.species}: one entry per model feature column`);
    assert.match(fs.readFileSync(modelDemo.report, 'utf8'), /Which descriptors the model uses/);
    const p = JSON.parse(fs.readFileSync(path.join(modelOut, 'predict.json'), 'utf8'));
    const a = JSON.parse(fs.readFileSync(path.join(modelOut, 'analysis', 'analysis.json'), 'utf8'));
    let n = 0;
    let s = 0;
    for (const d of a.distributions) {
      n += d.samples;
      s += d.samples * d.mean.value;
    }
    assert.ok(Math.abs(s / n - p.lambdaMl.value) < 1e-4 * Math.abs(p.lambdaMl.value), `analysed ⟨λ̂⟩ ${s / n} vs Λ_ML ${p.lambdaMl.value}`);
    assert.match(a.provenance.source, /default model/);
    assert.match(fs.readFileSync(modelDemo.report, 'utf8'), /default\.onnx/);
    // The demo's own report puts the model's Λ_ML beside Λ_EH.
    assert.match(fs.readFileSync(modelDemo.report, 'utf8'), /Model prediction[\s\S]*Λ_ML \/ Λ_EH/);
  });

  it('report with a predict result: Λ_ML beside the transport Λ_EH of the same trajectory, and their ratio', () => {
    const p = JSON.parse(fs.readFileSync(path.join(modelOut, 'predict.json'), 'utf8'));
    const t = JSON.parse(fs.readFileSync(path.join(modelOut, 'transport.json'), 'utf8'));
    assert.equal(path.resolve(p.trajectory), path.resolve(t.file), 'the demo wrote both for one trajectory');
    const html = path.join(modelOut, 'predict-report.html');
    const r = runCliJson<{ inputs: string[] }>(['report', path.join(modelOut, 'transport.json'), path.join(modelOut, 'predict.json'), '--out', html, '--json']);
    assert.equal(r.inputs.length, 2);
    const text = fs.readFileSync(html, 'utf8');
    const read = (label: string) => {
      const m = new RegExp(`${label}</td><td>([-0-9.e]+) ± ([-0-9.e]+)`).exec(text);
      assert.ok(m, `no row '${label}' in the report`);
      return [Number(m![1]), Number(m![2])];
    };
    const [ml] = read('Λ_ML \\(mean of λ̂ over ions and frames\\)');
    const [eh] = read('Λ_EH \\(Einstein–Helfand, transport result\\)');
    const [ratio, ratioError] = read('Λ_ML / Λ_EH');
    assert.ok(Math.abs(ml - p.lambdaMl.value) < 1e-3 * Math.abs(p.lambdaMl.value));
    assert.ok(Math.abs(eh - t.molarConductivity.value) < 1e-3 * Math.abs(t.molarConductivity.value));
    const want = p.lambdaMl.value / t.molarConductivity.value;
    assert.ok(Math.abs(ratio - want) < 1e-3 * want, `ratio ${ratio} vs ${want}`);
    // Independent estimates: relative errors add in quadrature.
    const wantError = want * Math.hypot(p.lambdaMl.error / p.lambdaMl.value, t.molarConductivity.error / t.molarConductivity.value);
    // The report shows errors to two significant digits: up to 2.6 % off for a value like 0.194.
    assert.ok(Math.abs(ratioError - wantError) < 0.03 * wantError, `ratio error ${ratioError} vs ${wantError}`);
  });

  it('the mean of the target field equals the Einstein–Helfand ⟨|J|²⟩/(6 T n_f τ) at that lag (exact sum rule)', () => {
    const a = JSON.parse(fs.readFileSync(path.join(out, 'analysis', 'analysis.json'), 'utf8'));
    const t = JSON.parse(fs.readFileSync(path.join(out, 'transport.json'), 'utf8'));
    const src: string = a.provenance.source;
    const tau = Number(/τ = ([0-9.]+)/.exec(src)![1]);
    const k = t.curves.time.findIndex((x: number) => Math.abs(x - tau) < 1e-9);
    assert.ok(k >= 0, `lag ${tau} on the correlator grid`);
    const eh = t.curves.chargeMsd[k] / (6 * t.temperature * t.formulaUnits.value * tau);
    let n = 0;
    let s = 0;
    for (const d of a.distributions) {
      n += d.samples;
      s += d.samples * d.mean.value;
    }
    // Same lag; the field uses every 6th origin, the correlator all: agreement to sampling error.
    assert.ok(Math.abs(s / n - eh) < 0.05 * eh, `⟨λ⟩ = ${s / n}, EH at τ: ${eh}`);
  });

  it('analyze --json follows the schema; bad input exits 1 with the file named, bad usage 2', () => {
    const field = path.join(out, 'lambda_targets.npy');
    const r = runCliJson<{ schema: string; structure: { curves: { a: string; b: string }[] }; files: string[] }>(['analyze', demoTrajectory, '--field', field, '--stride', '6', '--stop', '2994', '--out', path.join(out, 'again'), '--bins', '50']);
    assert.equal(r.schema, 'ionfield.analysis/2');
    assert.equal(r.structure.curves.length, 3);
    assert.ok(r.files.some((f) => f.endsWith('pair_1_2.npy')));
    const wrongFrames = runCli(['analyze', demoTrajectory, '--field', field, '--out', path.join(out, 'x')]);
    assert.equal(wrongFrames.status, 1);
    assert.match(wrongFrames.stderr, /lambda_targets\.npy: has 499 frames.*--start\/--stop\/--stride/);
    assert.equal(runCli(['analyze', demoTrajectory]).status, 2);
    assert.equal(runCli(['analyze', demoTrajectory, '--field', field, '--stride', '6', '--stop', '2994', '--r-max', '9']).status, 2);
    const notJson = path.join(out, 'bad.json');
    fs.writeFileSync(notJson, '{"schema": "something/1"}');
    const rep = runCli(['report', notJson, '--out', path.join(out, 'r.html')]);
    assert.equal(rep.status, 1);
    assert.match(rep.stderr, /bad\.json: schema 'something\/1'/);
    assert.ok(!fs.existsSync(path.join(out, 'r.html')));
  });

  it('the report opens in headless Chromium without console errors, and every plot is drawn', async function () {
    const why = chromiumMissing();
    if (why) {
      console.log(`      skipped: ${why}`);
      this.skip();
    }
    const check = await openInChromium(demo.report);
    assert.deepEqual(check.consoleErrors, []);
    assert.deepEqual(check.failedRequests, []);
    const ids = check.plots.map((p) => p.id).sort();
    // One system: no one-point "fluctuation against Λ" scatter, a sentence instead.
    assert.deepEqual(ids, ['classes', 'coordination', 'correlation', 'counter-ions', 'distribution', 'msd', 'rdf', 'slope'].sort());
    for (const p of check.plots) {
      assert.ok(p.svgChildren > 20, `plot ${p.id} has ${p.svgChildren} SVG elements`);
      assert.ok(p.width > 200 && p.height > 150, `plot ${p.id} is ${p.width}×${p.height}`);
      // Text boxes at least 12 px tall (about an 11 px font or larger) at 100 % zoom.
      assert.ok(p.minFontPx >= 12, `plot ${p.id}: smallest text ${p.minFontPx.toFixed(1)} px`);
    }
    const html = fs.readFileSync(demo.report, 'utf8');
    assert.match(html, /plotted from three systems on; this report has 1/);
    assert.doesNotMatch(html, /<dd>\s*\{/, 'no raw JSON in the provenance');
    assert.doesNotMatch(html, /<script|https?:\/\/(?!www\.w3\.org|vega\.github\.io)/, 'self-contained: no scripts, no external resources');
  });
});
