// `kinosons report --shard i/n` (the report's KMC runs and fits split across shards) merged by
// `ionfield merge` in any order and grouping gives the single run's report: every number but the
// measured wall times (and the cost comparisons made of them) equal, the SVG plots byte for byte;
// partials of another config are refused. Also through `ionfield slurm --executor local`.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli } from './helpers/cli';
import { fixturesDir, tempDir } from './helpers/paths';
import { cli, mergeRandomly, rng, runShards } from './helpers/shards';

const config = path.join(fixturesDir, 'kinosons', 'interacting-small.json');

/** The report without what a clock measures: wall times, and the cost comparisons built on them. */
function untimed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(untimed);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).filter(([k]) => !/seconds|^profile$|^comparisons$/i.test(k)).map(([k, v]) => [k, untimed(v)]));
  return value;
}

function assertSameReport(singleDir: string, single: unknown, mergedDir: string, merged: unknown): void {
  assert.deepEqual(untimed(merged), untimed(single));
  for (const f of fs.readdirSync(singleDir).filter((f) => f.endsWith('.svg')))
    assert.ok(fs.readFileSync(path.join(singleDir, f)).equals(fs.readFileSync(path.join(mergedDir, f))), `${f} differs`);
}

describe('kinosons report --shard and ionfield merge', function () {
  this.timeout(300_000);

  it('random shard counts and groupings: the single run\'s report but for wall times; plots byte for byte', () => {
    const dir = tempDir();
    const single = JSON.parse(cli(['kinosons', 'report', '--config', config, '--out-dir', path.join(dir, 'single'), '--json']));
    for (const seed of [1, 2]) {
      const random = rng(seed);
      const n = 2 + Math.floor(random() * 5); // 6 tasks: 2 temperatures × (KMC + 2 fits)
      const work = path.join(dir, `s${seed}`);
      fs.mkdirSync(work);
      const merged = JSON.parse(fs.readFileSync(mergeRandomly(runShards(['kinosons', 'report', '--config', config, '--out-dir', path.join(work, 'report')], n, work, 'r', '--partial'), work, random), 'utf8'));
      assertSameReport(path.join(dir, 'single'), single, path.join(work, 'report'), merged);
    }
  });

  it('ionfield slurm kinosons report --executor local, and refusals (another config, more shards than tasks)', () => {
    const dir = tempDir();
    const single = JSON.parse(cli(['kinosons', 'report', '--config', config, '--out-dir', path.join(dir, 'single'), '--json']));
    cli(['slurm', 'kinosons', 'report', '--config', config, '--out-dir', path.join(dir, 'merged'), '--shards', '3', '--executor', 'local', '--jobs', '2', '--dir', path.join(dir, 'run')]);
    assertSameReport(path.join(dir, 'single'), single, path.join(dir, 'merged'), JSON.parse(fs.readFileSync(path.join(dir, 'run', 'result.json'), 'utf8')));
    const other = path.join(dir, 'other.json');
    fs.writeFileSync(other, JSON.stringify({ ...JSON.parse(fs.readFileSync(config, 'utf8')), seed: 10 }));
    const [a0] = runShards(['kinosons', 'report', '--config', config, '--out-dir', path.join(dir, 'x')], 2, dir, 'a', '--partial');
    const [, b1] = runShards(['kinosons', 'report', '--config', other, '--out-dir', path.join(dir, 'x')], 2, dir, 'b', '--partial');
    const r = runCli(['merge', a0, b1, '--out', path.join(dir, 'never.json')]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /input 1 differs|option config differs/);
    const many = runCli(['kinosons', 'report', '--config', config, '--out-dir', path.join(dir, 'x'), '--shard', '0/7', '--partial', path.join(dir, 'y.json')]);
    assert.equal(many.status, 2);
    assert.match(many.stderr, /6 tasks .*at most 6 shards/);
  });
});
