// Molecular transport (`--topology` with molecules) as shards: `transport --shard i/n` of centres of
// mass merged by `ionfield merge` equals the single run's --json (floats ≤ 1e-12 relative, counts,
// blocks, warnings and every label identical), over random shard counts and merge groupings, with
// and without --max-lag; the atomic-charge σ travels with the shards. Shards of files unwrapped by
// minimum image read from the selection's first frame (docs/scale-out.md); partials of another
// topology are refused naming it; `ionfield slurm transport --executor local` passes the topology on.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli } from './helpers/cli';
import { cli, mergeRandomly, rng, runShards } from './helpers/shards';
import { fixturesDir, repoRoot, tempDir } from './helpers/paths';
import { worstDifference } from './helpers/compare';
import { readLammpsData } from '../lib/topology/lammps-data';

const data = path.join(fixturesDir, 'molecules', 'electrolyte.data');
const dump = path.join(fixturesDir, 'molecules', 'electrolyte.lammpstrj.gz');
const electrolyte = ['transport', dump, '--topology', data, '--temperature', '350', '--units', 'real', '--timestep', '0.5'];

const lipf6 = path.join(repoRoot, 'data', 'lipf6-water');
const shares = [process.env.GMXLIB, process.env.GMXDATA && path.join(process.env.GMXDATA, 'top'), '/usr/share/gromacs/top'].filter(Boolean) as string[];
const hasOplsaa = shares.some((d) => fs.existsSync(path.join(d, 'oplsaa.ff', 'forcefield.itp')));
const allAtom = ['transport', path.join(lipf6, 'production-stride3.xtc'), '--topology', path.join(lipf6, 'topol.top'), '--units', 'gromacs', '--temperature', '300'];

interface Piece { firstFrame: number; ownFrom: number; readFrom?: number; atomic?: unknown }

function assertSame(single: Record<string, unknown>, merged: Record<string, unknown>, what: string): void {
  const worst = worstDifference(single, merged);
  assert.ok(worst <= 1e-12, `${what}: worst relative difference ${worst}`);
  assert.equal(merged.frames, single.frames);
  assert.deepEqual((merged.uncertainty as { blocks: number }).blocks, (single.uncertainty as { blocks: number }).blocks);
  assert.deepEqual(merged.warnings, single.warnings);
  assert.equal(merged.centres, 'molecules');
}

describe('molecular transport as shards', function () {
  this.timeout(180_000);

  for (const [seed, maxLag] of [[500, undefined], [2000, '2000'], [1000, '1000']] as const) {
    it(`centres of mass of a LAMMPS data file: random shards and groupings equal the single run (seed ${seed}${maxLag ? `, --max-lag ${maxLag}` : ''})`, () => {
      const dir = tempDir();
      const random = rng(seed);
      const args = maxLag ? [...electrolyte, '--max-lag', maxLag] : electrolyte;
      const single = JSON.parse(cli([...args, '--json']));
      assert.ok(single.molecules.atomicCharges.conductivity.value !== null);
      const n = 3 + Math.floor(random() * 5);
      const files = runShards(args, n, dir, 'e');
      const pieces = files.map((f) => JSON.parse(fs.readFileSync(f, 'utf8')).pieces[0] as Piece);
      assert.ok(pieces.every((p) => p.atomic), 'every piece carries the atomic-charge sums');
      // The dump is wrapped without image flags (minimum-image unwrapping): every shard reads from frame 0.
    assert.ok(pieces.every((p) => (p.readFrom ?? p.firstFrame) === 0));
    if (maxLag) assert.ok(pieces.some((p) => p.firstFrame > 0), 'with --max-lag later shards correlate from after frame 0');
      const merged = JSON.parse(fs.readFileSync(mergeRandomly(files, dir, random), 'utf8'));
      assertSame(single, merged, `${n} shards`);
    });
  }

  it('a continuous (xu yu zu) dump: unwrapping holds no state, so shards read only their lag overlap, and still agree', () => {
    const dir = tempDir();
    const continuous = path.join(dir, 'electrolyte-unwrapped.lammpstrj');
    cli(['convert', dump, continuous, '--timestep', '0.5']);
    const args = ['transport', continuous, ...electrolyte.slice(2), '--max-lag', '1000'];
    const single = JSON.parse(cli([...args, '--json']));
    const files = runShards(args, 3, dir, 'u');
    const pieces = files.map((f) => JSON.parse(fs.readFileSync(f, 'utf8')).pieces[0] as Piece);
    for (const p of pieces.slice(1)) {
      assert.equal(p.readFrom, undefined);
      assert.ok(p.firstFrame > 0 && p.ownFrom - p.firstFrame <= 10, `reads from ${p.firstFrame}, owns from ${p.ownFrom}`);
    }
    const merged = JSON.parse(fs.readFileSync(mergeRandomly(files, dir, rng(5)), 'utf8'));
    assertSame(single, merged, '3 shards of a continuous dump');
  });

  it('a topology without bonds whose "molecule" spans the cell: the merge gives the single run\'s whole-molecule warning', () => {
    const dir = tempDir();
    // As in transport-molecules.test.ts: every Li in one molecule, no bonds (folded by the minimum image).
    const topo = readLammpsData(data);
    const labels: Record<string, string> = { 1: 'Li', 2: 'B', 3: 'F', 4: 'O', 5: 'H' };
    const types = topo.types.map((t) => labels[t]);
    const charges: Record<string, number> = {}, masses: Record<string, number> = {};
    types.forEach((t, i) => ((charges[t] = topo.charges![i]), (masses[t] = topo.masses![i])));
    const molecules = Array.from(topo.molecules!, (m, i) => (types[i] === 'Li' ? -1 : m));
    const spread = path.join(dir, 'spread.topology.json');
    fs.writeFileSync(spread, JSON.stringify({ schema: 'ionfield.topology/2', types, charges, masses, molecules }));
    const args = ['transport', dump, '--topology', spread, ...electrolyte.slice(4), '--max-lag', '1000'];
    const single = JSON.parse(cli([...args, '--json']));
    assert.ok(single.warnings.some((x: string) => /the topology has no bonds/.test(x)));
    const files = runShards(args, 3, dir, 's');
    // The shards keep their extents and cells; the warning is decided once, in the merge.
    for (const f of files) assert.ok(!JSON.parse(fs.readFileSync(f, 'utf8')).pieces[0].meta.warnings.some((x: string) => /no bonds/.test(x)));
    const merged = JSON.parse(fs.readFileSync(mergeRandomly(files, dir, rng(3)), 'utf8'));
    assertSame(single, merged, '3 shards without bonds');
  });

  it('the shipped all-atom example (GROMACS .top, XTC unwrapped by minimum image): shards read from frame 0 and merge to the single run', function () {
    if (!hasOplsaa) {
      console.log('    (skipped: oplsaa.ff not found in $GMXLIB, $GMXDATA/top or /usr/share/gromacs/top)');
      this.skip();
    }
    const dir = tempDir();
    const args = [...allAtom, '--max-lag', '20'];
    const single = JSON.parse(cli([...args, '--json']));
    assert.deepEqual(single.species.map((s: { label: string }) => s.label), ['PF6', 'LI', 'SOL']);
    const files = runShards(args, 4, dir, 'x');
    const pieces = files.map((f) => JSON.parse(fs.readFileSync(f, 'utf8')).pieces[0] as Piece);
    // Minimum-image unwrapping carries state from the first frame read: later shards read from 0.
    for (const p of pieces.slice(1)) {
      assert.ok(p.firstFrame > 0);
      assert.equal(p.readFrom, 0);
    }
    const merged = JSON.parse(fs.readFileSync(mergeRandomly(files, dir, rng(7)), 'utf8'));
    assertSame(single, merged, '4 shards of the all-atom example');
  });

  it('refuses to merge partials of another topology, naming it', () => {
    const dir = tempDir();
    // The same molecules with another hydrogen mass: centres of mass move, so the runs differ.
    const other = path.join(dir, 'other.data');
    fs.writeFileSync(other, fs.readFileSync(data, 'utf8').replace(/^5 1\.008 # H$/m, '5 2.014 # H'));
    assert.notEqual(fs.readFileSync(other, 'utf8'), fs.readFileSync(data, 'utf8'));
    const [a] = runShards(electrolyte, 2, dir, 'a').slice(0, 1);
    const b = path.join(dir, 'b-1.json');
    cli([...electrolyte.map((x) => (x === data ? other : x)), '--shard', '1/2', '--out', b]);
    const r = runCli(['merge', a, b, '--out', path.join(dir, 'r.json')]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /input 2 differs \(.*(electrolyte|other)\.data/);
    // And partials of the atom-level run of the same files are not molecular ones.
    const c = path.join(dir, 'c-1.json');
    cli([...electrolyte, '--centres', 'atoms', '--shard', '1/2', '--out', c]);
    const s = runCli(['merge', a, c, '--out', path.join(dir, 's.json')]);
    assert.notEqual(s.status, 0);
    assert.match(s.stderr, /different numbers of inputs .*electrolyte\.data|option (centres|charges|molecules) differs/);
  });

  it('ionfield slurm transport --topology --executor local: the merged result is the single run', () => {
    const dir = tempDir();
    const args = [...electrolyte, '--max-lag', '2000'];
    const single = JSON.parse(cli([...args, '--json']));
    cli(['slurm', ...args, '--shards', '2', '--executor', 'local', '--jobs', '2', '--dir', path.join(dir, 'run')]);
    const merged = JSON.parse(fs.readFileSync(path.join(dir, 'run', 'result.json'), 'utf8'));
    assertSame(single, merged, 'slurm --executor local');
  });
});
