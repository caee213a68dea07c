// g_ab(r) of `ionfield analyze` against an independent implementation: MDAnalysis InterRDF
// (Debian python3-mdanalysis) on the same frames of the shipped demo trajectory.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeNpy } from '../lib/analysis/npy';
import { runCliJson } from './helpers/cli';
import { repoRoot, tempDir } from './helpers/paths';

const PYTHON = '/usr/bin/python3';

function mdanalysisMissing(): string | null {
  if (!fs.existsSync(PYTHON)) return `${PYTHON} not found`;
  const r = spawnSync(PYTHON, ['-c', 'import MDAnalysis'], { encoding: 'utf8' });
  return r.status === 0 ? null : 'python3-mdanalysis is not installed (scripts/install-system-deps.sh --for-tests)';
}

describe('analysis: g(r) against MDAnalysis InterRDF', function () {
  this.timeout(120_000);
  it('matches bin for bin on the demo trajectory (every 10th frame, r < 5, 50 bins)', function () {
    const why = mdanalysisMissing();
    if (why) {
      console.log(`      skipped: ${why}`);
      this.skip();
    }
    const traj = path.join(repoRoot, 'data', 'demo', 'electrolyte.lammpstrj.gz');
    const dir = tempDir();
    const frames = 301;  // frames 0, 10, …, 3000
    writeNpy(path.join(dir, 'ones.npy'), { shape: [frames, 100], data: new Float64Array(frames * 100).fill(1) });
    const ours = runCliJson<{ structure: { curves: { a: string; b: string; g: number[]; pairs: number[] }[] } }>(['analyze', traj, '--field', path.join(dir, 'ones.npy'), '--stride', '10', '--r-max', '5', '--bins', '50', '--out', dir]);
    const r = spawnSync(PYTHON, [path.join(repoRoot, 'scripts', 'validate', 'rdf-vs-mdanalysis.py'), traj, '10', '5', '50'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const theirs = JSON.parse(r.stdout) as Record<string, number[]>;
    for (const c of ours.structure.curves) {
      const ref = theirs[`${c.a}-${c.b}`];
      assert.ok(ref, `MDAnalysis has no ${c.a}-${c.b}`);
      // MDAnalysis holds coordinates in float32, so a pair within ~1e-6 σ of a bin edge may land in
      // the neighbouring bin: allow two such pairs per bin (like pairs are counted in both orders).
      let worst = 0;
      for (let j = 0; j < 50; j++) {
        const onePair = c.pairs[j] > 0 ? ((c.a === c.b ? 2 : 1) * c.g[j]) / c.pairs[j] : 0;
        const diff = Math.abs(c.g[j] - ref[j]);
        assert.ok(diff <= 1e-9 + 2.01 * onePair, `g_${c.a}${c.b} bin ${j}: ${c.g[j]} vs ${ref[j]}`);
        if (onePair > 0) worst = Math.max(worst, diff / onePair);
      }
      // Flips move pairs between neighbouring bins, so the running sums agree far more closely.
      let ours = 0;
      let mda = 0;
      for (let j = 0; j < 50; j++) {
        const w = (j + 0.5) ** 2;
        ours += c.g[j] * w;
        mda += ref[j] * w;
      }
      assert.ok(Math.abs(ours - mda) <= 1e-4 * mda, `g_${c.a}${c.b}: shell-weighted sums ${ours} vs ${mda}`);
      console.log(`      g_${c.a}${c.b}: largest bin difference ${worst.toFixed(2)} pair(s)`);
    }
  });
});
