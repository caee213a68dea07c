// `ionfield dataset --units`: K (and so every λ_i) carries the unit style's constants, the builder's
// own transport run (Λ_EH) is made in the same units, and dataset.json records them. The demo read
// as lj and as real: its stored times are the same numbers in τ or fs, so the same frames make every
// target, and λ(real)/λ(lj) must be exactly e² N_A (1 Å)²/(k_B 1 fs) · 10⁴ (S cm²/mol).
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readNpy } from '../lib/npy';
import { AVOGADRO, BOLTZMANN, ELEMENTARY_CHARGE } from '../lib/transport/units';
import { runCli } from './helpers/cli';
import { repoRoot, tempDir } from './helpers/paths';

const demo = path.join(repoRoot, 'data', 'demo', 'electrolyte.lammpstrj.gz');
const build = (out: string, ...extra: string[]) => {
  const r = runCli(['dataset', demo, '--set', 'compact', '--tau', '2', '--out', out, '--origin-stride', '5', '--temperature', '1.5', '--stop', '400', '--json', ...extra]);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(fs.readFileSync(path.join(out, 'dataset.json'), 'utf8'));
};

describe('dataset --units', function () {
  this.timeout(120_000);
  const dir = tempDir('ionfield-dataset-units-');
  const factor = (ELEMENTARY_CHARGE ** 2 * AVOGADRO * 1e-20) / (BOLTZMANN * 1e-15) * 1e4;

  it('real units: K, every λ_i and Λ_EH are the lj ones times e² N_A Å²/(k_B fs) in S cm²/mol', () => {
    const lj = build(path.join(dir, 'lj'));
    const real = build(path.join(dir, 'real'), '--units', 'real');
    assert.equal(lj.units, 'lj');
    assert.equal(real.units, 'real');
    assert.equal(real.lambdaUnits, 'S cm^2/mol');
    assert.match(real.lambdaDefinition, /S cm²\/mol/);
    const [a, b] = [lj.systems[0], real.systems[0]];
    assert.ok(Math.abs(b.K / a.K / factor - 1) < 1e-12, `K ratio ${b.K / a.K} vs ${factor}`);
    assert.ok(Math.abs(b.lambdaMean / a.lambdaMean / factor - 1) < 1e-9);
    assert.ok(b.sumRuleRelativeError < 1e-9);
    assert.ok(Math.abs(b.lambdaEh.value / a.lambdaEh.value / factor - 1) < 1e-9, `Λ_EH ${b.lambdaEh.value} vs ${a.lambdaEh.value}`);
    for (const s of Object.keys(a.ions)) {
      const x = readNpy(path.join(dir, 'lj', a.name, `lambda-${s}.npy`)).data as Float64Array;
      const y = readNpy(path.join(dir, 'real', b.name, `lambda-${s}.npy`)).data as Float64Array;
      assert.equal(x.length, y.length);
      for (let i = 0; i < x.length; i++) assert.ok(Math.abs(y[i] - factor * x[i]) <= 1e-9 * Math.abs(factor * x[i]) + 1e-300, `${s}[${i}]`);
    }
  });

  it('a folder built in other units is rebuilt, not mixed (the request records the units)', () => {
    const out = path.join(dir, 'switch');
    build(out);
    const again = runCli(['dataset', demo, '--set', 'compact', '--tau', '2', '--out', out, '--origin-stride', '5', '--temperature', '1.5', '--stop', '400', '--units', 'metal', '--json']);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(JSON.parse(again.stdout).systems[0].skipped, false);
    assert.equal(JSON.parse(fs.readFileSync(path.join(out, 'dataset.json'), 'utf8')).units, 'metal');
  });

  it('an unknown style is a usage error (exit 2)', () => {
    const r = runCli(['dataset', demo, '--set', 'compact', '--tau', '2', '--out', path.join(dir, 'bad'), '--temperature', '1', '--units', 'cgs']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--units: 'cgs' is not one of lj, real, metal, gromacs/);
  });
});
