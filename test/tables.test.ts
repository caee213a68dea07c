// Trajectory tables: `transport --table` / `--list` and `predict` of several trajectories write one
// row per trajectory, each row the single run of that trajectory; their shards (k per row, random
// k and merge groupings) merge into the same table, and `ionfield slurm` runs a table as rows × k
// array tasks (local executor here; test/slurm.test.ts has the real Slurm).
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli } from './helpers/cli';
import { repoRoot, tempDir } from './helpers/paths';
import { worstDifference } from './helpers/compare';
import { cli, mergeRandomly, rng, runShards } from './helpers/shards';

const family = (name: string) => path.join(repoRoot, 'data', 'family', `${name}.xtc`);
const demo = path.join(repoRoot, 'data', 'demo', 'electrolyte.lammpstrj.gz');
const lj = ['--units', 'lj'];

/** A text list: the first row named, the second at another temperature, with comments. */
function textList(dir: string): string {
  const file = path.join(dir, 'runs.txt');
  fs.copyFileSync(family('a11-lb2-rho0.1'), path.join(dir, 'dense.xtc'));
  fs.copyFileSync(family('a11-lb2-rho0.1').replace(/\.xtc$/, '.topology.json'), path.join(dir, 'dense.topology.json'));
  fs.writeFileSync(file, `# two systems\n${family('a11-lb2-rho0.05')} name=dilute\n\ndense.xtc temperature=1.5   # relative to the list\n`);
  return file;
}

describe('trajectory tables (a row per trajectory)', function () {
  this.timeout(300_000);

  it('transport --list: each row is the single run of its trajectory at its temperature; text table and --json', () => {
    const dir = tempDir();
    const list = textList(dir);
    const table = JSON.parse(cli(['transport', '--list', list, ...lj, '--temperature', '1', '--json']));
    assert.equal(table.schema, 'ionfield.trajectory-table/1');
    assert.deepEqual(table.rows.map((r: { name: string }) => r.name), ['dilute', 'dense']);
    const dilute = JSON.parse(cli(['transport', family('a11-lb2-rho0.05'), ...lj, '--temperature', '1', '--json']));
    const dense = JSON.parse(cli(['transport', path.join(dir, 'dense.xtc'), ...lj, '--temperature', '1.5', '--json']));
    assert.deepEqual(table.rows[0].result, dilute);
    assert.deepEqual(table.rows[1].result, dense);
    assert.equal(table.rows[1].temperature, 1.5);
    const text = cli(['transport', '--table', family('a11-lb2-rho0.05'), family('a11-lb2-rho0.2'), ...lj, '--temperature', '1']);
    assert.match(text, /^name\s+T\s+frames\s+D\(1\)\s+D\(2\)\s+σ\s+Λ/m);
    assert.match(text, /^a11-lb2-rho0\.05\s+1\s+751\s/m);
    assert.match(text, /^a11-lb2-rho0\.2\s+1\s/m);
  });

  for (const seed of [1, 2]) {
    it(`transport --table shards (random k per row and merge grouping) merge into the table (seed ${seed})`, () => {
      const dir = tempDir();
      const random = rng(seed);
      const files = [family('a11-lb2-rho0.05'), family('a11-lb2-rho0.1'), family('a11-lb2-rho0.3')].slice(0, 2 + Math.floor(random() * 2));
      const args = ['transport', '--table', ...files, ...lj, '--temperature', '1'];
      const single = JSON.parse(cli([...args, '--json']));
      const k = 1 + Math.floor(random() * 3);
      const merged = JSON.parse(fs.readFileSync(mergeRandomly(runShards(args, files.length * k, dir, 't'), dir, random), 'utf8'));
      const worst = worstDifference(single, merged);
      assert.ok(worst <= 1e-12, `${files.length} rows × ${k} shards: worst relative difference ${worst}`);
    });
  }

  it('predict of several trajectories (a JSON list): rows equal single runs; sharded fields bit for bit', () => {
    const dir = tempDir();
    const list = path.join(dir, 'list.json');
    fs.writeFileSync(list, JSON.stringify({ schema: 'ionfield.trajectory-list/1', trajectories: [{ path: demo, name: 'first' }, { path: demo, name: 'again' }] }));
    const timing = (r: Record<string, unknown>) => ({ ...r, seconds: undefined, stages: undefined, ionsFramesPerSecond: undefined, field: undefined });
    const args = ['predict', '--list', list, '--stop', '300'];
    const table = JSON.parse(cli([...args, '--out-dir', path.join(dir, 'single'), '--json']));
    const alone = JSON.parse(cli(['predict', demo, '--stop', '300', '--json']));
    for (const row of table.rows) assert.ok(worstDifference(timing(alone), timing(row.result)) === 0, `${row.name} differs from predict alone`);
    const merged = JSON.parse(fs.readFileSync(mergeRandomly(runShards([...args, '--out-dir', path.join(dir, 'merged')], 4, dir, 'p', '--partial'), dir, rng(3)), 'utf8'));
    assert.deepEqual(merged.rows.map((r: { name: string }) => r.name), ['first', 'again']);
    for (const [k, row] of merged.rows.entries()) assert.ok(worstDifference(timing(table.rows[k].result), timing(row.result)) <= 1e-12);
    for (const f of ['first.npy', 'first.spread.npy', 'again.npy'])
      assert.ok(fs.readFileSync(path.join(dir, 'single', f)).equals(fs.readFileSync(path.join(dir, 'merged', f))), `${f} differs`);
    assert.match(cli(['predict', '--list', list, '--stop', '100']).split('\n')[0], /^name\s+Λ_ML/);
  });

  it('ionfield slurm transport --list --executor local: rows × k tasks, merged into the table', () => {
    const dir = tempDir();
    const list = textList(dir);
    const args = ['transport', '--list', list, ...lj, '--temperature', '1'];
    const single = JSON.parse(cli([...args, '--json']));
    const run = path.join(dir, 'run');
    cli(['slurm', ...args, '--shards', '2', '--executor', 'local', '--jobs', '2', '--dir', run]);
    const manifest = JSON.parse(fs.readFileSync(path.join(run, 'run.json'), 'utf8'));
    assert.equal(manifest.shards, 4, '2 rows × 2 shards');
    assert.deepEqual(manifest.command.slice(-2), ['--selected-frames', '751,1001']);
    assert.ok(worstDifference(single, JSON.parse(fs.readFileSync(path.join(run, 'result.json'), 'utf8'))) <= 1e-12);
  });

  it('refuses tables of other rows, shard counts that are not rows × k, and duplicate row names', () => {
    const dir = tempDir();
    const two = ['transport', '--table', family('a11-lb2-rho0.05'), family('a11-lb2-rho0.1'), ...lj, '--temperature', '1'];
    const [a0] = runShards(two, 2, dir, 'a');
    const b1 = path.join(dir, 'b1.json');
    cli(['transport', '--table', family('a11-lb2-rho0.05'), family('a11-lb2-rho0.2'), ...lj, '--temperature', '1', '--shard', '1/2', '--out', b1]);
    const r = runCli(['merge', a0, b1, '--out', path.join(dir, 'never.json')]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /input 2 differs .*a11-lb2-rho0\.2\.xtc/);
    const odd = runCli([...two, '--shard', '1/3', '--out', path.join(dir, 'x.json')]);
    assert.equal(odd.status, 2);
    assert.match(odd.stderr, /a table of 2 rows takes a multiple of 2 shards/);
    const dup = runCli(['transport', '--table', family('a11-lb2-rho0.05'), family('a11-lb2-rho0.05'), ...lj, '--temperature', '1']);
    assert.equal(dup.status, 2);
    assert.match(dup.stderr, /two rows are named 'a11-lb2-rho0\.05'/);
  });
});
