// Strong correlation (issue 14): the KMC slope estimator and its linearity check through the CLI,
// the harmonic-corrector model through the configuration and the fit, and the cost comparison.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli } from './helpers/cli';
import { tempDir } from './helpers/paths';
import { runFit, validateConfig } from '../lib/kinosons/index';
import { binaryAlloy } from './helpers/binary-alloy';

const alloy = (extra: Record<string, unknown> = {}) => binaryAlloy(0.65, 0.01, 5, extra);
const linear = { vacancyShells: -1, speciesShells: 1, pairFirstShells: 1, pairSecondShells: 1 };

describe('kinosons: KMC estimator', () => {
  it('reports the slope and whole-trajectory estimates, the window and a linearity check', () => {
    const dir = tempDir('kmc-slope');
    const file = path.join(dir, 'alloy.json');
    fs.writeFileSync(file, JSON.stringify(alloy({ kmc: { steps: 20000, trajectories: 16 } })));
    const r = runCli(['kinosons', 'kmc', '--config', file, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.schema, 'ionfield.kinosons.kmc/2');
    assert.equal(j.estimator, 'slope');
    assert.deepEqual(j.tracer, j.estimates.slope.tracer);
    assert.notDeepEqual(j.estimates.slope.tracer.A, j.estimates['whole-trajectory'].tracer.A);
    assert.deepEqual(j.window.fractions, [0.1, 0.5]);
    assert.equal(j.window.jumps[0], Math.floor((20000 * Math.round(0.1 * 32)) / 32)); // checkpoint 3 of 32
    assert.ok(j.window.time[1] > j.window.time[0]);
    for (const s of ['A', 'B']) {
      assert.ok(Number.isFinite(j.linearity[s].change.mean) && j.linearity[s].early.error > 0);
      // L_aa is checked the same way.
      assert.ok(Number.isFinite(j.linearity[s].collective.change.mean) && j.linearity[s].collective.change.error > 0);
    }
    // The older estimator by name.
    fs.writeFileSync(file, JSON.stringify(alloy({ kmc: { steps: 20000, trajectories: 16, estimator: 'whole-trajectory' } })));
    const w = JSON.parse((runCli(['kinosons', 'kmc', '--config', file, '--json'])).stdout);
    assert.deepEqual(w.tracer, j.estimates['whole-trajectory'].tracer);
  });

  it('runs trajectories that are too short for a linear MSD again, longer; warns when told not to', () => {
    const dir = tempDir('kmc-short');
    const file = path.join(dir, 'alloy.json');
    // 300 jumps per trajectory on 108 sites: 3 per atom, deep in the correlated start.
    fs.writeFileSync(file, JSON.stringify(alloy({ kmc: { steps: 300, trajectories: 400 } })));
    const j = JSON.parse(runCli(['kinosons', 'kmc', '--config', file, '--json']).stdout);
    assert.ok(j.runs.length > 1 && j.runs[0].steps === 300 && !j.runs[0].linear, JSON.stringify(j.runs));
    assert.equal(j.runs[j.runs.length - 1].steps, j.jumps / j.trajectories);
    assert.ok(j.runs.every((r: { steps: number }, i: number) => i === 0 || r.steps === 2 * j.runs[i - 1].steps));
    assert.ok(j.runs[j.runs.length - 1].steps <= 300 * 8);
    assert.match(j.warnings[0], /not linear over the window at 300 jumps per trajectory: ran 600/);
    fs.writeFileSync(file, JSON.stringify(alloy({ kmc: { steps: 300, trajectories: 400, extend: false } })));
    const k = JSON.parse(runCli(['kinosons', 'kmc', '--config', file, '--json']).stdout);
    assert.equal(k.runs.length, 1);
    assert.ok(k.warnings.some((w: string) => /too short for a linear MSD/.test(w)), JSON.stringify(k.linearity));
  });

  it('refuses a window that is not inside the run or spans too few lags', () => {
    assert.throws(() => validateConfig(alloy({ kmc: { window: [0.5, 0.4] } }), 'c'), /kmc: 'window' must be \[from, to\]/);
    assert.throws(() => validateConfig(alloy({ kmc: { window: [0.1, 0.12] } }), 'c'), /fewer than 3 lags/);
    assert.throws(() => validateConfig(alloy({ kmc: { estimator: 'fit' } }), 'c'), /'estimator' must be 'slope'/);
  });
});

describe('kinosons: harmonic corrector model', () => {
  it('is refused with the gated network or the residual bias, and its shells need corrector: true', () => {
    assert.throws(() => validateConfig(alloy({ models: [{ ...linear, corrector: true, hidden: 4 }] }), 'c'), /'corrector' is combined with the linear basis and the site network only/);
    assert.throws(() => validateConfig(alloy({ models: [{ ...linear, corrector: true, residualBias: true }] }), 'c'), /'corrector' is combined with the linear basis and the site network only/);
    assert.equal(validateConfig(alloy({ models: [{ ...linear, corrector: true, networkHidden: 4 }] }), 'c').models[0].correctorShells, 2);
    assert.throws(() => validateConfig(alloy({ models: [{ ...linear, correctorShells: 2 }] }), 'c'), /'correctorShells' needs 'corrector': true/);
    assert.throws(() => validateConfig(alloy({ models: [{ ...linear, corrector: true, correctorShells: 6 }] }), 'c'), /from 0 to 4/);
    assert.equal(validateConfig(alloy({ models: [{ ...linear, corrector: true }] }), 'c').models[0].correctorShells, 2);
  });

  it('adds its functions to the linear basis and lowers the training value of a contrasted alloy', async () => {
    const config = validateConfig(alloy({ states: { training: 60, validation: 60 }, models: [{ name: 'lin', ...linear }, { name: 'lin+corrector', ...linear, corrector: true }] }), 'c');
    for (const target of [{ kind: 'tracer', species: 'A' }, { kind: 'collective', channel: 'A' }] as const) {
      const fit = await runFit(config, 1000, target);
      const [, lin, corr] = fit.models;
      // Tracer: χ, two harmonic vacancy shells and the nearest-neighbour offset in 12 (FCC z) bins.
      assert.equal(corr.functions, lin.functions + (target.kind === 'tracer' ? 3 + 12 : 2));
      assert.ok(corr.training < 0.97 * lin.training, `${target.kind}: ${corr.training} vs ${lin.training}`);
    }
  });
});
