// Non-periodic axes in a LAMMPS dump ('ff') reach the descriptors: no neighbours across that face.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readNpy } from '../lib/npy';
import { runCli } from './helpers/cli';
import { tempDir } from './helpers/paths';

function dump(boundaries: string): string {
  // Two atoms 1.0 apart through the z face of a 10-wide cell, 9.0 apart inside it.
  return [
    'ITEM: TIMESTEP', '0', 'ITEM: NUMBER OF ATOMS', '2', `ITEM: BOX BOUNDS ${boundaries}`,
    '0 10', '0 10', '0 10', 'ITEM: ATOMS id type x y z', '1 1 5 5 0.5', '2 1 5 5 9.5', '',
  ].join('\n');
}

describe('descriptors: periodicity of each axis comes from the trajectory', () => {
  const dir = tempDir();
  const set = path.join(dir, 'g2.json');
  fs.writeFileSync(set, JSON.stringify({
    schema: 'ionfield.descriptor-set/2', name: 'g2', cutoffFunction: 'cos',
    functions: [{ type: 'G2', centre: '*', neighbours: '*', eta: 0.5, rs: 0, cutoff: 3.0 }],
  }));
  for (const [label, boundaries, expectNeighbour] of [['periodic z', 'pp pp pp', true], ['non-periodic z (ff)', 'pp pp ff', false]] as const) {
    it(`${label}: ${expectNeighbour ? 'the image across the face is a neighbour' : 'no neighbour across the face'}`, () => {
      const traj = path.join(dir, `${label.replace(/\W+/g, '-')}.lammpstrj`);
      fs.writeFileSync(traj, dump(boundaries));
      const out = path.join(dir, `${label.replace(/\W+/g, '-')}.npy`);
      const r = runCli(['descriptors', traj, '--set', set, '--out', out]);
      assert.equal(r.status, 0, r.stderr);
      const g2 = readNpy(out).data[0];
      // exp(-0.5 * 1^2) * 0.5 (cos(pi/3) + 1) = 0.4549 for the periodic image at distance 1.
      const expected = expectNeighbour ? Math.exp(-0.5) * 0.5 * (Math.cos(Math.PI / 3) + 1) : 0;
      assert.ok(Math.abs(g2 - expected) < 1e-6, `G2 = ${g2}, expected ${expected}`);
    });
  }
});
