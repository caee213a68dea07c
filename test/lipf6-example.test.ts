// The shipped stride of the all-atom example (data/lipf6-water: every 3rd frame of the GROMACS
// production run of scripts/examples/lipf6-water/make.sh; docs/transport.md, "An all-atom
// example"): read with its .top (oplsaa.ff from the GROMACS share), the molecular species are the
// run's, and D of every species agrees with the full run's figures (docs table) within the stride
// run's own errors. Skipped, with the reason, where GROMACS's force-field files are missing.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCliJson } from './helpers/cli';
import { repoRoot } from './helpers/paths';

const dir = path.join(repoRoot, 'data', 'lipf6-water');
const shares = [process.env.GMXLIB, process.env.GMXDATA && path.join(process.env.GMXDATA, 'top'), '/usr/share/gromacs/top'].filter(Boolean) as string[];
const hasOplsaa = shares.some((d) => fs.existsSync(path.join(d, 'oplsaa.ff', 'forcefield.itp')));

// D (10⁻⁹ m²/s) of the full production run, every frame (docs/transport.md table).
const FULL: Record<string, number> = { PF6: 1.4501, LI: 1.1048, SOL: 2.5121 };

interface Q { value: number; error: number; si: { value: number; error: number } }

describe('the shipped all-atom example (LiPF6 in SPC/E water, stride 3)', function () {
  this.timeout(120_000);
  before(function () {
    if (!hasOplsaa) {
      console.log('    (skipped: oplsaa.ff not found in $GMXLIB, $GMXDATA/top or /usr/share/gromacs/top; the Debian package gromacs-data has it)');
      this.skip();
    }
  });

  it('has the run\'s molecular species and the full run\'s D within its errors', () => {
    const r = runCliJson<{ frames: number; species: { label: string; count: number; charge: number }[]; diffusion: Record<string, Q> }>(['transport', path.join(dir, 'production-stride3.xtc'), '--topology', path.join(dir, 'topol.top'), '--units', 'gromacs', '--temperature', '300']);
    assert.deepEqual(r.species.map((s) => [s.label, s.count, s.charge]), [['PF6', 10, -1], ['LI', 10, 1], ['SOL', 525, 0]]);
    for (const [name, d] of Object.entries(FULL)) {
      const q = r.diffusion[name].si;
      assert.ok(Math.abs(q.value * 1e9 - d) < 2 * q.error * 1e9, `D(${name}) = ${q.value} ± ${q.error}, full run ${d}e-9`);
    }
  });
});
