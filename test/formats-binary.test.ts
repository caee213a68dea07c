// XTC and DCD read through the public API against real writers (MDAnalysis, GROMACS) of a real
// LAMMPS run, compared with LAMMPS' own text dump of the same frames; and ionfield's writers read
// back by MDAnalysis. Fixtures: scripts/fixtures/make-binary-fixtures.sh.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { native, openTrajectory } from '../lib/index';
import { runCli } from './helpers/cli';
import { fixturesDir, repoRoot, tempDir } from './helpers/paths';

const dir = path.join(fixturesDir, 'formats', 'binary');
const fixture = (name: string) => path.join(dir, name);

interface RefFrame {
  step: number;
  h: number[]; // 3x3 rows, Angstrom
  positions: number[]; // Angstrom, by atom id
  unwrapped: number[]; // positions + image flags . cell vectors
}

// A deliberately small, separate parser of the fixture's LAMMPS dump (ids already sorted), so the
// reference does not come from ionfield's own LAMMPS reader.
function readLammpsText(file: string): RefFrame[] {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const frames: RefFrame[] = [];
  let i = 0;
  while (i < lines.length && lines[i].startsWith('ITEM: TIMESTEP')) {
    const step = Number(lines[i + 1]);
    const n = Number(lines[i + 3]);
    const b = [0, 1, 2].map((k) => lines[i + 5 + k].trim().split(/\s+/).map(Number));
    const [xy, xz, yz] = [b[0][2], b[1][2], b[2][2]];
    const xlo = b[0][0] - Math.min(0, xy, xz, xy + xz), xhi = b[0][1] - Math.max(0, xy, xz, xy + xz);
    const ylo = b[1][0] - Math.min(0, yz), yhi = b[1][1] - Math.max(0, yz);
    const h = [xhi - xlo, 0, 0, xy, yhi - ylo, 0, xz, yz, b[2][1] - b[2][0]];
    const positions: number[] = [];
    const unwrapped: number[] = [];
    for (let a = 0; a < n; a++) {
      const f = lines[i + 9 + a].trim().split(/\s+/).map(Number);
      positions.push(f[2], f[3], f[4]);
      const [ix, iy, iz] = [f[5], f[6], f[7]];
      for (let d = 0; d < 3; d++) unwrapped.push(f[2 + d] + ix * h[d] + iy * h[3 + d] + iz * h[6 + d]);
    }
    frames.push({ step, h, positions, unwrapped });
    i += 9 + n;
  }
  return frames;
}

interface ReadFrame {
  step: number;
  time: number | null;
  positions: Float64Array;
  box: Float64Array | null;
}

async function readAll(file: string, options: Record<string, unknown> = {}): Promise<ReadFrame[]> {
  const out: ReadFrame[] = [];
  for await (const f of openTrajectory(file, { unwrap: false, ...options }))
    out.push({ step: f.step, time: f.time, positions: Float64Array.from(f.positions), box: f.box ? Float64Array.from(f.box) : null });
  return out;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>, scale = 1): number {
  assert.equal(a.length, b.length, 'array lengths differ');
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] * scale - b[i]));
  return worst;
}

const lammps = readLammpsText(fixture('lammps-tri.lammpstrj'));
const NM = 10; // Angstrom per nm: LAMMPS units real are Angstrom, XTC stores nm

describe('binary formats: XTC and DCD from real writers', function () {
  this.timeout(60_000);

  it('the LAMMPS reference run has 11 frames of 64 atoms in a triclinic box', () => {
    assert.equal(lammps.length, 11);
    assert.equal(lammps[0].positions.length, 64 * 3);
    assert.ok(lammps[0].h[3] !== 0 && lammps[0].h[6] !== 0 && lammps[0].h[7] !== 0);
  });

  it('XTC written by MDAnalysis matches the LAMMPS text dump to the XTC precision (0.001 nm)', async () => {
    const frames = await readAll(fixture('lammps-tri.mda.xtc'));
    assert.equal(frames.length, lammps.length);
    frames.forEach((f, k) => {
      // half a precision unit in nm, plus float32 rounding of the stored value (~1e-7 * 2.5 nm)
      assert.ok(maxDiff(f.positions, lammps[k].positions, NM) <= (0.5e-3 + 1e-6) * NM, `frame ${k}`);
      assert.ok(maxDiff(f.box!, lammps[k].h, NM) <= 1e-5, `box of frame ${k}`);
      assert.equal(f.step, k); // MDAnalysis' XTCWriter stores the frame index as the step
      assert.ok(Math.abs(f.time! - lammps[k].step * 0.001) < 1e-6, `time of frame ${k}`); // 1 fs per step, in ps
    });
  });

  it('XTC written by GROMACS (gmx trjconv, precision 10000) matches the LAMMPS text dump', async () => {
    const frames = await readAll(fixture('lammps-tri.gmx.xtc'));
    assert.equal(frames.length, lammps.length);
    frames.forEach((f, k) => {
      // PDB in between rounds to 0.001 Angstrom; XTC precision 1e-4 nm
      assert.ok(maxDiff(f.positions, lammps[k].positions, NM) <= 0.0005 + 0.5e-4 * NM + 1e-5, `frame ${k}`);
      // PDB's CRYST1 rounds lengths to 0.001 A and angles to 0.01 degree
      assert.ok(maxDiff(f.box!, lammps[k].h, NM) <= 0.01, `box of frame ${k}`);
    });
  });

  it('XTC frames of <= 9 atoms (stored as plain floats) read exactly', async () => {
    const frames = await readAll(fixture('lammps-tri-5.mda.xtc'));
    assert.equal(frames.length, lammps.length);
    frames.forEach((f, k) => {
      assert.equal(f.positions.length, 15);
      assert.ok(maxDiff(f.positions, lammps[k].positions.slice(0, 15), NM) <= 3e-6, `frame ${k}`); // float32 of nm
    });
  });

  it("GROMACS' SPC water box (molecules: the water-swap path of the codec) matches its .gro", async () => {
    const gro = fs.readFileSync(fixture('spc216.gro'), 'utf8').split('\n');
    const n = Number(gro[1]);
    const ref: number[] = [];
    for (let a = 0; a < n; a++) {
      const line = gro[2 + a];
      ref.push(Number(line.slice(20, 28)), Number(line.slice(28, 36)), Number(line.slice(36, 44)));
    }
    const [frame] = await readAll(fixture('spc216.gmx.xtc'));
    assert.equal(frame.positions.length, 648 * 3);
    assert.ok(maxDiff(frame.positions, ref) <= 0.5e-3 + 1e-6);
    const L = Number(gro[2 + n].trim().split(/\s+/)[0]);
    assert.ok(Math.abs(frame.box![0] - L) < 1e-6 && Math.abs(frame.box![4] - L) < 1e-6 && frame.box![1] === 0);
    // Precision 10^7: ranges above 2^24 units use separate bit fields. GROMACS scales in float32
    // (x * 10^7 is off by up to ~0.4 units before rounding), so allow one unit.
    const [fine] = await readAll(fixture('spc216-ndec7.gmx.xtc'));
    assert.ok(maxDiff(fine.positions, ref) <= 1e-7 + 1e-12);
  });

  it('DCD written by MDAnalysis matches the LAMMPS text dump to float32 precision, with steps and time', async () => {
    const frames = await readAll(fixture('lammps-tri.mda.dcd'));
    assert.equal(frames.length, lammps.length);
    frames.forEach((f, k) => {
      assert.ok(maxDiff(f.positions, lammps[k].positions) <= 4e-6, `frame ${k}`); // float32 of values < 32
      assert.ok(maxDiff(f.box!, lammps[k].h) <= 1e-6, `box of frame ${k}`);
      assert.equal(f.step, lammps[k].step);
      assert.ok(Math.abs(f.time! - lammps[k].step * 0.001) < 1e-6, `time of frame ${k}`);
    });
  });

  it('strided reading (seeking past frames) returns the same frames as a full read', async () => {
    for (const name of ['lammps-tri.mda.xtc', 'lammps-tri.mda.dcd']) {
      const all = await readAll(fixture(name));
      const some = await readAll(fixture(name), { start: 1, stop: 10, stride: 4 });
      assert.deepEqual(some.map((f) => f.step), [1, 5, 9].map((k) => all[k].step));
      some.forEach((f, j) => assert.deepEqual(f.positions, all[1 + 4 * j].positions));
    }
  });

  it('a truncated XTC or DCD fails with the file, frame and byte offset', async () => {
    const tmp = tempDir();
    for (const name of ['lammps-tri.mda.xtc', 'lammps-tri.mda.dcd']) {
      const bytes = fs.readFileSync(fixture(name));
      const cut = path.join(tmp, `cut-${name}`);
      fs.writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
      await assert.rejects(readAll(cut), (err: Error & { file?: string; frame?: number; offset?: number }) => {
        assert.equal(err.file, cut);
        assert.ok(typeof err.frame === 'number' && err.frame >= 5 && err.frame <= 7, err.message);
        assert.ok(typeof err.offset === 'number' && err.offset > 0, err.message);
        assert.match(err.message, /truncated/);
        return true;
      });
    }
  });
});

// ------------------------------------------------------------------ MDAnalysis as the independent reader

const python = '/usr/bin/python3';
const mdaScript = path.join(repoRoot, 'test', 'helpers', 'mda_frames.py');
const hasMda = fs.existsSync(python) && spawnSync(python, ['-c', 'import MDAnalysis'], { encoding: 'utf8' }).status === 0;

interface MdaFrames {
  frames: { positions: number[]; dimensions: number[] | null; time: number; step: number }[];
}
function mdaReadMany(files: [string, 'xtc' | 'dcd'][]): MdaFrames[] {
  const r = spawnSync(python, [mdaScript, ...files.flat()], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`MDAnalysis could not read ${files.map((f) => f[0]).join(', ')}: ${r.stderr}`);
  return JSON.parse(r.stdout) as MdaFrames[];
}
const mdaRead = (file: string, format: 'xtc' | 'dcd'): MdaFrames => mdaReadMany([[file, format]])[0];

function boxFromDimensions(d: number[]): number[] {
  const [a, b, c, al, be, ga] = d.map((v, i) => (i >= 3 ? (v * Math.PI) / 180 : v));
  const bx = b * Math.cos(ga), by = b * Math.sin(ga);
  const cx = c * Math.cos(be), cy = (c * (Math.cos(al) - Math.cos(be) * Math.cos(ga))) / Math.sin(ga);
  return [a, 0, 0, bx, by, 0, cx, cy, Math.sqrt(c * c - cx * cx - cy * cy)];
}

describe('binary formats: interoperability with MDAnalysis', function () {
  this.timeout(120_000);
  before(function () {
    if (!hasMda) {
      console.log('    (skipped: /usr/bin/python3 with MDAnalysis not found; install python3-mdanalysis)');
      this.skip();
    }
  });

  it('MDAnalysis and ionfield read the GROMACS and MDAnalysis fixtures identically', async () => {
    const files = [['lammps-tri.gmx.xtc', 'xtc', NM], ['spc216.gmx.xtc', 'xtc', NM], ['spc216-ndec7.gmx.xtc', 'xtc', NM], ['lammps-tri.mda.dcd', 'dcd', 1]] as const;
    const all = mdaReadMany(files.map(([name, fmt]) => [fixture(name), fmt]));
    for (const [j, [name, , scale]] of files.entries()) {
      const ours = await readAll(fixture(name));
      const theirs = all[j].frames;
      assert.equal(ours.length, theirs.length, name);
      ours.forEach((f, k) => assert.ok(maxDiff(f.positions, theirs[k].positions, scale) <= 1e-5 * scale, `${name} frame ${k}`));
    }
  });

  // Random coordinates (not molecular) and water-like triplets, in a triclinic box.
  function syntheticFrames(natoms: number, nframes: number): { positions: Float64Array; box: Float64Array; step: number; time: number }[] {
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const frames = [];
    for (let k = 0; k < nframes; k++) {
      const positions = new Float64Array(3 * natoms);
      for (let i = 0; i < natoms; i++)
        for (let d = 0; d < 3; d++)
          positions[3 * i + d] = i % 3 === 0 || i < 30 ? rand() * 4 - 0.5 : positions[3 * (i - 1) + d] + (rand() - 0.5) * 0.2;
      const box = Float64Array.from([4.0, 0, 0, 0.6, 4.2, 0, -0.3, 0.4, 4.4]);
      frames.push({ positions, box, step: 100 * k, time: 0.2 * k });
    }
    return frames;
  }

  for (const natoms of [7, 1500]) {
    it(`MDAnalysis reads ionfield's XTC (${natoms} atoms) to the precision`, () => {
      const file = path.join(tempDir(), 'ours.xtc');
      const frames = syntheticFrames(natoms, 4);
      const w = new (native().NativeTrajectoryWriter)(file, 'xtc');
      for (const f of frames) w.write(f);
      w.close();
      const theirs = mdaRead(file, 'xtc').frames;
      assert.equal(theirs.length, frames.length);
      frames.forEach((f, k) => {
        assert.ok(maxDiff(f.positions, theirs[k].positions, NM) <= (0.5e-3 + 1e-6) * NM, `frame ${k}`);
        assert.ok(maxDiff(f.box, boxFromDimensions(theirs[k].dimensions!), NM) <= 1e-4, `box ${k}`);
        assert.equal(theirs[k].step, f.step);
        assert.ok(Math.abs(theirs[k].time - f.time) < 1e-6);
      });
    });
  }

  it('`ionfield convert` of the LAMMPS dump to DCD: unwrapped coordinates, read back by ionfield and MDAnalysis', async () => {
    const out = path.join(tempDir(), 'converted.dcd');
    const r = runCli(['convert', fixture('lammps-tri.lammpstrj'), out]);
    assert.equal(r.status, 0, r.stderr);
    const ours = await readAll(out);
    const theirs = mdaRead(out, 'dcd').frames;
    assert.equal(ours.length, lammps.length);
    assert.equal(theirs.length, lammps.length);
    lammps.forEach((ref, k) => {
      const tol = 4e-6 * 2; // float32 of |x| < 64 Angstrom (unwrapped)
      assert.ok(maxDiff(ours[k].positions, ref.unwrapped) <= tol, `ionfield frame ${k}`);
      assert.ok(maxDiff(theirs[k].positions, ref.unwrapped) <= tol, `MDAnalysis frame ${k}`);
      assert.ok(maxDiff(boxFromDimensions(theirs[k].dimensions!), ref.h) <= 1e-4, `box ${k}`);
      assert.equal(ours[k].step, ref.step);
    });
  });

  it("MDAnalysis reads ionfield's DCD to float32 precision, with the triclinic cell and time", () => {
    const file = path.join(tempDir(), 'ours.dcd');
    const frames = syntheticFrames(200, 5).map((f) => ({ ...f, positions: f.positions.map((x) => x * 10), box: f.box.map((x) => x * 10), time: f.step * 0.002 }));
    const w = new (native().NativeTrajectoryWriter)(file, 'dcd');
    for (const f of frames) w.write(f);
    w.close();
    const theirs = mdaRead(file, 'dcd').frames;
    assert.equal(theirs.length, frames.length);
    frames.forEach((f, k) => {
      assert.ok(maxDiff(f.positions, theirs[k].positions) <= 6e-6, `frame ${k}`);
      assert.ok(maxDiff(f.box, boxFromDimensions(theirs[k].dimensions!)) <= 1e-4, `box ${k}`);
      assert.ok(Math.abs(theirs[k].time - f.time) < 1e-4, `time ${k}: ${theirs[k].time} vs ${f.time}`);
    });
  });
});

// ------------------------------------------------------------------ GROMACS as the reference XTC reader

const gmx = spawnSync('gmx', ['-quiet', '--version'], { encoding: 'utf8' }).status === 0;

interface GmxFrame {
  step: number;
  time: number;
  precision: number;
  box: number[];
  x: number[];
}

// Parses `gmx dump -f file.xtc`: GROMACS' own reading of the file, printed as text.
function gmxDump(file: string): GmxFrame[] {
  const r = spawnSync('gmx', ['-quiet', 'dump', '-f', file], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`gmx dump ${file} failed: ${r.stderr}`);
  const frames: GmxFrame[] = [];
  const num = '([-+0-9.eE]+)';
  for (const line of r.stdout.split('\n')) {
    let m = line.match(new RegExp(`natoms=\\s*\\d+\\s+step=\\s*(-?\\d+)\\s+time=${num}\\s+prec=\\s*${num}`));
    if (m) {
      frames.push({ step: Number(m[1]), time: Number(m[2]), precision: Number(m[3]), box: [], x: [] });
      continue;
    }
    m = line.match(new RegExp(`^\\s*(box|x)\\[\\s*\\d+\\]=\\{\\s*${num},\\s*${num},\\s*${num}\\}`));
    if (m && frames.length) frames[frames.length - 1][m[1] as 'box' | 'x'].push(Number(m[2]), Number(m[3]), Number(m[4]));
  }
  return frames;
}

describe('binary formats: GROMACS reads ionfield\'s XTC', function () {
  this.timeout(60_000);
  before(function () {
    if (!gmx) {
      console.log('    (skipped: gmx not found; install the Debian package gromacs)');
      this.skip();
    }
  });

  // Water-like triplets, isolated atoms and, at precision 10^6 over 40 nm, ranges above 2^24 units.
  for (const [natoms, precision, span] of [[9, 1000, 4], [2001, 1000, 4], [900, 1e6, 40]] as const) {
    it(`gmx dump of an ionfield XTC: ${natoms} atoms, precision ${precision}, ${span} nm`, () => {
      let seed = 7;
      const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
      const file = path.join(tempDir(), 'ours.xtc');
      const w = new (native().NativeTrajectoryWriter)(file, 'xtc', { precision });
      const written: { positions: Float64Array; box: Float64Array; step: number; time: number }[] = [];
      for (let k = 0; k < 3; k++) {
        const positions = new Float64Array(3 * natoms);
        for (let i = 0; i < natoms; i++)
          for (let d = 0; d < 3; d++)
            positions[3 * i + d] = i % 3 === 0 || i % 50 > 40 ? rand() * span - 1 : positions[3 * (i - 1) + d] + (rand() - 0.5) * 0.2;
        const frame = { positions, box: Float64Array.from([span, 0, 0, 0.1, span, 0, -0.2, 0.3, span]), step: 5 * k, time: 0.25 * k };
        written.push(frame);
        w.write(frame);
      }
      w.close();
      const theirs = gmxDump(file);
      assert.equal(theirs.length, written.length);
      written.forEach((f, k) => {
        assert.equal(theirs[k].step, f.step);
        assert.ok(Math.abs(theirs[k].time - f.time) < 1e-6);
        if (natoms > 9) assert.equal(theirs[k].precision, precision);
        assert.equal(theirs[k].x.length, 3 * natoms);
        // gmx dump prints 6 significant digits: allow that on top of half a precision unit
        let worst = 0;
        for (let i = 0; i < f.positions.length; i++)
          worst = Math.max(worst, Math.abs(theirs[k].x[i] - f.positions[i]) - 6e-6 * Math.abs(f.positions[i]));
        assert.ok(worst <= 0.5 / precision + 1e-7, `frame ${k}: worst excess ${worst}`);
        assert.ok(maxDiff(theirs[k].box, f.box) <= 1e-4);
      });
    });
  }
});
