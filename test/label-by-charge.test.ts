// Species labelled by charge (--label-by charge) end to end, on two tiny real LAMMPS runs of
// scripts/family/electrolyte.in that both call their cation type "1": a 1:1 salt (z = +1) and a 2:1
// salt (z = +2). The dataset must see three species +1, -1, +2 with separate feature blocks, a model
// trained on it must record the labelling, and predict must relabel a 2:1 trajectory by charge and
// run the "+2" network on its cations.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readNpy } from '../lib/npy';
import { OnnxPredictor } from '../lib/model/inference';
import { readModel } from '../lib/model/predict';
import { chargeLabel } from '../lib/trajectory';
import { runCli } from './helpers/cli';
import { repoRoot, tempDir } from './helpers/paths';

const hasLammps = spawnSync('lmp', ['-h'], { stdio: 'ignore' }).status === 0;

function runLammps(dir: string, name: string, vars: Record<string, number | string>): string {
  const run = path.join(dir, name);
  fs.mkdirSync(run);
  const all = { sigcat: 1, sigan: 1, rho: 0.1, lb: 2, seed: 777, equil: 300, prod: 800, every: 20, out: 'traj.lammpstrj', pppm: 1e-4, rc: 3.0, ...vars };
  const args = ['-in', path.join(repoRoot, 'scripts', 'family', 'electrolyte.in'), '-log', 'log.lammps', '-screen', 'none', '-nocite'];
  for (const [k, v] of Object.entries(all)) args.push('-var', k, String(v));
  const r = spawnSync('lmp', args, { cwd: run, encoding: 'utf8', timeout: 90_000 });
  assert.equal(r.status, 0, `LAMMPS failed: ${r.stderr}`);
  return path.join(run, 'traj.lammpstrj');
}

/** The same dump without its q column (a file that cannot be labelled by charge on its own). */
function withoutCharges(src: string, dst: string): void {
  let qcol = -1;
  const out = fs.readFileSync(src, 'utf8').split('\n').map((line) => {
    if (line.startsWith('ITEM: ATOMS')) {
      const cols = line.split(/\s+/).slice(2);
      qcol = cols.indexOf('q');
      return ['ITEM:', 'ATOMS', ...cols.filter((_, i) => i !== qcol)].join(' ');
    }
    if (qcol >= 0 && /^\s*\d+\s+\d+\s+\S+\s+\S+\s+\S+/.test(line) && line.trim().split(/\s+/).length > 5)
      return line.trim().split(/\s+/).filter((_, i) => i !== qcol).join(' ');
    if (line.startsWith('ITEM:')) qcol = -1;
    return line;
  });
  fs.writeFileSync(dst, out.join('\n'));
}

describe('species labelled by charge: 1:1 and 2:1 salts whose cations share LAMMPS type 1', function () {
  this.timeout(180_000);
  let dir = '', mono = '', di = '', ds = '', model = '';
  before(function () {
    if (!hasLammps) {
      console.log('    (skipped: lmp not found; scripts/install-system-deps.sh installs the Debian package lammps)');
      this.skip();
    }
    dir = tempDir('ionfield-label-charge-');
    mono = runLammps(dir, 'salt11', { ncat: 16, nan: 16, qcat: 1, qan: -1 });
    di = runLammps(dir, 'salt21', { ncat: 8, nan: 16, qcat: 2, qan: -1 });
    ds = path.join(dir, 'ds');
  });

  it('charge labels: "+1", "-1", "+2", float noise does not split a species', () => {
    assert.deepEqual([1, -1, 2, 0.5, 0, 1.0000000001, -2].map(chargeLabel), ['+1', '-1', '+2', '+0.5', '0', '+1', '-2']);
  });

  it('the dataset separates the divalent cation from the monovalent one', () => {
    // 0.1 τ per frame (20 steps × 0.005); τ = 1 → 10 frames; 41 frames, origins every 2nd: 0..30 → 16.
    const r = runCli(['dataset', mono, di, '--label-by', 'charge', '--set', 'compact', '--tau', '1', '--out', ds, '--origin-stride', '2', '--temperature', '1', '--timestep', '0.005', '--no-transport', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const d = JSON.parse(fs.readFileSync(path.join(ds, 'dataset.json'), 'utf8'));
    assert.equal(d.speciesLabels, 'charge');
    assert.deepEqual([...d.species].sort(), ['+1', '+2', '-1']);
    const [s11, s21] = d.systems;
    assert.deepEqual(s11.ions, { '+1': 16, '+2': 0, '-1': 16 });
    assert.deepEqual(s21.ions, { '+1': 0, '+2': 8, '-1': 16 });
    assert.deepEqual(s11.charges, { '+1': 1, '-1': -1 });
    assert.deepEqual(s21.charges, { '+2': 2, '-1': -1 });
    // n_f from the stoichiometry: 16 formula units of the 1:1 salt, 8 of the 2:1 salt.
    assert.equal(s11.formulaUnits, 16);
    assert.equal(s21.formulaUnits, 8);
    for (const s of d.systems) assert.ok(s.sumRuleRelativeError < 1e-12, `${s.name}: sum rule ${s.sumRuleRelativeError}`);
    // Separate feature blocks: every centre species has its own columns, and the neighbour
    // species of the columns are the charge labels (a +2 neighbour is not a +1 neighbour).
    for (const s of ['+1', '+2', '-1']) assert.ok(d.featureColumns[s].length > 0, `columns of ${s}`);
    const neighbourSets = new Set(d.featureColumns['+2'].map((c: { neighbours?: string[] }) => JSON.stringify(c.neighbours)));
    assert.ok([...neighbourSets].some((n) => n.includes('+2')) && [...neighbourSets].some((n) => n.includes('+1')), `neighbours ${[...neighbourSets].join(' ')}`);
    const F2 = d.featureColumns['+2'].length;
    const f21 = readNpy(path.join(ds, 'salt21', 'features-+2.npy'));
    assert.deepEqual(f21.shape, [16, 8, F2]);
    assert.deepEqual(readNpy(path.join(ds, 'salt11', 'features-+2.npy')).shape, [16, 0, F2]);
    assert.deepEqual(readNpy(path.join(ds, 'salt21', 'lambda-+1.npy')).shape, [16, 0]);
    // In the 2:1 system no ion is +1: every column whose neighbours are only +1 ions is exactly 0,
    // and those whose neighbours include -1 ions are not.
    const cols = d.featureColumns['+2'] as { neighbours?: string[] }[];
    const onlyPlus1 = cols.map((c, k) => (JSON.stringify(c.neighbours ?? []).includes('+1') && !/[-+]2|-1/.test(JSON.stringify(c.neighbours)) ? k : -1)).filter((k) => k >= 0);
    assert.ok(onlyPlus1.length > 0, 'the set has columns with +1 neighbours only');
    const x = f21.data as Float32Array;
    for (let row = 0; row < 16 * 8; row++) for (const k of onlyPlus1) assert.equal(x[row * F2 + k], 0, `row ${row} column ${k}`);
  });

  it('a model trained on charge labels records them and predicts a 2:1 trajectory with the "+2" network', async () => {
    model = path.join(dir, 'm.onnx');
    const t = runCli(['train', ds, '--holdout', '', '--out', model, '--epochs', '3', '--hidden', '8', '--seed', '3', '--json']);
    assert.equal(t.status, 0, t.stderr);
    const m = readModel(model);
    assert.equal(m.metadata.speciesLabels, 'charge');
    assert.deepEqual([...m.metadata.species].sort(), ['+1', '+2', '-1']);
    const field = path.join(dir, 'lambda21.npy');
    const p = runCli(['predict', di, '--model', model, '--out', field, '--stop', '31', '--json']);
    assert.equal(p.status, 0, p.stderr);
    const rep = JSON.parse(p.stdout);
    // The report names species by the file's types (type 1 carries +2 here), charge as an attribute,
    // and lists only species present: the "+1" network has no ions in this file and is not listed.
    assert.deepEqual(rep.species, { 1: { charge: 2, ions: 8, lambdaMean: rep.species['1'].lambdaMean }, 2: { charge: -1, ions: 16, lambdaMean: rep.species['2'].lambdaMean } });
    assert.ok(Number.isFinite(rep.species['1'].lambdaMean) && Number.isFinite(rep.species['2'].lambdaMean));
    assert.deepEqual(rep.field.species.filter((s: string) => s === '1').length, 8);
    // Independent check: ONNX Runtime run here on the dataset's stored "+2" features (origin frames
    // 0, 2, ..., 30 of the same file) gives the λ̂ that predict wrote for those ions and frames.
    const k2 = m.metadata.species.indexOf('+2');
    const feats = readNpy(path.join(ds, 'salt21', 'features-+2.npy'));
    const F = feats.shape[2];
    const feeds: Record<string, { data: Float32Array; dims: number[] }> = {};
    m.metadata.species.forEach((s, k) => {
      feeds[`features_${k}`] = k === k2 ? { data: feats.data as Float32Array, dims: [16 * 8, F] } : { data: new Float32Array(0), dims: [0, m.metadata.featureColumns[s].length] };
    });
    const ort = await OnnxPredictor.open(m.bytes, 'cpu');
    let direct: Float32Array;
    try {
      direct = (await ort.run(feeds)).outputs[`lambda_${k2}`];
    } finally {
      await ort.close();
    }
    const lam = readNpy(field);
    const R = lam.shape[1];
    const plus2 = (rep.field.species as string[]).map((s, r) => (s === '1' ? r : -1)).filter((r) => r >= 0);
    let compared = 0;
    for (let o = 0; o < 16; o++) {
      plus2.forEach((r, i) => {
        const want = direct[o * 8 + i], got = (lam.data as Float32Array)[2 * o * R + r];
        assert.ok(Math.abs(got - want) <= 1e-4 * Math.max(1, Math.abs(want)), `origin ${o}, +2 ion ${i}: predict ${got}, ONNX Runtime on dataset features ${want}`);
        compared++;
      });
    }
    assert.equal(compared, 16 * 8);
  });

  it('predict refuses a charge-labelled model on a file without charges, and accepts --charges', () => {
    const bare = path.join(dir, 'salt21-noq.lammpstrj');
    withoutCharges(di, bare);
    const r = runCli(['predict', bare, '--model', model, '--stop', '5', '--json']);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /labels species by charge .*has no charges: pass --charges/);
    const ok = runCli(['predict', bare, '--model', model, '--stop', '5', '--charges', '1:2,2:-1', '--json']);
    assert.equal(ok.status, 0, ok.stderr);
    assert.deepEqual(JSON.parse(ok.stdout).species['1'].ions, 8);
    assert.deepEqual(JSON.parse(ok.stdout).species['1'].charge, 2);
  });

  it('rejects an unknown --label-by', () => {
    const r = runCli(['dataset', mono, '--label-by', 'valence', '--set', 'compact', '--tau', '1', '--out', path.join(dir, 'x'), '--temperature', '1', '--timestep', '0.005']);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /--label-by: expected 'type' or 'charge'/);
  });
});
