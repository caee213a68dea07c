// `ionfield transport --topology data.file`: molecular species from a LAMMPS data file, followed by
// their centres of mass (molecules split across the box in the dump), cross-checked against
// MDAnalysis (residue centres of mass + EinsteinMSD); broken data files, non-integer net charges,
// name rules, the JSON topology with molecules, and the atom-level path with --centres atoms.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openTrajectory } from '../lib/trajectory';
import { readLammpsData } from '../lib/topology/lammps-data';
import { runCli, runCliJson } from './helpers/cli';
import { fixturesDir, repoRoot, tempDir } from './helpers/paths';

const PYTHON = '/usr/bin/python3';
const dir = path.join(fixturesDir, 'molecules');
const data = path.join(dir, 'electrolyte.data');
const dump = path.join(dir, 'electrolyte.lammpstrj.gz');
const common = ['--temperature', '350', '--units', 'real', '--timestep', '0.5'];

interface Q { value: number | null; error: number | null }
interface Report {
  centres: string;
  species: { label: string; count: number; charge: number }[];
  diffusion: Record<string, Q>;
  conductivity: Q;
  fitWindow: { start: number; stop: number };
  curves: { time: number[]; msd: Record<string, number[]>; chargeMsd: number[] };
  transference: Record<string, Q>;
  molecules?: { species: { name: string; composition: string; count: number; netCharge: number; integerCharge: boolean }[]; atomicCharges: { conductivity: Q; differenceInErrors: number | null } };
  warnings: string[];
}

const transport = (...args: string[]) => runCliJson<Report>(['transport', dump, '--topology', data, ...common, ...args]);

/** OLS slope of y against x over [i0, i1]. */
function slope(x: number[], y: number[], i0: number, i1: number): number {
  const xs = x.slice(i0, i1 + 1), ys = y.slice(i0, i1 + 1);
  const mx = xs.reduce((a, b) => a + b) / xs.length, my = ys.reduce((a, b) => a + b) / ys.length;
  let sxy = 0, sxx = 0;
  xs.forEach((v, k) => ((sxy += (v - mx) * (ys[k] - my)), (sxx += (v - mx) ** 2)));
  return sxy / sxx;
}

/** A copy of the fixture's data file with its text changed. */
function variant(edit: (text: string) => string): string {
  const file = path.join(tempDir(), 'variant.data');
  fs.writeFileSync(file, edit(fs.readFileSync(data, 'utf8')));
  return file;
}

describe('transport of molecular species (LAMMPS data file topology)', function () {
  this.timeout(180_000);
  let report: Report;
  before(() => {
    report = transport();
  });

  it('the fixture really has molecules split across the box in the dump', async () => {
    const topo = readLammpsData(data);
    for await (const f of openTrajectory(dump, { unwrap: false, stop: 1 })) {
      const L = f.box![0];
      let split = 0;
      for (let b = 0; b < topo.bonds.length; b += 2) {
        const i = topo.bonds[b], j = topo.bonds[b + 1];
        const d = Math.hypot(...[0, 1, 2].map((k) => f.positions[3 * i + k] - f.positions[3 * j + k]));
        if (d > L / 2) split++;
      }
      assert.ok(split >= 5, `only ${split} bonds cross the cell in frame 0`);
    }
  });

  it('names molecular species by composition, with net charges, and says it used molecular centres', () => {
    assert.equal(report.centres, 'molecules');
    const byName = Object.fromEntries(report.molecules!.species.map((s) => [s.name, s]));
    assert.deepEqual(Object.keys(byName).sort(), ['BF4', 'Li', 'OH2']);
    assert.equal(byName.Li.count, 12);
    assert.equal(byName.BF4.count, 12);
    assert.equal(byName.OH2.count, 60);
    assert.equal(byName.BF4.netCharge, -1);
    assert.equal(byName.OH2.netCharge, 0);
    assert.ok(report.molecules!.species.every((s) => s.integerCharge));
    assert.deepEqual(report.species.map((s) => [s.label, s.charge]).sort(), [['BF4', -1], ['Li', 1], ['OH2', 0]]);
    // Solvent is a species of its own: it carries no current (t = 0) but has a D.
    assert.equal(report.transference.OH2.value, 0);
    assert.ok(report.diffusion.OH2.value! > 0);
  });

  it('σ from atomic partial charges agrees with σ from molecular centres within errors', () => {
    const atomic = report.molecules!.atomicCharges;
    assert.ok(atomic.conductivity.value! > 0);
    assert.ok(Math.abs(atomic.differenceInErrors!) < 3, `molecular − atomic = ${atomic.differenceInErrors} combined errors`);
  });

  it('centre-of-mass MSDs and D match MDAnalysis (residue centres of mass, EinsteinMSD)', function () {
    const ok = spawnSync(PYTHON, ['-c', 'import MDAnalysis'], { encoding: 'utf8' });
    if (ok.status !== 0) {
      console.log('      skipped: python3-mdanalysis is not installed (scripts/install-system-deps.sh --for-tests)');
      this.skip();
    }
    const r = spawnSync(PYTHON, [path.join(repoRoot, 'scripts', 'validate', 'molecular-msd-vs-mdanalysis.py'), data, dump, '32'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const theirs = JSON.parse(r.stdout) as Record<string, number[]>;
    const key: Record<string, string> = { Li: '1', BF4: '2+3', OH2: '4+5' };
    const dt = 100;  // fs per frame
    const lags = report.curves.time.map((t) => Math.round(t / dt));
    for (const [name, k] of Object.entries(key)) {
      const ours = report.curves.msd[name];
      // Lags up to 32 frames use every time origin in both codes: the curves are the same numbers.
      lags.forEach((lag, i) => {
        if (lag > 32) return;
        const rel = Math.abs(ours[i] - theirs[k][lag]) / theirs[k][lag];
        assert.ok(rel < 1e-4, `${name} MSD at lag ${lag}: ${ours[i]} vs MDAnalysis ${theirs[k][lag]}`);
      });
      // D from MDAnalysis' curve over ionfield's fit window, against ionfield's D and its error.
      const i0 = report.curves.time.indexOf(report.fitWindow.start), i1 = report.curves.time.indexOf(report.fitWindow.stop);
      const dRef = slope(report.curves.time, lags.map((l) => theirs[k][l]), i0, i1) / 6;
      const d = report.diffusion[name];
      assert.ok(Math.abs(d.value! - dRef) <= Math.min(0.02 * dRef, 3 * d.error!), `D(${name}) ${d.value} ± ${d.error} vs MDAnalysis ${dRef}`);
    }
    // σ: the charge displacement of the centres, ⟨|Σ z_m ΔR_m|²⟩, lag by lag, and its slope over the window.
    const charge = report.curves.chargeMsd;
    lags.forEach((lag, i) => {
      if (lag > 32) return;
      assert.ok(Math.abs(charge[i] - theirs.charge[lag]) <= 1e-4 * theirs.charge[lag], `⟨|J|²⟩ at lag ${lag}: ${charge[i]} vs ${theirs.charge[lag]}`);
    });
    const i0 = report.curves.time.indexOf(report.fitWindow.start), i1 = report.curves.time.indexOf(report.fitWindow.stop);
    const ratio = slope(report.curves.time, lags.map((l) => theirs.charge[l]), i0, i1) / slope(report.curves.time, charge, i0, i1);
    assert.ok(Math.abs(ratio - 1) < 1e-3, `σ from MDAnalysis centres / ionfield σ = ${ratio}`);
  });

  it('a saved partial keeps the molecules and the atomic-charge sums (--save-partial, --from-partials)', () => {
    const file = path.join(tempDir(), 'partial.json');
    transport('--save-partial', file);
    const r = runCliJson<Report>(['transport', file, '--from-partials', '--temperature', '350']);
    assert.equal(r.centres, 'molecules');
    assert.equal(r.diffusion.BF4.value, report.diffusion.BF4.value);
    assert.equal(r.molecules!.atomicCharges.conductivity.value, report.molecules!.atomicCharges.conductivity.value);
  });

  it('--remove-com --com-species OH2: the solvent-fixed frame (solvent collective displacement zero), σ unchanged', () => {
    const r = runCliJson<Report & { referenceFrame: string; onsager: { species: string[]; value: number[][] } }>(['transport', dump, '--topology', data, ...common, '--remove-com', '--com-species', 'OH2']);
    assert.match(r.referenceFrame, /centre of mass of OH2 .* solvent-fixed \(Hittorf\) frame/);
    const k = r.onsager.species.indexOf('OH2'), li = r.onsager.species.indexOf('Li');
    // Solvent molecules share one mass, so their summed displacement from their own centre is zero.
    assert.ok(Math.abs(r.onsager.value[k][k]) < 1e-12 * Math.abs(r.onsager.value[li][li]), String(r.onsager.value[k][k]));
    assert.ok(Math.abs(r.conductivity.value! - report.conductivity.value!) < 1e-9 * report.conductivity.value!);
    const bad = runCli(['transport', dump, '--topology', data, ...common, '--com-species', 'OH2']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--com-species needs --remove-com/);
  });

  it('--centre-atoms: a named atom stands for the molecules of a species (D the same within errors)', () => {
    // A window past the vibrations: a named atom's MSD differs from its molecule's by a bounded amount.
    const window = ['--fit-start', '2000', '--fit-stop', '6000'];
    const com = transport(...window);
    const r = runCliJson<Report & { molecules: { species: { name: string; centre: string }[] } }>(['transport', dump, '--topology', data, ...common, ...window, '--centre-atoms', 'BF4=B,Li=Li']);
    const centre = Object.fromEntries(r.molecules.species.map((s) => [s.name, s.centre]));
    assert.deepEqual(centre, { BF4: 'atom B', Li: 'atom Li', OH2: 'centre of mass' });
    // Li is one atom: identical to round-off; the solvent is untouched.
    for (const s of ['Li', 'OH2']) assert.ok(Math.abs(r.diffusion[s].value! - com.diffusion[s].value!) < 1e-12 * com.diffusion[s].value!, s);
    // B rattles inside BF4 (bonds 1.4 Å): its MSD exceeds the centre of mass's by at most about
    // (2 × 1.6 Å)², at every lag, and D agrees within the errors.
    r.curves.msd.BF4.forEach((v, i) => assert.ok(Math.abs(v - com.curves.msd.BF4[i]) < 12, `lag ${r.curves.time[i]}: ${v} vs ${com.curves.msd.BF4[i]}`));
    const d = r.diffusion.BF4, d0 = com.diffusion.BF4;
    assert.ok(Math.abs(d.value! - d0.value!) < 2 * Math.hypot(d.error!, d0.error!), `${d.value} ± ${d.error} vs ${d0.value} ± ${d0.error}`);
    const bad = runCli(['transport', dump, '--topology', data, ...common, '--centre-atoms', 'BF4=P']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--centre-atoms: molecule \d+ of species BF4 has no atom 'P'/);
  });

  it('--molecule-names renames species by the atom types they contain', () => {
    const r = transport('--molecule-names', 'types 2-3=BF4-,1=Li+,4 5=solvent');
    assert.deepEqual(r.molecules!.species.map((s) => s.name).sort(), ['BF4-', 'Li+', 'solvent']);
    assert.equal(r.diffusion['BF4-'].value, report.diffusion.BF4.value);
  });

  it('--species leaves the solvent out of the selection; the other species are unchanged', () => {
    const r = transport('--species', 'Li,BF4');
    assert.deepEqual(Object.keys(r.diffusion).sort(), ['BF4', 'Li']);
    assert.equal(r.diffusion.Li.value, report.diffusion.Li.value);
    assert.ok(Math.abs(r.conductivity.value! - report.conductivity.value!) < 1e-12 * report.conductivity.value!);
  });

  it('a JSON topology with molecules gives the same result as the data file', () => {
    const topo = readLammpsData(data);
    const labels: Record<string, string> = { 1: 'Li', 2: 'B', 3: 'F', 4: 'O', 5: 'H' };
    const types = topo.types.map((t) => labels[t]);
    const charges: Record<string, number> = {}, masses: Record<string, number> = {};
    types.forEach((t, i) => ((charges[t] = topo.charges![i]), (masses[t] = topo.masses![i])));
    const bonds: number[][] = [];
    for (let b = 0; b < topo.bonds.length; b += 2) bonds.push([topo.bonds[b], topo.bonds[b + 1]]);
    const file = path.join(tempDir(), 'electrolyte.topology.json');
    fs.writeFileSync(file, JSON.stringify({ schema: 'ionfield.topology/2', types, charges, masses, molecules: Array.from(topo.molecules!), bonds, names: { 'F B': 'BF4' } }));
    const r = runCliJson<Report>(['transport', dump, '--topology', file, ...common]);
    assert.equal(r.centres, 'molecules');
    assert.deepEqual(Object.keys(r.diffusion).sort(), ['BF4', 'Li', 'OH2']);
    for (const s of ['BF4', 'Li', 'OH2']) assert.ok(Math.abs(r.diffusion[s].value! - report.diffusion[s].value!) < 1e-12 * report.diffusion[s].value!, s);
    // Without bonds, a "molecule" spread over the cell (all Li in one) is folded by the minimum
    // image from its first atom, and the report says so.
    const spread = path.join(tempDir(), 'spread.topology.json');
    const molecules = Array.from(topo.molecules!, (m, i) => (types[i] === 'Li' ? -1 : m));
    fs.writeFileSync(spread, JSON.stringify({ schema: 'ionfield.topology/2', types, charges, masses, molecules }));
    const w = runCliJson<Report>(['transport', dump, '--topology', spread, ...common]);
    assert.ok(w.warnings.some((x) => /the topology has no bonds: molecules are made whole by minimum image/.test(x)), w.warnings.join('\n'));
  });

  it('a LAMMPS dump with mol (and mass) columns is a topology with molecules', async () => {
    // The fixture's frames rewritten with 'mol', 'q' and 'mass' columns from the data file.
    const topo = readLammpsData(data);
    const lines: string[] = [];
    let step = 0;
    for await (const f of openTrajectory(dump, { unwrap: false })) {
      lines.push('ITEM: TIMESTEP', String(step), 'ITEM: NUMBER OF ATOMS', String(f.natoms), 'ITEM: BOX BOUNDS pp pp pp', '0 22', '0 22', '0 22', 'ITEM: ATOMS id mol type q mass x y z');
      for (let i = 0; i < f.natoms; i++)
        lines.push(`${topo.ids[i]} ${topo.molecules![i] + 1} ${topo.types[i]} ${topo.charges![i]} ${topo.masses![i]} ${f.positions[3 * i]} ${f.positions[3 * i + 1]} ${f.positions[3 * i + 2]}`);
      step += 200;
    }
    const withMass = path.join(tempDir(), 'mol.lammpstrj');
    fs.writeFileSync(withMass, lines.join('\n') + '\n');
    const r = runCliJson<Report>(['transport', withMass, '--topology', withMass, ...common]);
    assert.equal(r.centres, 'molecules');
    const same: Record<string, string> = { mol_1: 'Li', mol_2_3x4: 'BF4', mol_4_5x2: 'OH2' };
    for (const [name, ref] of Object.entries(same))
      assert.ok(Math.abs(r.diffusion[name].value! - report.diffusion[ref].value!) < 1e-9 * report.diffusion[ref].value!, `${name}: ${r.diffusion[name].value} vs ${report.diffusion[ref].value}`);
    // Without a mass column: refused, unless --masses gives them per type.
    const noMass = path.join(tempDir(), 'nomass.lammpstrj');
    fs.writeFileSync(noMass, lines.map((l) => (l.startsWith('ITEM: ATOMS') ? 'ITEM: ATOMS id mol type q x y z' : /^\d+ \d+ \d+ \S+ \S+ \S+ \S+ \S+$/.test(l) ? l.split(' ').filter((_, k) => k !== 4).join(' ') : l)).join('\n') + '\n');
    const refused = runCli(['transport', noMass, '--topology', noMass, ...common]);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /centres of mass need atom masses/);
    const given = runCliJson<Report>(['transport', noMass, '--topology', noMass, '--masses', '1:6.94,2:10.81,3:18.998,4:15.999,5:1.008', ...common]);
    assert.ok(Math.abs(given.diffusion.mol_2_3x4.value! - report.diffusion.BF4.value!) < 1e-9 * report.diffusion.BF4.value!);
  });

  it('a GROMACS .top (with an .itp, [ atomtypes ] masses and [ settles ]) on the XTC of the same run gives the same D', () => {
    const tmp = tempDir();
    const xtc = path.join(tmp, 'run.xtc');
    runCliJson(['convert', dump, xtc, '--timestep', '0.5']);
    // [ molecules ] in the order of the data file (runs of one type compressed).
    const topo = readLammpsData(data);
    const kindOf = (t: string) => (t === '1' ? 'LI' : t === '2' ? 'BF4' : 'SOL');
    const runs: [string, number][] = [];
    for (let i = 0; i < topo.types.length; i++) {
      if (i > 0 && topo.molecules![i] === topo.molecules![i - 1]) continue;
      const kind = kindOf(topo.types[i]);
      if (runs.length && runs[runs.length - 1][0] === kind) runs[runs.length - 1][1]++;
      else runs.push([kind, 1]);
    }
    fs.writeFileSync(path.join(tmp, 'ions.itp'), [
      '[ moleculetype ]', 'LI 1', '[ atoms ]', '1 Li 1 LI LI 1 1.0 6.94',
      '[ moleculetype ]', '; name nrexcl', 'BF4 1', '[ atoms ]', '1 B 1 BF4 B 1 0.6 10.81',
      ...[2, 3, 4, 5].map((k) => `${k} F 1 BF4 F${k - 1} 1 -0.4 18.998`), '[ bonds ]', ...[2, 3, 4, 5].map((k) => `1 ${k} 1`),
    ].join('\n') + '\n');
    const top = path.join(tmp, 'system.top');
    fs.writeFileSync(top, [
      '[ defaults ]', '1 2 yes 0.5 0.8333',
      '[ atomtypes ]', '; name at.num mass charge ptype sigma epsilon',
      'OW 8 15.999 0.0 A 0.3 0.6', 'HW 1 1.008 0.0 A 0.0 0.0', 'Li 3 6.94 0 A 0.2 0.1', 'B 5 10.81 0 A 0.3 0.2', 'F 9 18.998 0 A 0.3 0.2',
      '#include "ions.itp"',
      '[ moleculetype ]', 'SOL 2', '[ atoms ]', '1 OW 1 SOL OW 1 -0.8', '2 HW 1 SOL HW1 1 0.4', '3 HW 1 SOL HW2 1 0.4',
      '#ifdef FLEXIBLE', '#include "no-such-file.itp"', '#else', '[ settles ]', '1 1 0.1 0.16330', '#endif',
      '[ system ]', 'test', '[ molecules ]', ...runs.map(([k, n]) => `${k} ${n}`),
    ].join('\n') + '\n');
    const r = runCliJson<Report>(['transport', xtc, '--topology', top, '--units', 'gromacs', '--temperature', '350']);
    assert.equal(r.centres, 'molecules');
    const same: Record<string, string> = { LI: 'Li', BF4: 'BF4', SOL: 'OH2' };
    for (const [name, ref] of Object.entries(same)) {
      const d = r.diffusion[name].value! * 0.1;  // nm²/ps → Å²/fs
      assert.ok(Math.abs(d - report.diffusion[ref].value!) < 1e-2 * report.diffusion[ref].value!, `${name}: ${d} vs ${report.diffusion[ref].value}`);
    }
    // A molecule type the topology does not define: file and line.
    fs.writeFileSync(top, fs.readFileSync(top, 'utf8').replace(/^LI (\d+)$/m, 'LIX $1'));
    const bad = runCli(['transport', xtc, '--topology', top, '--units', 'gromacs', '--temperature', '350']);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /system\.top:\d+: molecule type LIX is not defined/);
  });

  it('--centres atoms keeps the atom-level analysis (species by atom type, charges per type)', () => {
    const r = transport('--centres', 'atoms');
    assert.equal(r.centres, 'atoms');
    assert.equal(r.molecules, undefined);
    assert.deepEqual(r.species.map((s) => s.label).sort(), ['B', 'F', 'H', 'Li', 'O']);
    // Li is a one-atom molecule: its D is the same either way.
    assert.ok(Math.abs(r.diffusion.Li.value! - report.diffusion.Li.value!) < 1e-9 * report.diffusion.Li.value!);
  });

  it('a net charge that is not an integer is reported as a warning and used as it is', () => {
    // Scaled charges: Li +0.8, and BF4's B raised so that BF4 is -0.8 (0.8 + 4 × -0.4 = -0.8).
    const file = variant((t) => t.replace(/^(\d+ \d+ 1) 1\.0000 /gm, '$1 0.8000 ').replace(/^(\d+ \d+ 2) 0\.6000 /gm, '$1 0.8000 '));
    const r = runCliJson<Report>(['transport', dump, '--topology', file, ...common]);
    const byName = Object.fromEntries(r.molecules!.species.map((s) => [s.name, s]));
    assert.equal(byName.Li.netCharge, 0.8);
    assert.equal(byName.BF4.netCharge, -0.8);
    assert.equal(byName.Li.integerCharge, false);
    assert.ok(r.warnings.some((w) => /Li has a net charge of 0\.8 e, not an integer/.test(w)), r.warnings.join('\n'));
  });

  it('Atoms # molecular (no charges): --charges per type fills them in; the same σ as with # full', () => {
    const file = variant((t) => t.replace('Atoms # full', 'Atoms # molecular').replace(/^(\d+ \d+ \d+) \S+ (\S+ \S+ \S+)$/gm, '$1 $2'));
    const none = runCliJson<Report>(['transport', dump, '--topology', file, ...common]);
    assert.ok(none.molecules!.species.every((s) => s.netCharge === 0));
    assert.equal(none.conductivity.value, null);
    const r = runCliJson<Report>(['transport', dump, '--topology', file, ...common, '--charges', '1:1,2:0.6,3:-0.4,4:-0.8,5:0.4']);
    assert.ok(Math.abs(r.conductivity.value! - report.conductivity.value!) < 1e-9 * report.conductivity.value!);
    assert.ok(Math.abs(r.molecules!.atomicCharges.conductivity.value! - report.molecules!.atomicCharges.conductivity.value!) < 1e-9 * report.conductivity.value!);
    // A topology with partial charges keeps them: --charges is refused.
    const refused = runCli(['transport', dump, '--topology', data, ...common, '--charges', '1:1']);
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /--charges: with molecules, each molecule carries its net charge/);
  });

  it('molecules of one species with different net charges are refused', () => {
    const file = variant((t) => t.replace(/^(32 11 3) -0\.4000 /m, '$1 -0.3000 '));
    const r = runCli(['transport', dump, '--topology', file, ...common]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /molecules of species BF4 differ in net charge/);
  });

  describe('broken data files: one line naming the file, the line and what was expected', () => {
    const cases: [string, (t: string) => string, RegExp][] = [
      ['an Atoms line with a column missing', (t) => t.replace(/^(5 2 5 0\.4000 \S+ \S+) \S+$/m, '$1'), /variant\.data:\d+: expected 7 columns \(or 10 with image flags\) for atom style full, got 6/],
      ['too few Atoms lines', (t) => t.replace(/^7 3 4 .*\n/m, ''), /variant\.data:\d+: the Atoms section ends after 251 lines; the header promises 252/],
      ['an atom type beyond the header', (t) => t.replace(/^(3 1) 5 /m, '$1 9 '), /variant\.data:\d+: atom type 9 is outside 1\.\.5/],
      ['a bond between two molecules', (t) => t.replace(/^1 2 1 2$/m, '1 2 1 4'), /variant\.data:\d+: bond joins atoms 1 and 4 of different molecules/],
      ['a bond to a missing atom', (t) => t.replace(/^1 2 1 2$/m, '1 2 1 999'), /variant\.data:\d+: bond names atom ID 999/],
      ['a style that is not read', (t) => t.replace('Atoms # full', 'Atoms # sphere'), /variant\.data:\d+: atom style 'sphere' is not read/],
      ['a duplicated atom ID', (t) => t.replace(/^4 (2 4 \S+ \S+ \S+ \S+)$/m, '3 $1'), /variant\.data:\d+: atom ID 3 appears twice/],
      ['garbage in the header', (t) => t.replace('5 atom types', '5 atom kinds'), /variant\.data:6: expected a header line/],
    ];
    for (const [what, edit, expected] of cases)
      it(what, () => {
        const r = runCli(['transport', dump, '--topology', variant(edit), ...common]);
        assert.equal(r.status, 1, r.stderr);
        assert.match(r.stderr, expected);
        assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      });

    it('a topology with a whole molecule more than the dump is cut to the dump\'s atom IDs (test/topology-subset.test.ts)', () => {
      const extra = variant((t) => t.replace('252 atoms', '253 atoms').replace(/^(252 \d+ \d+ \S+ \S+ \S+ \S+)$/m, '$1\n253 85 1 1.0 1 1 1'));
      const r = runCliJson<Report>(['transport', dump, '--topology', extra, ...common]);
      assert.deepEqual(r.species, report.species);
      assert.equal(r.diffusion.Li.value, report.diffusion.Li.value);
    });

    it('no Masses section: centres of mass need masses', () => {
      const r = runCli(['transport', dump, '--topology', variant((t) => t.replace(/Masses\n\n(.*\n){5}/, '')), ...common]);
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /variant\.data: centres of mass need atom masses/);
    });
  });
});
