// A LAMMPS dump of part of a system (a group) read with the whole system's data file: the topology
// is cut to the dump's atom IDs (lib/topology/subset.ts) when every molecule is wholly in or wholly
// out of the dump; the first molecule that is split is named. The molecule fixture dumped without
// its solvent must give exactly the ions' transport of the full dump.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { loadTopology, molecularSystem, openTrajectory, subsetTopology } from '../lib/index';
import { runCli, runCliJson } from './helpers/cli';
import { fixturesDir, tempDir } from './helpers/paths';

const dir = path.join(fixturesDir, 'molecules');
const data = path.join(dir, 'electrolyte.data');
const dump = path.join(dir, 'electrolyte.lammpstrj.gz');
const common = ['--temperature', '350', '--units', 'real', '--timestep', '0.5'];

interface Q { value: number | null; error: number | null }
interface Report { species: { label: string; count: number }[]; diffusion: Record<string, Q>; conductivity: Q; molecules?: { species: { name: string; count: number }[] } }

/** The fixture dump with only the atoms `keep(id, type)` accepts (header counts fixed). */
function partialDump(name: string, keep: (id: number, type: number) => boolean, frames = Infinity): string {
  const lines = zlib.gunzipSync(fs.readFileSync(dump)).toString('utf8').split('\n');
  const out: string[] = [];
  let frame = -1;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].startsWith('ITEM: TIMESTEP') && ++frame >= frames) break;
    if (lines[i].startsWith('ITEM: NUMBER OF ATOMS')) {
      const n = Number(lines[i + 1]);
      const header = lines.slice(i + 2, i + 7);
      const rows = lines.slice(i + 7, i + 7 + n).filter((l) => {
        const [id, type] = l.split(' ').map(Number);
        return keep(id, type);
      });
      out.push(lines[i], String(rows.length), ...header, ...rows);
      i += 6 + n;
      continue;
    }
    if (lines[i] !== '') out.push(lines[i]);
  }
  const file = path.join(tempDir(), name);
  fs.writeFileSync(file, out.join('\n') + '\n');
  return file;
}

describe('a dump with part of the topology\'s atoms (whole molecules only)', function () {
  this.timeout(180_000);

  it('the ions alone (solvent left out of the dump) give the ions\' D and σ of the full dump', () => {
    const ions = partialDump('ions.lammpstrj', (_, type) => type <= 3);  // Li, B, F
    const part = runCliJson<Report>(['transport', ions, '--topology', data, ...common]);
    const full = runCliJson<Report>(['transport', dump, '--topology', data, ...common, '--species', 'Li,BF4']);
    assert.deepEqual(part.molecules!.species.map((s) => [s.name, s.count]).sort(), [['BF4', 12], ['Li', 12]]);
    for (const s of ['Li', 'BF4']) assert.ok(Math.abs(part.diffusion[s].value! / full.diffusion[s].value! - 1) < 1e-9, `${s}: ${part.diffusion[s].value} vs ${full.diffusion[s].value}`);
    assert.ok(Math.abs(part.conductivity.value! / full.conductivity.value! - 1) < 1e-9);
  });

  it('the atom-level path (--centres atoms) takes the same subset', () => {
    const ions = partialDump('ions-atoms.lammpstrj', (_, type) => type <= 3, 200);
    const r = runCliJson<Report>(['transport', ions, '--topology', data, ...common, '--centres', 'atoms']);
    assert.deepEqual(r.species.map((s) => [s.label, s.count]).sort(), [['B', 12], ['F', 48], ['Li', 12]]);
  });

  it('library: a batch\'s ids and subsetTopology give the dump\'s molecular system', async () => {
    const ions = partialDump('ions-lib.lammpstrj', (_, type) => type <= 3, 2);
    for await (const b of openTrajectory(ions, { stop: 1, unwrap: false }).batches(1)) {
      const topo = subsetTopology(loadTopology(data), b.ids!, ions);
      assert.equal(topo.types.length, b.natoms);
      assert.deepEqual(topo.ids, Array.from(b.ids!));
      assert.deepEqual(molecularSystem(topo).species.map((s) => [s.name, s.count]).sort(), [['BF4', 12], ['Li', 12]]);
    }
  });

  it('a molecule split by the dump is refused, naming it and the missing IDs', () => {
    const split = partialDump('split.lammpstrj', (id) => id !== 2, 20);
    const r = runCli(['transport', split, '--topology', data, ...common]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /split\.lammpstrj: molecule 1 of the topology .*electrolyte\.data, atoms 1, 2, 3, is split: the trajectory has 2 of its 3 atoms \(missing ID 2\)/);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  });

  it('an atom ID the topology does not have is refused', () => {
    const file = partialDump('foreign.lammpstrj', (id) => id !== 2, 20);
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/^1 4 /gm, '999 4 '));
    const r = runCli(['transport', file, '--topology', data, ...common]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /atom ID 999 is not in the topology .*electrolyte\.data \(its IDs run 1\.\.252\)/);
  });
});
