// Trajectory as a resource with random access: frame(i) and frames({start, stop, step}) equal the
// frames of a full read (gzip, XTC, DCD, XYZ and dumps; minimum-image and per-frame unwrapping),
// close() ends every read, `await using` closes it.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { convertTrajectory, openTrajectory, Trajectory } from '../lib/index';
import { runCli } from './helpers/cli';
import { fixturesDir, repoRoot, tempDir } from './helpers/paths';

const demo = path.join(repoRoot, 'data', 'demo', 'electrolyte.lammpstrj.gz');
const formats = path.join(fixturesDir, 'formats');

async function fullRead(file: string, options = {}): Promise<{ positions: Float64Array[]; steps: number[] }> {
  const positions: Float64Array[] = [], steps: number[] = [];
  for await (const f of openTrajectory(file, { onWarning: () => undefined, ...options })) {
    positions.push(Float64Array.from(f.positions));
    steps.push(f.step);
  }
  return { positions, steps };
}

describe('Trajectory: random access, close() and await using', function () {
  this.timeout(60_000);

  const cases: [string, Record<string, unknown>][] = [
    [demo, {}],
    [demo, { start: 100, stride: 7 }],
    [path.join(formats, 'ortho.lammpstrj.gz'), {}],
    [path.join(formats, 'ortho-mda.xtc'), {}], // no image flags: minimum-image unwrapping
    [path.join(formats, 'ortho-mda.dcd'), {}],
    [path.join(formats, 'tri-mda.dcd'), { stride: 2 }],
    [path.join(formats, 'ortho-ase.xyz'), {}],
    [path.join(formats, 'ortho-mda.xtc'), { unwrap: false }],
  ];
  for (const [file, options] of cases) {
    it(`${path.basename(file)} ${JSON.stringify(options)}: frame(i) and frames(range) equal the full read`, async () => {
      const all = await fullRead(file, options);
      const n = all.positions.length;
      assert.ok(n > 3);
      const t = openTrajectory(file, { onWarning: () => undefined, ...options });
      for (const i of [0, 1, Math.floor(n / 2), n - 2, n - 1]) {
        const f = await t.frame(i);
        assert.equal(f.index, i);
        assert.equal(f.step, all.steps[i], `step of frame ${i}`);
        assert.deepEqual(f.positions, all.positions[i], `positions of frame ${i}`);
      }
      await assert.rejects(t.frame(n), RangeError);
      for (const range of [{ start: 1, stop: n, step: 3 }, { start: n - 2 }, { stop: 2 }, { start: 2, stop: 2 }]) {
        const want = Array.from({ length: n }, (_, i) => i).slice(range.start ?? 0, range.stop ?? n).filter((i) => (i - (range.start ?? 0)) % (('step' in range && range.step) || 1) === 0);
        const got: number[] = [];
        for await (const f of t.frames(range)) {
          got.push(f.index);
          assert.deepEqual(f.positions, all.positions[f.index], `positions of frame ${f.index} in ${JSON.stringify(range)}`);
        }
        assert.deepEqual(got, want, JSON.stringify(range));
      }
      t.close();
    });
  }

  it('frame(i) near the end of the 3001-frame gzip demo takes well under a second (no index needed)', async () => {
    const t = openTrajectory(demo);
    const t0 = performance.now();
    const f = await t.frame(3000);
    const ms = performance.now() - t0;
    console.log(`      frame(3000) of electrolyte.lammpstrj.gz: ${ms.toFixed(0)} ms`);
    assert.equal(f.index, 3000);
    assert.ok(ms < 1000, `${ms.toFixed(0)} ms`);
    t.close();
  });

  it('close() ends reads with a clear error; closing twice is fine', async () => {
    const t = openTrajectory(demo);
    await t.frame(0);
    t.close();
    t.close();
    await assert.rejects(t.frame(1), { code: 'IONFIELD_CLOSED', message: /is closed/ });
    await assert.rejects(async () => {
      for await (const _ of t) break;
    }, { code: 'IONFIELD_CLOSED' });
    const u = openTrajectory(demo);
    const it = u.batches(8);
    await it.next();
    u.close();
    await assert.rejects(it.next(), { code: 'IONFIELD_CLOSED' });
  });

  it('await using closes the trajectory at the end of the block', async () => {
    let kept: Trajectory | null = null;
    {
      await using t = openTrajectory(demo);
      kept = t;
      assert.equal((await t.frame(5)).index, 5);
    }
    await assert.rejects(kept.frame(0), { code: 'IONFIELD_CLOSED' });
  });

  it('an aborted signal stops iteration and random access', async () => {
    const controller = new AbortController();
    const t = openTrajectory(demo, { signal: controller.signal, batchSize: 8 });
    let frames = 0;
    await assert.rejects(async () => {
      for await (const _ of t) if (++frames === 20) controller.abort();
    }, { name: 'AbortError' });
    assert.ok(frames < 40);
    await assert.rejects(openTrajectory(demo, { signal: controller.signal }).frame(0), { name: 'AbortError' });
  });
});

describe('--topology x.topology.json (as convert writes beside an XTC) is accepted', function () {
  this.timeout(120_000);
  it('transport on an XTC whose topology lies elsewhere, named with --topology', async () => {
    const dir = tempDir('ionfield-topology-');
    const xtc = path.join(dir, 'run.xtc');
    const r = await convertTrajectory(demo, xtc, { stop: 400, units: 'lj' });
    assert.ok(r.topology && r.topology.path, 'convert wrote a topology');
    const moved = path.join(dir, 'elsewhere.topology.json');
    fs.renameSync(r.topology.path, moved);
    const without = runCli(['transport', xtc, '--temperature', '1', '--units', 'lj', '--json']);
    assert.notEqual(without.status, 0, 'without a topology the XTC has no species');
    const withTopology = runCli(['transport', xtc, '--temperature', '1', '--units', 'lj', '--topology', moved, '--json']);
    assert.equal(withTopology.status, 0, withTopology.stderr);
    assert.doesNotMatch(withTopology.stderr, /not a trajectory/);
    const report = JSON.parse(withTopology.stdout) as { species: Record<string, unknown> };
    assert.ok(report.species, 'the report has species');
  });
});
