// `dataset --shard i/n` merged by `ionfield merge` (any order and grouping) writes the single run's
// dataset folder: every array, frames.json, system.json and dataset.json byte for byte, but for
// the run time (`seconds`). Over random shard counts, origin strides and groupings; on a file read
// frame by frame (the demo dump: unwrapped columns) and on a wrapped one, unwrapped by minimum
// image, where a shard must read from the selection's first frame. Mismatched partials are refused.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { runCli } from './helpers/cli';
import { repoRoot, tempDir } from './helpers/paths';
import { cli, mergeRandomly, rng, runShards } from './helpers/shards';

const demo = path.join(repoRoot, 'data', 'demo', 'electrolyte.lammpstrj.gz');

/** Every file under a folder (relative paths), but the shards' parts. */
function files(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => !/shard-\d+-of-\d+/.test(f) && fs.statSync(path.join(dir, f)).isFile()).sort();
}

/** The two folders hold the same files, the same bytes but for the "seconds" lines. */
function assertSameFolder(single: string, merged: string): void {
  assert.deepEqual(files(merged), files(single));
  for (const f of files(single)) {
    const strip = (d: string) => fs.readFileSync(path.join(d, f), 'latin1').replace(/"seconds": [\d.e+-]+/g, '"seconds": X');
    assert.ok(strip(single) === strip(merged), `${f} differs`);
  }
}

/** The demo's first frames with coordinates wrapped into the cell and no image flags: read by minimum image. */
function wrappedDump(file: string, frames: number): void {
  const lines = zlib.gunzipSync(fs.readFileSync(demo)).toString('utf8').split('\n');
  const out: string[] = [];
  let seen = 0, box = 10;
  for (let k = 0; k < lines.length && seen <= frames; k++) {
    const line = lines[k];
    if (line.startsWith('ITEM: TIME')) seen++;
    if (seen > frames) break;
    if (line.startsWith('ITEM: BOX BOUNDS')) box = Number(lines[k + 1].split(' ')[1]);
    if (line.startsWith('ITEM: ATOMS')) out.push('ITEM: ATOMS id type q x y z');
    else if (/^\d+ \d+ \S+ \S+ \S+ \S+$/.test(line) && out[out.length - 1] !== 'ITEM: NUMBER OF ATOMS') {
      const [id, type, q, ...xyz] = line.split(' ');
      out.push([id, type, q, ...xyz.map((v) => (((Number(v) % box) + box) % box).toFixed(6))].join(' '));
    } else out.push(line);
  }
  fs.writeFileSync(file, out.join('\n') + '\n');
}

describe('dataset --shard and ionfield merge', function () {
  this.timeout(300_000);

  for (const seed of [1, 2, 3]) {
    it(`random shard count, origin stride and merge grouping: the single run's folder, byte for byte (seed ${seed})`, () => {
      const dir = tempDir();
      const random = rng(seed);
      const stride = 1 + Math.floor(random() * 3);
      const n = 2 + Math.floor(random() * 5);
      // seed 3 also takes the two-lag target (τa) through the shards
      const args = ['dataset', demo, '--set', 'compact', '--tau', '2', ...(seed === 3 ? ['--tau-short', '0.5'] : []), '--origin-stride', String(stride), '--temperature', '1', '--stop', String(150 + Math.floor(random() * 200)), '--no-transport'];
      cli([...args, '--out', path.join(dir, 'single')]);
      const parts = runShards([...args, '--out', path.join(dir, 'merged')], n, dir, 'd', '--partial');
      const result = JSON.parse(fs.readFileSync(mergeRandomly(parts, dir, random), 'utf8'));
      assertSameFolder(path.join(dir, 'single'), path.join(dir, 'merged'));
      assert.equal(result.schema, 'ionfield.dataset-build/2');
      assert.equal(result.systems.length, 1);
    });
  }

  it('two systems, one wrapped (minimum-image unwrapping: shards read from frame 0), Λ_EH from transport: byte for byte', () => {
    const dir = tempDir();
    const wrapped = path.join(dir, 'wrapped.lammpstrj');
    wrappedDump(wrapped, 240);
    const args = ['dataset', demo, wrapped, '--set', 'compact', '--tau', '1', '--origin-stride', '2', '--temperature', '1', '--stop', '240'];
    const single = JSON.parse(cli([...args, '--out', path.join(dir, 'single'), '--json']));
    const parts = runShards([...args, '--out', path.join(dir, 'merged')], 3, dir, 'w', '--partial');
    const last = JSON.parse(fs.readFileSync(parts[2], 'utf8')).pieces[0].systems;
    assert.ok(last[0].window.readFrom > 0, 'the demo dump (unwrapped columns) is read from the shard\'s first origin');
    assert.equal(last[1].window.readFrom, 0, 'the wrapped dump is read from the first frame');
    const merged = JSON.parse(fs.readFileSync(mergeRandomly(parts, dir, rng(7)), 'utf8'));
    assertSameFolder(path.join(dir, 'single'), path.join(dir, 'merged'));
    assert.ok(single.systems.every((s: { name: string }, k: number) => s.name === merged.systems[k].name));
    const eh = JSON.parse(fs.readFileSync(path.join(dir, 'merged', 'wrapped', 'system.json'), 'utf8')).lambdaEh;
    assert.equal(eh.source, 'ionfield transport (default fit window)');
  });

  it('ionfield slurm dataset --executor local: shards as processes, merged into the single run\'s folder', () => {
    const dir = tempDir();
    const args = ['dataset', demo, '--set', 'compact', '--tau', '2', '--origin-stride', '2', '--temperature', '1', '--stop', '200', '--no-transport'];
    cli([...args, '--out', path.join(dir, 'single')]);
    const run = path.join(dir, 'run');
    cli(['slurm', ...args, '--out', path.join(dir, 'merged'), '--shards', '3', '--executor', 'local', '--jobs', '2', '--dir', run]);
    assertSameFolder(path.join(dir, 'single'), path.join(dir, 'merged'));
    const manifest = JSON.parse(fs.readFileSync(path.join(run, 'run.json'), 'utf8'));
    assert.deepEqual(manifest.command.slice(-2), ['--selected-frames', '200'], 'frames counted once, at submission');
    assert.equal(JSON.parse(fs.readFileSync(path.join(run, 'result.json'), 'utf8')).schema, 'ionfield.dataset-build/2');
  });

  it('refuses partials of other options or inputs, and more shards than origins', () => {
    const dir = tempDir();
    const args = ['dataset', demo, '--set', 'compact', '--tau', '2', '--temperature', '1', '--stop', '100', '--no-transport', '--out', path.join(dir, 'ds')];
    const [a0] = runShards(args, 2, dir, 'a', '--partial');
    const b1 = path.join(dir, 'b1.json');
    cli([...args.map((v) => (v === '2' ? '1' : v)), '--shard', '1/2', '--partial', b1]);
    const c1 = path.join(dir, 'c1.json');
    cli([...args.map((v) => (v === '100' ? '120' : v)), '--shard', '1/2', '--partial', c1]);
    for (const [other, pattern] of [[b1, /option tau differs \(1 vs 2\)/], [c1, /option stop differs \(120 vs 100\)/]] as const) {
      const r = runCli(['merge', a0, other, '--out', path.join(dir, 'never.json')]);
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, pattern);
      assert.ok(!fs.existsSync(path.join(dir, 'never.json')));
    }
    const many = runCli([...args, '--shard', '0/200', '--partial', path.join(dir, 'x.json')]);
    assert.equal(many.status, 2, many.stderr);
    assert.match(many.stderr, /at most \d+ shards/);
  });
});
