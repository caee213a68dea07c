// `kinosons generate --shard i/n` merged by `ionfield merge` in any order and grouping writes the
// single run's states file byte for byte (and its description, but for its own path), for swap-MC
// chains (interacting) and independent states; partials of another seed or set are refused; and
// `ionfield slurm kinosons generate --executor local` does the same.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli } from './helpers/cli';
import { fixturesDir, tempDir } from './helpers/paths';
import { cli, mergeRandomly, rng, runShards } from './helpers/shards';

const interacting = path.join(fixturesDir, 'kinosons', 'interacting-small.json');

function description(file: string): Record<string, unknown> {
  const d = JSON.parse(fs.readFileSync(`${file}.json`, 'utf8')) as Record<string, unknown>;
  delete d.file;
  return d;
}

function assertSameStates(single: string, merged: string): void {
  assert.ok(fs.readFileSync(merged).equals(fs.readFileSync(single)), `${merged} differs from ${single}`);
  assert.deepEqual(description(merged), description(single));
}

describe('kinosons generate --shard and ionfield merge', function () {
  this.timeout(300_000);

  it('random shard counts and groupings give the single run\'s states, byte for byte (chains and independent states)', () => {
    const dir = tempDir();
    const independent = path.join(dir, 'independent.json');
    const raw = JSON.parse(fs.readFileSync(interacting, 'utf8'));
    fs.writeFileSync(independent, JSON.stringify({ ...raw, pairs: [] }));
    for (const [config, set] of [[interacting, 'training'], [independent, 'validation'], [interacting, 'validation']] as const) {
      const single = path.join(dir, `single-${path.basename(config)}-${set}.npy`);
      cli(['kinosons', 'generate', '--config', config, '--states', '23', '--set', set, '--out', single]);
      for (const seed of [1, 2]) {
        const random = rng(seed);
        const n = 2 + Math.floor(random() * 3); // 4 chains of 6 states (23 states): at most 4 shards
        const work = path.join(dir, `${path.basename(config)}-${set}-${seed}`);
        fs.mkdirSync(work);
        const merged = path.join(work, 'states.npy');
        mergeRandomly(runShards(['kinosons', 'generate', '--config', config, '--states', '23', '--set', set, '--out', merged], n, work, 'g', '--partial'), work, random);
        assertSameStates(single, merged);
      }
    }
  });

  it('ionfield slurm kinosons generate --executor local, and refusals (another seed, more shards than chains)', () => {
    const dir = tempDir();
    const single = path.join(dir, 'single.npy');
    cli(['kinosons', 'generate', '--config', interacting, '--states', '23', '--out', single]);
    const merged = path.join(dir, 'merged.npy');
    cli(['slurm', 'kinosons', 'generate', '--config', interacting, '--states', '23', '--out', merged, '--shards', '3', '--executor', 'local', '--jobs', '2', '--dir', path.join(dir, 'run')]);
    assertSameStates(single, merged);
    const other = path.join(dir, 'other.json');
    fs.writeFileSync(other, JSON.stringify({ ...JSON.parse(fs.readFileSync(interacting, 'utf8')), seed: 10 }));
    const out = path.join(dir, 'x.npy');
    const [a0] = runShards(['kinosons', 'generate', '--config', interacting, '--states', '23', '--out', out], 2, dir, 'a', '--partial');
    const [, b1] = runShards(['kinosons', 'generate', '--config', other, '--states', '23', '--out', out], 2, dir, 'b', '--partial');
    const r = runCli(['merge', a0, b1, '--out', path.join(dir, 'never.json')]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /differs/);
    assert.ok(!fs.existsSync(out), 'a refused merge writes no states');
    const many = runCli(['kinosons', 'generate', '--config', interacting, '--states', '23', '--out', out, '--shard', '0/5', '--partial', path.join(dir, 'y.json')]);
    assert.equal(many.status, 2);
    assert.match(many.stderr, /4 swap-MC chains, so at most 4 shards/);
  });
});
