// The bound tightened by short trajectories (config `tail`, docs/kinosons.md "Short trajectories
// through y") through the CLI: on a strongly correlated alloy where the variational bound is well
// above KMC, the refined value agrees with `kinosons kmc` (an independent path: whole trajectories
// from their own random states); `"tail": false` turns it off; bad settings name the key.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli } from './helpers/cli';
import { tempDir } from './helpers/paths';
import { binaryAlloy } from './helpers/binary-alloy';

const alloy = (extra: Record<string, unknown> = {}) =>
  binaryAlloy(0.6, 0.01, 9, {
    states: { training: 300, validation: 300 },
    kmc: { steps: 200000, trajectories: 64 },
    models: [{ name: 'linear+corrector', vacancyShells: 4, pairFirstShells: 1, pairSecondShells: 1, corrector: true, correctorShells: 1 }],
    ...extra,
  });

function fitJson(config: Record<string, unknown>, ...args: string[]) {
  const dir = tempDir('tail');
  const file = path.join(dir, 'alloy.json');
  fs.writeFileSync(file, JSON.stringify(config));
  const r = runCli(['kinosons', 'fit', '--config', file, '--json', ...args]);
  return { status: r.status, stderr: r.stderr, json: r.status === 0 ? JSON.parse(r.stdout) : null };
}

describe('kinosons: the bound tightened by short trajectories', () => {
  it('agrees with KMC where the bound does not, and says it converged', () => {
    const { status, stderr, json } = fitJson(alloy());
    assert.equal(status, 0, stderr);
    const kmc = json.comparison.kmc;
    const refined = json.refined;
    assert.equal(refined.method, 'trajectory-tail');
    assert.equal(refined.model, 'linear+corrector');
    assert.ok(json.bound.mean > 1.1 * kmc.mean, `the bound ${json.bound.mean} should be well above KMC ${kmc.mean} on this alloy`);
    assert.deepEqual([json.D, json.DMethod], [refined.D, 'trajectory-tail']);
    const sigma = Math.abs(refined.D.mean - kmc.mean) / Math.hypot(refined.D.error, kmc.error);
    assert.ok(sigma < 3.5 && Math.abs(refined.D.mean / kmc.mean - 1) < 0.05, `refined ${refined.D.mean} ± ${refined.D.error} vs KMC ${kmc.mean} ± ${kmc.error}`);
    assert.equal(refined.converged, true);
    assert.equal(refined.segments, 300);
    // Checkpoints double; the first D(t) lies between the refined value and the bound.
    const cps = refined.checkpoints;
    for (let k = 1; k < cps.length; k++) assert.ok(Math.abs(cps[k].time / cps[k - 1].time - 2) < 1e-12);
    assert.ok(cps[0].D.mean < json.bound.mean && cps[0].D.mean > 0.9 * refined.D.mean);
    // The plain displacement from the same segments starts higher (y = 0 relaxes nothing).
    assert.ok(cps[0].plainD.mean > cps[0].D.mean);
    assert.ok(refined.seconds > 0 && refined.jumps > 0 && refined.secondsFor1Percent > 0);
  });

  it('is off with "tail": false, and refuses bad settings by name', () => {
    const off = fitJson(alloy({ tail: false, states: { training: 50, validation: 50 } }), '--no-kmc');
    assert.equal(off.status, 0, off.stderr);
    assert.equal(off.json.refined, undefined);
    assert.deepEqual([off.json.D, off.json.DMethod], [off.json.bound, 'variational']);
    // Collective targets only when asked for ('targets': 'all'), with every L_ab.
    const small = { states: { training: 50, validation: 50 } };
    const collective = fitJson(alloy(small), '--no-kmc', '--target', 'collective:A');
    assert.equal(collective.status, 0, collective.stderr);
    assert.equal(collective.json.refined, undefined);
    const all = fitJson(alloy({ ...small, tail: { targets: 'all', rounds: 4, minRounds: 3 } }), '--no-kmc', '--target', 'collective:A');
    assert.equal(all.status, 0, all.stderr);
    assert.equal(all.json.DMethod, 'trajectory-tail');
    assert.deepEqual(all.json.D, all.json.refined.onsager.A.A);
    assert.ok(all.json.refined.onsager.B.B.mean > 0 && Number.isFinite(all.json.refined.onsager.A.B.mean));
    const bad = fitJson(alloy({ tail: { rounds: 1 } }), '--no-kmc');
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /tail: 'rounds' must be an integer from 3 to 30/);
    const typo = fitJson(alloy({ tail: { tolerence: 0.1 } }), '--no-kmc');
    assert.match(typo.stderr, /unknown key 'tolerence' \(did you mean 'tolerance'\?\)/);
  });
});
