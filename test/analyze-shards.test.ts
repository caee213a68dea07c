// `analyze --shard i/n` (shards own whole jackknife blocks of frames) merged by `ionfield merge` in
// any order and grouping writes the single run's analysis.json and pair_<a>_<b>.npy, byte for
// byte, over random shard counts, block counts and groupings; refusals: no --pair-cutoff, more
// shards than blocks, partials of another cutoff. Also through `ionfield slurm --executor local`.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli } from './helpers/cli';
import { repoRoot, tempDir } from './helpers/paths';
import { cli, mergeRandomly, rng, runShards } from './helpers/shards';

const demo = path.join(repoRoot, 'data', 'demo', 'electrolyte.lammpstrj.gz');

/** A λ̂ field of the demo's first `frames` frames (the shipped model). */
function field(dir: string, frames: number): string {
  const file = path.join(dir, 'field.npy');
  cli(['predict', demo, '--stop', String(frames), '--out', file]);
  return file;
}

function assertSameAnalysis(single: string, merged: string): void {
  const names = fs.readdirSync(single).sort();
  assert.deepEqual(fs.readdirSync(merged).sort(), names);
  for (const f of names) assert.ok(fs.readFileSync(path.join(single, f)).equals(fs.readFileSync(path.join(merged, f))), `${f} differs`);
}

describe('analyze --shard and ionfield merge', function () {
  this.timeout(300_000);
  let dir = '';
  let fieldFile = '';
  before(() => {
    dir = tempDir();
    fieldFile = field(dir, 240);
  });

  for (const seed of [1, 2, 3]) {
    it(`random block count, shard count and grouping: the single run's files, byte for byte (seed ${seed})`, () => {
      const random = rng(seed);
      const blocks = 3 + Math.floor(random() * 10);
      const n = 2 + Math.floor(random() * (blocks - 1));
      const args = ['analyze', demo, '--field', fieldFile, '--stop', '240', '--pair-cutoff', '1.4', '--blocks', String(blocks), '--bins', '40'];
      const work = path.join(dir, `s${seed}`);
      fs.mkdirSync(work);
      const single = JSON.parse(cli([...args, '--out', path.join(work, 'single'), '--json']));
      const merged = JSON.parse(fs.readFileSync(mergeRandomly(runShards([...args, '--out', path.join(work, 'merged')], n, work, 'a', '--partial'), work, random), 'utf8'));
      assertSameAnalysis(path.join(work, 'single'), path.join(work, 'merged'));
      assert.deepEqual({ ...merged, files: undefined }, { ...single, files: undefined }, `${n} shards of ${blocks} blocks`);
      assert.ok(single.clusters, 'the ion pairs are classified');
    });
  }

  it('ionfield slurm analyze --executor local merges into --out', () => {
    const work = path.join(dir, 'slurm');
    const args = ['analyze', demo, '--field', fieldFile, '--stop', '240', '--pair-cutoff', '1.4', '--bins', '30'];
    cli([...args, '--out', path.join(work, 'single')]);
    cli(['slurm', ...args, '--out', path.join(work, 'merged'), '--shards', '4', '--executor', 'local', '--jobs', '2', '--dir', path.join(work, 'run')]);
    assertSameAnalysis(path.join(work, 'single'), path.join(work, 'merged'));
  });

  it('refuses shards without --pair-cutoff, more shards than blocks, and partials of another cutoff', () => {
    const work = path.join(dir, 'refuse');
    fs.mkdirSync(work);
    const args = ['analyze', demo, '--field', fieldFile, '--stop', '240', '--out', path.join(work, 'out')];
    const none = runCli([...args, '--shard', '0/2', '--partial', path.join(work, 'x.json')]);
    assert.equal(none.status, 2);
    assert.match(none.stderr, /needs --pair-cutoff/);
    const many = runCli([...args, '--pair-cutoff', '1.4', '--shard', '0/11', '--partial', path.join(work, 'x.json')]);
    assert.equal(many.status, 2);
    assert.match(many.stderr, /10 jackknife blocks .*at most 10 shards/);
    const [a0] = runShards([...args, '--pair-cutoff', '1.4'], 2, work, 'a', '--partial');
    const [, b1] = runShards([...args, '--pair-cutoff', '1.5'], 2, work, 'b', '--partial');
    const r = runCli(['merge', a0, b1, '--out', path.join(work, 'never.json')]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /option pairCutoff differs \(1\.5 vs 1\.4\)/);
  });
});
