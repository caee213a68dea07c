// The GROMACS .top reader (lib/topology/gromacs-top.ts) on small hand-written topologies and on
// the force-field files Debian's GROMACS ships: includes, conditionals, masses and charges from
// [ atomtypes ], [ settles ], molecule types as species names, errors with file and line.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readGromacsTop } from '../lib/topology/gromacs-top';
import { molecularSystem } from '../lib/topology/molecules';
import { tempDir } from './helpers/paths';

function topology(files: Record<string, string>): string {
  const dir = tempDir();
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return path.join(dir, 'x.top');
}

const water = ['[ moleculetype ]', 'SOL 2', '[ atoms ]', '1 OW 1 SOL OW 1 -0.8', '2 HW 1 SOL HW1 1 0.4', '3 HW 1 SOL HW2 1 0.4', '[ settles ]', '1 1 0.1 0.1633'].join('\n');
const types = ['[ atomtypes ]', '; name at.num mass charge ptype sigma epsilon', 'OW 8 15.999 0.0 A 0.3 0.6', 'HW 1 1.008 0.0 A 0 0', 'NA 11 22.99 1.0 A 0.2 0.1'].join('\n');

describe('GROMACS .top topology', () => {
  it('expands [ molecules ] in order, with masses from [ atomtypes ] and bonds from [ settles ]', () => {
    const file = topology({
      'x.top': [types, '#include "sol.itp"', '[ moleculetype ]', 'NA 1', '[ atoms ]', '1 NA 1 NA NA 1', '[ system ]', 't', '[ molecules ]', 'SOL 2', 'NA 1', 'SOL 1'].join('\n'),
      'sol.itp': water,
    });
    const t = readGromacsTop(file);
    assert.deepEqual(t.types, ['OW', 'HW1', 'HW2', 'OW', 'HW1', 'HW2', 'NA', 'OW', 'HW1', 'HW2']);
    assert.deepEqual(Array.from(t.masses!.slice(0, 3)), [15.999, 1.008, 1.008]);
    assert.equal(t.charges![6], 1);  // NA: charge from [ atomtypes ]
    assert.deepEqual(Array.from(t.molecules!), [0, 0, 0, 1, 1, 1, 2, 3, 3, 3]);
    assert.deepEqual(Array.from(t.bonds.slice(0, 4)), [0, 1, 0, 2]);
    const s = molecularSystem(t);
    assert.deepEqual(s.species.map((x) => [x.name, x.count, x.netCharge]), [['SOL', 3, 0], ['NA', 1, 1]]);
  });

  it('follows #define and #ifdef/#ifndef/#else; an #include in a branch not taken is never opened', () => {
    const file = topology({
      'x.top': [types, '#define RIGID', '#ifdef RIGID', '#include "sol.itp"', '#else', '#include "missing.itp"', '#endif',
        '#ifndef RIGID', 'garbage that would not parse', '#endif', '[ molecules ]', 'SOL 1'].join('\n'),
      'sol.itp': water,
    });
    assert.equal(readGromacsTop(file).types.length, 3);
  });

  it('names the file and line of what it cannot use', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ 'x.top': [types, water, '[ molecules ]', 'SOLX 1'].join('\n') }, /x\.top:\d+: molecule type SOLX is not defined/],
      [{ 'x.top': [types, '#include "nope.itp"'].join('\n') }, /x\.top:\d+: #include "nope\.itp" not found/],
      [{ 'x.top': [types, '[ moleculetype ]', 'M 1', '[ atoms ]', '2 OW 1 M OW 1 0'].join('\n') }, /x\.top:\d+: atoms of molecule type M must be numbered 1, 2, \.\.\. in order; expected 1, got 2/],
      [{ 'x.top': ['[ moleculetype ]', 'M 1', '[ atoms ]', '1 XX 1 M A 1'].join('\n') }, /x\.top:\d+: atom type XX has no \[ atomtypes \] entry, and the line gives no charge/],
      [{ 'x.top': [types, '[ moleculetype ]', 'M 1', '[ atoms ]', '1 OW 1 M A 1 0', '[ bonds ]', '1 2 1'].join('\n') }, /x\.top:\d+: atom 2 is not one of the 1 atoms of molecule type M/],
      [{ 'x.top': [types, '#ifdef A', '[ molecules ]'].join('\n') }, /x\.top: an #ifdef is not closed by #endif/],
      [{ 'x.top': [types, water].join('\n') }, /x\.top: no \[ molecules \] section/],
    ];
    for (const [files, expected] of cases) assert.throws(() => readGromacsTop(topology(files)), expected);
  });

  it("reads the OPLS-AA force field and SPC/E water GROMACS ships, through their includes", function () {
    const ff = '/usr/share/gromacs/top/oplsaa.ff/forcefield.itp';
    if (!fs.existsSync(ff)) {
      console.log('      skipped: GROMACS force fields not installed (scripts/install-system-deps.sh --for-tests)');
      this.skip();
    }
    const file = topology({ 'x.top': ['#include "oplsaa.ff/forcefield.itp"', '#include "oplsaa.ff/spce.itp"', '#include "oplsaa.ff/ions.itp"', '[ system ]', 'w', '[ molecules ]', 'SOL 4', 'LI 1'].join('\n') });
    const t = readGromacsTop(file);
    assert.equal(t.types.length, 13);
    assert.deepEqual(Array.from(t.charges!.slice(0, 3)), [-0.8476, 0.4238, 0.4238]);
    assert.deepEqual(Array.from(t.masses!.slice(0, 3)), [15.9994, 1.008, 1.008]);
    assert.equal(t.bonds.length / 2, 8);  // SETTLE: two O–H per water
    assert.deepEqual(molecularSystem(t).species.map((x) => [x.name, x.composition, x.netCharge]), [['SOL', 'OWHW2', 0], ['LI', 'LI', 1]]);
  });
});
