// Sharded runs (`--shard i/n`) merged by `ionfield merge` equal the single-process run: transport
// to round-off (values and jackknife errors, <= 1e-12 relative) over random shard counts and merge
// groupings, KMC bit for bit; partials of other inputs or options are refused naming the mismatch.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli } from './helpers/cli';
import { cli, mergeRandomly, rng, runShards } from './helpers/shards';
import { repoRoot, tempDir } from './helpers/paths';
import { worstDifference } from './helpers/compare';

const family = path.join(repoRoot, 'data', 'family', 'a11-lb2-rho0.05');
const demo = path.join(repoRoot, 'data', 'demo', 'electrolyte.lammpstrj.gz');
const familyArgs = [`${family}.xtc`, '--topology', `${family}.topology.json`, '--units', 'lj', '--temperature', '1'];

describe('sharded runs and ionfield merge', function () {
  this.timeout(300_000);

  for (const seed of [1, 2, 3]) {
    it(`transport: a random shard count and merge grouping equals the single run (seed ${seed})`, () => {
      const dir = tempDir();
      const random = rng(seed);
      const single = JSON.parse(cli(['transport', ...familyArgs, '--json']));
      const n = 2 + Math.floor(random() * 6);
      const result = mergeRandomly(runShards(['transport', ...familyArgs], n, dir, 't'), dir, random);
      const merged = JSON.parse(fs.readFileSync(result, 'utf8'));
      const worst = worstDifference(single, merged);
      assert.ok(worst <= 1e-12, `${n} shards: worst relative difference ${worst}`);
      assert.equal(merged.uncertainty.blocks, single.uncertainty.blocks);
    });
  }

  it('transport with --start, --stride and --max-lag: shards read only their lag overlap, and still agree', () => {
    const dir = tempDir();
    const args = ['transport', demo, '--units', 'lj', '--temperature', '1', '--start', '3', '--stop', '2000', '--stride', '2', '--max-lag', '20'];
    const single = JSON.parse(cli([...args, '--json']));
    const files = runShards(args, 3, dir, 'm');
    const piece = JSON.parse(fs.readFileSync(files[2], 'utf8')).pieces[0];
    assert.ok(piece.firstFrame > 0 && piece.ownFrom - piece.firstFrame <= 20, `the last shard reads from ${piece.firstFrame}, owns from ${piece.ownFrom}`);
    const merged = JSON.parse(fs.readFileSync(mergeRandomly(files, dir, rng(9)), 'utf8'));
    assert.ok(worstDifference(single, merged) <= 1e-12);
  });

  it('kinosons kmc: shards of the trajectories merge bit for bit (all but the wall-clock seconds)', () => {
    const dir = tempDir();
    const config = path.join(dir, 'kmc.json');
    fs.writeFileSync(config, JSON.stringify({
      lattice: 'fcc', supercell: 3, vacancies: 1, seed: 7, temperatures: [1000],
      species: [{ name: 'A', fraction: 0.5, e0: 0.7 }, { name: 'B', fraction: 0.5, e0: 0.85 }],
      pairs: [{ a: 'A', b: 'B', shell: 1, J: 0.02 }],
      kmc: { steps: 3000, trajectories: 9, equilibrationSweeps: 10 },
    }));
    const strip = (r: Record<string, unknown>) => ({ ...r, seconds: undefined, secondsFor1Percent: undefined, runs: (r.runs as { seconds: number }[]).map((x) => ({ ...x, seconds: undefined })) });
    const single = strip(JSON.parse(cli(['kinosons', 'kmc', '--config', config, '--json'])));
    for (const n of [2, 4, 9]) {
      const files = runShards(['kinosons', 'kmc', '--config', config], n, dir, `k${n}`);
      const merged = strip(JSON.parse(fs.readFileSync(mergeRandomly(files, dir, rng(n)), 'utf8')));
      assert.deepEqual(merged, single, `${n} shards`);
    }
  });

  it('predict: shards of whole batches merge to the single run — the per-ion field bit for bit, the report to round-off', () => {
    const dir = tempDir();
    const args = ['predict', demo, '--stop', '600'];
    const timing = (r: Record<string, unknown>) => ({ ...r, seconds: undefined, stages: undefined, ionsFramesPerSecond: undefined, field: undefined });
    const single = JSON.parse(cli([...args, '--out', path.join(dir, 'single.npy'), '--json']));
    const files = runShards([...args, '--out', path.join(dir, 'merged.npy')], 3, dir, 'p', '--partial');
    const merged = JSON.parse(fs.readFileSync(mergeRandomly(files, dir, rng(4)), 'utf8'));
    for (const ext of ['.npy', '.spread.npy'])
      assert.ok(fs.readFileSync(path.join(dir, `single${ext}`)).equals(fs.readFileSync(path.join(dir, `merged${ext}`))), `${ext} differs`);
    assert.ok(worstDifference(timing(single), timing(merged)) <= 1e-12);
    assert.deepEqual(merged.field.shape, single.field.shape);
  });

  it('descriptors: shards of whole batches merge to the single run\'s array and column description, bit for bit', () => {
    const dir = tempDir();
    const args = ['descriptors', demo, '--set', 'compact', '--stop', '200'];
    const summary = JSON.parse(cli([...args, '--out', path.join(dir, 'single.npy'), '--json']));
    const files = runShards([...args, '--out', path.join(dir, 'merged.npy')], 4, dir, 'd', '--partial');
    const merged = JSON.parse(fs.readFileSync(mergeRandomly(files, dir, rng(5)), 'utf8'));
    assert.ok(fs.readFileSync(path.join(dir, 'single.npy')).equals(fs.readFileSync(path.join(dir, 'merged.npy'))), 'the arrays differ');
    const columns = (name: string) => fs.readFileSync(path.join(dir, `${name}.columns.json`), 'utf8').split(path.join(dir, `${name}.npy`)).join('ARRAY');
    assert.equal(columns('merged'), columns('single'));
    assert.deepEqual([merged.frames, merged.shape], [summary.frames, summary.shape]);
  });

  it('refuses partials of other inputs, other options, other shard counts and repeated shards, naming the mismatch', () => {
    const dir = tempDir();
    const other = path.join(repoRoot, 'data', 'family', 'a11-lb2-rho0.1');
    const [a0] = runShards(['transport', ...familyArgs], 2, dir, 'a');
    const b1 = path.join(dir, 'b1.json');
    cli(['transport', ...familyArgs.slice(0, -1), '2', '--shard', '1/2', '--out', b1]);
    const c1 = path.join(dir, 'c1.json');
    cli(['transport', `${other}.xtc`, '--topology', `${other}.topology.json`, '--units', 'lj', '--temperature', '1', '--shard', '1/2', '--out', c1]);
    const d1 = path.join(dir, 'd1.json');
    cli(['transport', ...familyArgs, '--shard', '1/3', '--out', d1]);
    const refuse = (files: string[], pattern: RegExp) => {
      const r = runCli(['merge', ...files, '--out', path.join(dir, 'never.json')]);
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, pattern);
      assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
      assert.ok(!fs.existsSync(path.join(dir, 'never.json')));
    };
    refuse([a0, b1], /option temperature differs \(2 vs 1\)/);
    refuse([a0, c1], /input 1 differs .*a11-lb2-rho0\.1\.xtc/);
    refuse([a0, d1], /different shard counts \(3 vs 2\)/);
    refuse([a0, a0], /shard 0\/2 is in both/);
    const r = runCli(['transport', ...familyArgs, '--shard', '40/41', '--out', path.join(dir, 'x.json')]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /at most \d+ shards/);
    // A wrong frame count (the file changed since it was counted) fails the shard that sees it.
    const wrong = runCli(['transport', ...familyArgs, '--shard', '1/2', '--selected-frames', '700', '--out', path.join(dir, 'y.json')]);
    assert.equal(wrong.status, 1);
    assert.match(wrong.stderr, /not the one the run was planned for \(--selected-frames 700\)/);
    assert.ok(!fs.existsSync(path.join(dir, 'y.json')));
  });
});
