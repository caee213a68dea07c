// The family's second production segment (scripts/family/extend.ts): a real LAMMPS run of
// electrolyte.in in its resume mode that starts from the committed XTC's last frame, checked against
// that frame read independently; and the duration-weighted combination of two segments' estimates.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openTrajectory } from '../lib/trajectory';
import { extendSystem, SEGMENT } from '../scripts/family/extend';
import { derived, loadFamily } from '../scripts/family/generate';
import { combineByDuration } from '../scripts/family/summarize';
import { repoRoot, tempDir } from './helpers/paths';

const hasLammps = spawnSync('lmp', ['-h'], { stdio: 'ignore' }).status === 0;

describe('family: a second segment from the last frame of a run', function () {
  this.timeout(120_000);

  it('starts LAMMPS from the committed XTC last frame (wrapped into the cell), with new seeds', async function () {
    if (!hasLammps) {
      console.log('    (skipped: lmp not found; scripts/install-system-deps.sh installs the Debian package lammps)');
      this.skip();
    }
    const name = 's11-lb1-rho0.1';
    const xtc = path.join(repoRoot, 'data', 'family', `${name}.xtc`);
    const spec = { ...loadFamily().find((s) => s.name === name)!, extendSteps: 200, extendEquilSteps: 0, dumpEvery: 100 };
    const raw = tempDir('ionfield-extend-');
    await extendSystem(spec, raw, path.join(repoRoot, 'data', 'family'), 'test');
    const dir = path.join(raw, name, SEGMENT);
    const done = JSON.parse(fs.readFileSync(path.join(dir, 'done.json'), 'utf8'));

    let last: { positions: Float64Array; types: string[]; index: number } | null = null;
    for await (const f of openTrajectory(xtc, { unwrap: false })) last = { positions: Float64Array.from(f.positions), types: f.types!, index: f.index };
    const segment: { positions: Float64Array; types: string[]; charges: Float64Array }[] = [];
    for await (const f of openTrajectory(path.join(dir, 'traj.lammpstrj'))) segment.push({ positions: Float64Array.from(f.positions), types: f.types!, charges: Float64Array.from(f.charges!) });

    assert.equal(segment.length, 3, 'steps 0, 100, 200 dumped');
    assert.equal(done.startedFrom.frame, last!.index);
    assert.equal(done.seed, derived(spec).seed + 7919, 'new velocities and Langevin noise');
    assert.deepEqual(segment[0].types, last!.types);
    assert.deepEqual([...new Set(segment[0].charges)].sort(), [-1, 1]);
    const L = derived(spec).L;
    let worst = 0;
    for (let k = 0; k < last!.positions.length; k++) {
      const wrapped = ((last!.positions[k] % L) + L) % L;
      worst = Math.max(worst, Math.abs(segment[0].positions[k] - wrapped));
    }
    assert.ok(worst < 1e-4, `first frame of the segment is the XTC's last frame, wrapped: worst difference ${worst}`);
    // The run moved on from there (dynamics, not a copy).
    const moved = segment[2].positions.reduce((acc, x, k) => acc + (x - segment[0].positions[k]) ** 2, 0) / (segment[0].positions.length / 3);
    assert.ok(moved > 1e-3, `mean squared displacement over 1 τ is ${moved}`);
  });

  it('combines two segments by duration, errors as independent, blocks added, warnings joined', () => {
    const a = { lambdaEh: { value: 1, error: 0.1 }, diffusion: { '1': { value: 0.5, error: null } }, uncertainty: { blocks: 10, method: 'jackknife', blockLength: { value: 24, units: 'tau' } }, fitWindow: { start: 3 }, warnings: ['x'] };
    const b = { lambdaEh: { value: 2, error: 0.2 }, diffusion: { '1': { value: 1.5, error: 0.1 } }, uncertainty: { blocks: 5, method: 'jackknife', blockLength: { value: 30, units: 'tau' } }, fitWindow: { start: 4 }, warnings: ['x', 'y'] };
    const c = combineByDuration(a, b, 3, 1);
    assert.equal(c.lambdaEh.value, (3 * 1 + 2) / 4);
    assert.ok(Math.abs(c.lambdaEh.error - Math.sqrt(0.3 ** 2 + 0.2 ** 2) / 4) < 1e-15);
    assert.deepEqual(c.diffusion['1'], { value: 0.75, error: null }, 'an unknown error stays unknown');
    assert.equal(c.uncertainty.blocks, 15);
    assert.deepEqual(c.uncertainty.blockLength, a.uncertainty.blockLength);
    assert.deepEqual(c.fitWindow, a.fitWindow);
    assert.deepEqual(c.warnings, ['x', 'y']);
  });
});
