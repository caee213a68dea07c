// The same LAMMPS trajectory written by real writers in every format (LAMMPS text dumps in three
// coordinate conventions, gzip, LAMMPS `dump xyz`, ASE extended XYZ, MDAnalysis DCD and XTC;
// made by scripts/fixtures/make-format-fixtures.sh; GROMACS .gro by make-gro-fixtures.py) must read back the same, to each format's
// precision. The ground truth comes from parsing the dump in the test, not from ionfield.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { runCli, runCliJson } from './helpers/cli';
import { fixturesDir, repoRoot, tempDir } from './helpers/paths';
import { boxRows, columns, DumpFrame, Loaded, maxAbsDiff, maxPeriodicDiff, parseDump, readAll } from './helpers/trajectories';
import { TrajectoryInfo } from '../lib/index';

const dir = path.join(fixturesDir, 'formats');
const fx = (name: string) => path.join(dir, name);

// Precision of each writer, in Å (the cell is 20 Å): LAMMPS text %g has 6 significant digits, so
// x (|x| < 100) is within 5e-5 Å and a scaled xs (which exceeds 1 for atoms LAMMPS has not yet
// re-wrapped) within 5e-6 × 20 Å = 1e-4 Å; comparing two such files adds both. Float32 (DCD) adds
// 2^-24 × 20 Å. XTC rounds to 1e-3 nm = 0.01 Å, so 0.005 Å, plus float32.
const TEXT = 2e-4;
const FLOAT32 = TEXT + 1e-5;
const XTC = 0.005 + FLOAT32;
const ANGSTROM_PER_NM = 10;

interface Case {
  file: string;
  tol: number;
  scale: number; // file length unit in Å
  typesAre: 'types' | 'elements' | 'gro-names' | 'none';
  sameOrigin: boolean; // positions relative to the LAMMPS origin (false: ASE dropped it)
  timeScale: number | null; // file time unit per fs; null: the format stores no time
}

const BINARY_PENDING = /not implemented yet/;

async function readOrSkip(ctx: Mocha.Context, file: string, options = {}): Promise<Loaded> {
  try {
    return await readAll(file, options);
  } catch (err) {
    if (BINARY_PENDING.test((err as Error).message)) ctx.skip(); // binary readers land on another branch
    throw err;
  }
}

for (const shape of ['ortho', 'tri'] as const) {
  describe(`formats: the ${shape === 'ortho' ? 'orthorhombic' : 'triclinic'} fixture read from every format`, () => {
    const truth: DumpFrame[] = parseDump(fx(`${shape}.lammpstrj`));
    const wrapped = truth.map((f) => columns(f, ['x', 'y', 'z']));
    const cases: Case[] = [
      { file: `${shape}.lammpstrj`, tol: 0, scale: 1, typesAre: 'types', sameOrigin: true, timeScale: null },
      { file: `${shape}-scaled.lammpstrj`, tol: TEXT, scale: 1, typesAre: 'types', sameOrigin: true, timeScale: null },
      { file: `${shape}-ase.xyz`, tol: TEXT, scale: 1, typesAre: 'elements', sameOrigin: false, timeScale: 1 },
      { file: `${shape}-mda.dcd`, tol: FLOAT32, scale: 1, typesAre: 'none', sameOrigin: false, timeScale: 1e-3 },
      { file: `${shape}-mda.xtc`, tol: XTC, scale: ANGSTROM_PER_NM, typesAre: 'none', sameOrigin: false, timeScale: 1e-3 },
      // GROMACS' own trjconv from the XTC: %8.3f nm keeps the XTC's 1e-3 nm exactly.
      { file: `${shape}-gmx.gro`, tol: XTC, scale: ANGSTROM_PER_NM, typesAre: 'gro-names', sameOrigin: false, timeScale: 1e-3 },
    ];
    if (shape === 'ortho')
      cases.push(
        { file: 'ortho.lammpstrj.gz', tol: 0, scale: 1, typesAre: 'types', sameOrigin: true, timeScale: null },
        { file: 'ortho-lammps.xyz', tol: TEXT, scale: 1, typesAre: 'elements', sameOrigin: true, timeScale: null },
      );

    it('the fixture is what the script promises (a real run with boundary crossings)', () => {
      assert.equal(truth.length, shape === 'ortho' ? 33 : 11);
      assert.equal(truth[0].rows.length, 64);
      const last = columns(truth[truth.length - 1], ['ix', 'iy', 'iz']);
      assert.ok(Math.max(...last.map(Math.abs)) >= 2, 'some atom crossed the boundary at least twice');
    });

    for (const c of cases) {
      it(`${c.file}: wrapped positions, steps, species and box agree with the dump`, async function () {
        const t = await readOrSkip(this, fx(c.file), { unwrap: false });
        assert.equal(t.positions.length, truth.length, 'frame count');
        assert.equal(t.natoms, 64);
        for (let f = 0; f < truth.length; f++) {
          const h = truth[f].cell;
          const got = t.positions[f];
          const expected = c.sameOrigin ? wrapped[f] : Float64Array.from(wrapped[f], (v, i) => v - truth[f].origin[i % 3]);
          // Writers may wrap an atom that LAMMPS left just outside the cell: compare modulo the lattice.
          const d = c.tol === 0 ? maxAbsDiff(expected, got) : maxPeriodicDiff(expected, got, h, c.scale);
          assert.ok(d <= c.tol, `${c.file} frame ${f}: positions differ by ${d} Å (tolerance ${c.tol})`);
          if (c.file.endsWith('lammps.xyz')) assert.equal(t.boxes[f], null, 'dump xyz has no cell');
          else {
            const b = boxRows(t.boxes[f]!);
            for (let i = 0; i < 3; i++) for (let k = 0; k < 3; k++) assert.ok(Math.abs(b[i][k] * c.scale - h[i][k]) < 1e-3, `${c.file} frame ${f}: cell ${b} vs ${h}`);
          }
        }
        assert.deepEqual(t.steps, truth.map((f) => f.step), 'MD steps');
        if (c.timeScale !== null)
          t.times.forEach((x, f) => {
            const fs = x / c.timeScale!; // binary formats store float32 times
            assert.ok(Math.abs(fs - 2 * truth[f].step) <= 1e-6 * 2 * truth[f].step + 1e-9, `${c.file} frame ${f}: time ${x}`);
          });
        const types = truth[0].rows.map((r) => String(r[truth[0].columns.indexOf('type')]));
        if (c.typesAre === 'types') assert.deepEqual(t.types, types);
        if (c.typesAre === 'elements') assert.deepEqual(t.types, types.map((x) => (x === '1' ? 'Na' : 'Cl')));
        if (c.typesAre === 'gro-names') assert.deepEqual(t.types, types.map((x) => (x === '1' ? 'NA' : 'CL')));
        if (c.typesAre === 'none') assert.equal(t.types, null);
      });

      it(`${c.file}: frame selection start/stop/stride equals slicing all frames`, async function () {
        const all = await readOrSkip(this, fx(c.file), { unwrap: false });
        for (const [start, stop, stride] of [[3, 14, 4], [0, 5, 1], [1, 1000, 7], [2, 3, 5]]) {
          const sel = await readAll(fx(c.file), { unwrap: false, start, stop, stride, batchSize: 2 });
          const want: number[] = [];
          for (let f = start; f < Math.min(stop, all.positions.length); f += stride) want.push(f);
          assert.deepEqual(sel.steps, want.map((f) => all.steps[f]), `steps for ${start}:${stop}:${stride}`);
          want.forEach((f, k) => assert.deepEqual(sel.positions[k], all.positions[f]));
        }
        const beyond = await readAll(fx(c.file), { start: 500 });
        assert.equal(beyond.positions.length, 0);
      });
    }

    it('charges: the dump q column and the extended XYZ charges agree', async () => {
      const dump = await readAll(fx(`${shape}.lammpstrj`), { stop: 1 });
      const xyz = await readAll(fx(`${shape}-ase.xyz`), { stop: 1 });
      const q = truth[0].rows.map((r) => r[truth[0].columns.indexOf('q')]);
      assert.deepEqual(Array.from(dump.charges!), q);
      assert.deepEqual(Array.from(xyz.charges!), q);
    });

    it('`ionfield info --json` gives the documented keys and right values for every format', function () {
      this.timeout(120_000);
      const lengths = truth[0].cell.map((r) => Math.hypot(...r));
      for (const c of [...cases, { file: `${shape}-unwrapped.lammpstrj`, typesAre: 'types', scale: 1 } as Case]) {
        const r = runCli(['info', fx(c.file), '--json']);
        if (r.status !== 0 && BINARY_PENDING.test(r.stderr)) continue;
        assert.equal(r.status, 0, r.stderr);
        const info = JSON.parse(r.stdout) as TrajectoryInfo;
        for (const key of ['schema', 'format', 'frames', 'atoms', 'species', 'box', 'timePerFrame', 'wrapped', 'unwrapMethod', 'warnings'])
          assert.ok(key in info, `${c.file}: key ${key}`);
        const ext = c.file.replace(/\.gz$/, '').split('.').pop();
        assert.equal(info.format, { lammpstrj: 'lammps-dump', xyz: 'xyz', dcd: 'dcd', xtc: 'xtc', gro: 'gro' }[ext!]);
        assert.equal(info.frames, truth.length, c.file);
        assert.equal(info.atoms, 64);
        const expectSpecies = c.typesAre === 'types' ? { 1: 32, 2: 32 } : c.typesAre === 'elements' ? { Na: 32, Cl: 32 } : c.typesAre === 'gro-names' ? { NA: 32, CL: 32 } : {};
        assert.deepEqual(info.species, expectSpecies, `${c.file} species`);
        if (c.file.endsWith('lammps.xyz')) assert.equal(info.box, null);
        else {
          info.box!.lengths.forEach((l, k) => assert.ok(Math.abs(l * c.scale - lengths[k]) < 1e-3, `${c.file} length ${k}`));
          assert.ok(Math.abs(info.box!.volume * c.scale ** 3 - 8000) < 0.1, `${c.file} volume ${info.box!.volume}`);
          assert.equal(info.box!.orthorhombic, shape === 'ortho');
        }
        const unwrappedFile = c.file.includes('unwrapped');
        assert.equal(info.wrapped, !unwrappedFile && !c.file.endsWith('lammps.xyz'), `${c.file} wrapped`);
        assert.deepEqual(info.warnings, []);
        if (c.timeScale) assert.ok(Math.abs(info.timePerFrame! - 300 * c.timeScale) < 1e-6 * 300 * c.timeScale, `${c.file} timePerFrame ${info.timePerFrame}`);
        else assert.equal(info.timePerFrame, unwrappedFile ? 300 : null, `${c.file} timePerFrame`);
        assert.equal(info.firstStep, 0);
        assert.equal(info.stepsPerFrame, 150);
        const units = unwrappedFile
          ? { length: 'A', time: 'fs', style: 'real' } // ITEM: UNITS real
          : ext === 'xyz' ? { length: 'A', time: null, style: null }
          : ext === 'xtc' || ext === 'gro' ? { length: 'nm', time: 'ps', style: null }
          : ext === 'lammpstrj' ? { length: null, time: null, style: null }
          : info.units; // DCD: the binary reader's business
        assert.deepEqual(info.units, units, `${c.file} units`);
      }
    });
  });
}

describe('formats: info details', () => {
  it('the shipped example (README first command) describes itself', () => {
    const info = runCliJson<TrajectoryInfo>(['info', path.join(repoRoot, 'data', 'examples', 'mixture.lammpstrj.gz')]);
    assert.deepEqual([info.format, info.frames, info.atoms, info.species], ['lammps-dump', 51, 216, { 1: 108, 2: 108 }]);
    assert.deepEqual([info.timePerFrame, info.stepsPerFrame, info.wrapped, info.unwrapMethod], [200, 100, true, 'image-flags']);
    assert.deepEqual(info.box!.lengths, [25, 25, 25]);
  });

  it('time per frame: from ITEM: TIME, Time=, XTC, or --timestep for dumps without time', () => {
    assert.equal(runCliJson<TrajectoryInfo>(['info', fx('ortho-unwrapped.lammpstrj')]).timePerFrame, 300);
    assert.equal(runCliJson<TrajectoryInfo>(['info', fx('ortho-ase.xyz')]).timePerFrame, 300);
    const plain = runCliJson<TrajectoryInfo>(['info', fx('ortho.lammpstrj')]);
    assert.equal(plain.timePerFrame, null);
    assert.equal(plain.stepsPerFrame, 150);
    assert.equal(runCliJson<TrajectoryInfo>(['info', fx('ortho.lammpstrj'), '--timestep', '2']).timePerFrame, 300);
  });

  it('triclinic cell: lengths, angles and volume from the LAMMPS input (prism 20 20 20, tilts 4 -3 2.5)', () => {
    const info = runCliJson<TrajectoryInfo>(['info', fx('tri.lammpstrj')]);
    const a = [20, 0, 0], b = [4, 20, 0], c = [-3, 2.5, 20];
    const norm = (v: number[]) => Math.hypot(...v);
    const angle = (u: number[], v: number[]) => (Math.acos((u[0] * v[0] + u[1] * v[1] + u[2] * v[2]) / (norm(u) * norm(v))) * 180) / Math.PI;
    const expect = { lengths: [norm(a), norm(b), norm(c)], angles: [angle(b, c), angle(a, c), angle(a, b)] };
    for (let k = 0; k < 3; k++) {
      assert.ok(Math.abs(info.box!.lengths[k] - expect.lengths[k]) < 1e-9);
      assert.ok(Math.abs(info.box!.angles[k] - expect.angles[k]) < 1e-9);
    }
    assert.ok(Math.abs(info.box!.volume - 8000) < 1e-9);
    assert.deepEqual(info.box!.matrix, [a, b, c]);
  });
});

describe('formats: convert round trips', () => {
  const out = tempDir('ionfield-convert-');
  const truth = parseDump(fx('ortho.lammpstrj'));

  it('dump -> extended XYZ -> dump keeps the (unwrapped) coordinates, box, steps and species', async () => {
    const xyz = path.join(out, 'a.xyz');
    const back = path.join(out, 'a.lammpstrj');
    let r = runCli(['convert', fx('ortho.lammpstrj'), xyz]);
    assert.equal(r.status, 0, r.stderr);
    const comment = fs.readFileSync(xyz, 'utf8').split('\n')[1];
    assert.match(comment, /Lattice="20 0 0 0 20 0 0 0 20"/);
    assert.match(comment, /Properties=species:S:1:pos:R:3:charge:R:1/);
    assert.match(comment, /unwrapped=T/);
    assert.match(comment, /Origin="-10 -10 -10"/);
    r = runCli(['convert', xyz, back]);
    assert.equal(r.status, 0, r.stderr);
    const original = await readAll(fx('ortho.lammpstrj'));
    for (const file of [xyz, back]) {
      const t = await readAll(file);
      const info = runCliJson<TrajectoryInfo>(['info', file]);
      assert.equal(info.wrapped, false, `${file} is marked unwrapped`);
      assert.equal(info.unwrapMethod, 'already-unwrapped');
      assert.deepEqual(t.steps, original.steps);
      assert.deepEqual(t.types, original.types);
      // Both writers print 10 significant digits; unwrapped coordinates stay below 100 Å.
      t.positions.forEach((p, f) => assert.ok(maxAbsDiff(p, original.positions[f]) < 1e-7, `${file} frame ${f}`));
      t.boxes.forEach((b, f) => assert.deepEqual(b, original.boxes[f]));
      t.origins.forEach((o, f) => assert.deepEqual(Array.from(o), truth[f].origin));
    }
  });

  it("ASE (an independent reader) reads ionfield's extended XYZ: cell, species, charges, steps, positions", async function () {
    const xyz = path.join(out, 'for-ase.xyz');
    assert.equal(runCli(['convert', fx('tri.lammpstrj'), xyz, '--type-map', '1:Na,2:Cl']).status, 0);
    const script = [
      'import ase.io, json, sys',
      'fr = ase.io.read(sys.argv[1], index=":")',
      'print(json.dumps([{"cell": a.cell.array.tolist(), "symbols": a.get_chemical_symbols(), "q": a.get_initial_charges().tolist(),',
      '  "step": int(a.info.get("step")), "unwrapped": bool(a.info.get("unwrapped")), "pbc": a.pbc.tolist(), "pos": a.positions.ravel().tolist()} for a in fr]))',
    ].join('\n');
    const r = spawnSync('/usr/bin/python3', ['-W', 'ignore', '-c', script, xyz], { encoding: 'utf8' });
    if (r.status !== 0 && /No module named 'ase'/.test(r.stderr)) {
      console.log('      (skipped: Debian python3-ase is not installed; scripts/install-system-deps.sh installs it)');
      this.skip();
    }
    assert.equal(r.status, 0, r.stderr);
    const ase = JSON.parse(r.stdout) as { cell: number[][]; symbols: string[]; q: number[]; step: number; unwrapped: boolean; pbc: boolean[]; pos: number[] }[];
    const source = await readAll(fx('tri.lammpstrj'));
    assert.equal(ase.length, source.positions.length);
    ase.forEach((a, f) => {
      assert.deepEqual(a.cell.flat(), Array.from(source.boxes[f]!));
      assert.deepEqual(a.symbols, source.types!.map((t) => (t === '1' ? 'Na' : 'Cl')));
      assert.deepEqual(a.q, Array.from(source.charges!));
      assert.equal(a.step, source.steps[f]);
      assert.equal(a.unwrapped, true);
      assert.deepEqual(a.pbc, [true, true, true]);
      assert.ok(maxAbsDiff(a.pos, source.positions[f]) < 1e-7, `frame ${f}`);
    });
  });

  it('--keep-wrapped writes coordinates as stored and says so (unwrapped=F)', async () => {
    const xyz = path.join(out, 'w.xyz');
    const r = runCli(['convert', fx('tri.lammpstrj'), xyz, '--keep-wrapped', '--stride', '3']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(fs.readFileSync(xyz, 'utf8').split('\n')[1], /unwrapped=F/);
    const tri = parseDump(fx('tri.lammpstrj'));
    const t = await readAll(xyz, { unwrap: false });
    assert.equal(t.positions.length, Math.ceil(tri.length / 3));
    t.positions.forEach((p, k) => assert.ok(maxAbsDiff(p, columns(tri[3 * k], ['x', 'y', 'z'])) < 1e-12));
  });

  it('dump -> DCD, read back with --topology for the species', async function () {
    const dcd = path.join(out, 'a.dcd');
    let r = runCli(['convert', fx('ortho.lammpstrj'), dcd]);
    if (r.status !== 0 && BINARY_PENDING.test(r.stderr)) this.skip();
    assert.equal(r.status, 0, r.stderr);
    const xyz = path.join(out, 'from-dcd.xyz');
    r = runCli(['convert', dcd, xyz, '--topology', fx('ortho.lammpstrj'), '--type-map', '1:Na,2:Cl']);
    assert.equal(r.status, 0, r.stderr);
    const original = await readAll(fx('ortho.lammpstrj'));
    const t = await readAll(xyz);
    assert.deepEqual(t.types, original.types!.map((x) => (x === '1' ? 'Na' : 'Cl')));
    // DCD stores float32; the unwrapped coordinates reach ~60 Å.
    t.positions.forEach((p, f) => assert.ok(maxAbsDiff(p, original.positions[f]) < 1e-5, `frame ${f}`));
  });

  it('units: dump (Å, fs) -> XTC (nm, ps) -> extended XYZ (Å, fs) converts lengths and times', async function () {
    const xtc = path.join(out, 'u.xtc');
    let r = runCli(['convert', fx('ortho-unwrapped.lammpstrj'), xtc, '--json']);
    if (r.status !== 0 && BINARY_PENDING.test(r.stderr)) this.skip();
    assert.equal(r.status, 0, r.stderr);
    const result = JSON.parse(r.stdout) as { lengthFactor: number; timeFactor: number; outputFormat: string };
    assert.equal(result.outputFormat, 'xtc');
    assert.equal(result.lengthFactor, 0.1); // Å -> nm
    assert.equal(result.timeFactor, 1e-3); // fs -> ps
    const original = await readAll(fx('ortho-unwrapped.lammpstrj'));
    const inNm = await readAll(xtc);
    inNm.positions.forEach((p, f) => assert.ok(maxAbsDiff(original.positions[f], p, ANGSTROM_PER_NM) <= XTC, `frame ${f}`));
    assert.ok(Math.abs(runCliJson<TrajectoryInfo>(['info', xtc]).timePerFrame! - 0.3) < 1e-6);
    const xyz = path.join(out, 'u.xyz');
    r = runCli(['convert', xtc, xyz]);
    assert.equal(r.status, 0, r.stderr);
    const back = await readAll(xyz);
    back.positions.forEach((p, f) => assert.ok(maxAbsDiff(original.positions[f], p) <= XTC, `frame ${f}`));
    assert.ok(Math.abs(runCliJson<TrajectoryInfo>(['info', xyz]).timePerFrame! - 300) < 1e-3);
  });

  it('a failed conversion leaves nothing behind (no output, no temporary file)', () => {
    const bad = path.join(out, 'truncated.lammpstrj');
    const text = fs.readFileSync(fx('ortho.lammpstrj'), 'utf8');
    fs.writeFileSync(bad, text.slice(0, Math.floor(text.length * 0.6)));
    for (const target of ['t.xyz', 't.lammpstrj', 't.dcd']) {
      const before = fs.readdirSync(out).length;
      const r = runCli(['convert', bad, path.join(out, target)]);
      if (BINARY_PENDING.test(r.stderr)) continue;
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, /truncated\.lammpstrj, frame \d+, line \d+/);
      assert.ok(!fs.existsSync(path.join(out, target)), `${target} must not exist`);
      assert.deepEqual(fs.readdirSync(out).filter((f) => f.includes('.tmp')), [], 'no temporary files');
      assert.equal(fs.readdirSync(out).length, before);
    }
  });
});

describe('formats: extended XYZ details', () => {
  const dir = tempDir('ionfield-xyz-');

  it('columns in any order, Z for species, ids (sorted), image flags, quoted keys, Origin, pbc, gzip', async () => {
    const file = path.join(dir, 'features.extxyz');
    const frame = (step: number, shift: number) =>
      [
        '3',
        `energy=-1.5 comment="a \\"quoted\\" note" pbc="T T F" Properties=id:I:1:Z:I:1:force:R:3:pos:R:3:image:I:3:q:R:1 ` +
          `Lattice="10 0 0 1 11 0 0 0 12" Origin="-1 -2 -3" step=${step} time=${step / 2}`,
        `3 17 0 0 0 ${1 + shift} 2 3 0 0 0 -1`,
        `1 11 0.1 0.2 0.3 ${4 + shift} 5 6 1 0 0 1`,
        `2 8 0 0 0 ${7 + shift} 8 9 0 -1 0 -2`,
      ].join('\n');
    fs.writeFileSync(file, `${frame(10, 0)}\n${frame(20, 0.5)}\n`);
    fs.writeFileSync(`${file}.gz`, zlib.gzipSync(fs.readFileSync(file)));
    for (const f of [file, `${file}.gz`]) {
      const t = await readAll(f, { unwrap: false, format: 'xyz' });
      assert.deepEqual(t.types, ['Na', 'O', 'Cl'], 'sorted by id, species from Z');
      assert.deepEqual(Array.from(t.charges!), [1, -2, -1]);
      assert.deepEqual(Array.from(t.positions[1]), [4.5, 5, 6, 7.5, 8, 9, 1.5, 2, 3]);
      assert.deepEqual(t.steps, [10, 20]);
      assert.deepEqual(t.times, [5, 10]);
      assert.deepEqual(Array.from(t.origins[0]), [-1, -2, -3]);
      assert.deepEqual(Array.from(t.boxes[0]!), [10, 0, 0, 1, 11, 0, 0, 0, 12]);
      const u = await readAll(f, { format: 'xyz' });
      // image flags: atom id 1 has ix=1 -> +a = (10,0,0); id 2 has iy=-1 -> -b = (-1,-11,0)
      assert.deepEqual(Array.from(u.positions[0]), [14, 5, 6, 6, -3, 9, 1, 2, 3]);
    }
    const info = runCliJson<TrajectoryInfo>(['info', file]);
    assert.deepEqual(info.box!.periodic, [true, true, false]);
    assert.equal(info.unwrapMethod, 'image-flags');
    assert.equal(info.timePerFrame, 5);
  });

  it('plain XYZ without a cell converts to a LAMMPS dump with the atoms\' bounding box (ff ff ff)', async () => {
    const dump = path.join(dir, 'from-plain.lammpstrj');
    const r = runCli(['convert', fx('ortho-lammps.xyz'), dump, '--stop', '3']);
    assert.equal(r.status, 0, r.stderr);
    const info = runCliJson<TrajectoryInfo>(['info', dump]);
    assert.deepEqual(info.box!.periodic, [false, false, false]);
    const original = await readAll(fx('ortho-lammps.xyz'), { stop: 3 });
    const back = await readAll(dump);
    back.positions.forEach((p, f) => assert.ok(maxAbsDiff(p, original.positions[f]) < 1e-9, `frame ${f}`));
    assert.deepEqual(back.types, original.types);
  });

  it('a rotated cell (not LAMMPS\' restricted form) goes to a dump as a general triclinic cell, unchanged', async () => {
    const xyz = path.join(dir, 'rotated.xyz');
    fs.writeFileSync(xyz, '2\nLattice="8 6 0 -6 8 0 0 0 10" Properties=species:S:1:pos:R:3\nNa 1 2 3\nCl 4 5 6\n');
    const dump = path.join(dir, 'rotated.lammpstrj');
    const r = runCli(['convert', xyz, dump]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(fs.readFileSync(dump, 'utf8'), /ITEM: BOX BOUNDS abc origin pp pp pp\n8 6 0 0\n-6 8 0 0\n0 0 10 0\n/);
    const back = await readAll(dump);
    assert.deepEqual(Array.from(back.boxes[0]!), [8, 6, 0, -6, 8, 0, 0, 0, 10]);
    assert.deepEqual(Array.from(back.positions[0]), [1, 2, 3, 4, 5, 6]);
  });

  it('plain XYZ: element x y z with extra columns and a free-text comment', async () => {
    const file = path.join(dir, 'plain.xyz');
    fs.writeFileSync(file, '2\nwater = wet, says Bob\nO 0 0 0 extra\nH 0.9572 0 0 1 2\n2\n\nO 0 0 0.1\nH 0.9572 0 0.1\n');
    const t = await readAll(file);
    assert.deepEqual(t.types, ['O', 'H']);
    assert.equal(t.boxes[0], null);
    assert.deepEqual(Array.from(t.positions[1]), [0, 0, 0.1, 0.9572, 0, 0.1]);
    assert.deepEqual(t.steps, [-1, -1]);
  });
});

describe('formats: LAMMPS dump details', () => {
  it('general triclinic cells ("ITEM: BOX BOUNDS abc origin", LAMMPS 2024+) with scaled coordinates', async () => {
    const file = path.join(tempDir('ionfield-dump-'), 'general.lammpstrj');
    fs.writeFileSync(file, 'ITEM: TIMESTEP\n5\nITEM: NUMBER OF ATOMS\n2\nITEM: BOX BOUNDS abc origin pp pp ff\n10 1 0 -1\n0 9 0 -2\n0.5 0.5 8 -3\n' +
      'ITEM: ATOMS id type xs ys zs\n2 1 0.5 0.5 0.5\n1 2 0 0 0\n');
    const t = await readAll(file, { unwrap: false });
    assert.deepEqual(Array.from(t.boxes[0]!), [10, 1, 0, 0, 9, 0, 0.5, 0.5, 8]);
    assert.deepEqual(Array.from(t.origins[0]), [-1, -2, -3]);
    // atom 1 at the origin; atom 2 at origin + (a + b + c) / 2
    assert.deepEqual(Array.from(t.positions[0]), [-1, -2, -3, 4.25, 3.25, 1]);
    assert.deepEqual(runCliJson<TrajectoryInfo>(['info', file]).box!.periodic, [true, true, false]);
  });
});
