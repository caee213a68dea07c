// Unwrapping checked against LAMMPS' own image flags (x + ix a + iy b + iz c, computed here from
// the dump text, not by ionfield): from image flags, from xu yu zu, from minimum-image continuity
// of wrapped or scaled coordinates, and from the extended XYZ, DCD and XTC files of the same run.
// Then the warning for frame-to-frame moves too large to unwrap safely.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli } from './helpers/cli';
import { fixturesDir, tempDir } from './helpers/paths';
import { displacements, maxAbsDiff, parseDump, readAll, unwrappedFromImages } from './helpers/trajectories';
import { openTrajectory, TrajectoryInfo } from '../lib/index';

const fx = (name: string) => path.join(fixturesDir, 'formats', name);
const TEXT = 2e-4; // two %g roundings of values below 100 Å (see formats.test.ts)
const PENDING = /not implemented yet/;

for (const shape of ['ortho', 'tri'] as const) {
  describe(`unwrap: ${shape === 'ortho' ? 'orthorhombic' : 'triclinic'} fixture against image-flag ground truth`, () => {
    const truth = parseDump(fx(`${shape}.lammpstrj`)).map(unwrappedFromImages);
    const truthMoves = displacements(truth);

    it('the ground truth really leaves the cell (else this test could not fail)', () => {
      const last = truth[truth.length - 1];
      const span = Math.max(...last) - Math.min(...last);
      assert.ok(span > 40, `unwrapped span ${span} Å should exceed two cells`);
    });

    const direct: [string, string, number][] = [
      [`${shape}.lammpstrj`, 'image-flags', 1e-9],
      [`${shape}-unwrapped.lammpstrj`, 'already-unwrapped', TEXT],
      [`${shape}-scaled.lammpstrj`, 'minimum-image', TEXT],
    ];
    if (shape === 'ortho') direct.push(['ortho.lammpstrj.gz', 'image-flags', 1e-9]);
    for (const [file, method, tol] of direct) {
      it(`${file}: unwrapped by ${method} equals x + image flags`, async () => {
        const t = openTrajectory(fx(file));
        let f = 0;
        for await (const frame of t) {
          const d = maxAbsDiff(frame.positions, truth[f]);
          assert.ok(d <= tol, `frame ${f}: ${d} Å off (tolerance ${tol})`);
          f++;
        }
        assert.equal(f, truth.length);
        assert.equal(t.unwrapReport().method, method);
        assert.equal(t.unwrapReport().suspiciousMoves, 0);
      });
    }

    // These writers lost the LAMMPS origin (ASE) or store float32 / nm: compare displacements.
    const moved: [string, number, number][] = [
      [`${shape}-ase.xyz`, 1, 2 * TEXT],
      [`${shape}-mda.dcd`, 1, 2 * TEXT + 1e-5],
      [`${shape}-mda.xtc`, 10, 0.011],
    ];
    for (const [file, scale, tol] of moved) {
      it(`${file}: minimum-image unwrapping reproduces the image-flag displacements`, async function () {
        let t;
        try {
          t = await readAll(fx(file));
        } catch (err) {
          if (PENDING.test((err as Error).message)) this.skip();
          throw err;
        }
        assert.equal(t.unwrapped, true);
        displacements(t.positions).forEach((d, f) => {
          const off = maxAbsDiff(truthMoves[f], d, scale);
          assert.ok(off <= tol, `${file} frame ${f}: ${off} Å off (tolerance ${tol})`);
        });
      });
    }

    it('unwrap: false returns the stored (wrapped) coordinates untouched', async () => {
      const t = await readAll(fx(`${shape}.lammpstrj`), { unwrap: false });
      const stored = parseDump(fx(`${shape}.lammpstrj`));
      assert.equal(t.unwrapped, false);
      assert.ok(maxAbsDiff(t.positions[5], unwrappedFromImages(stored[5])) > 10, 'wrapped differs from unwrapped');
    });
  });
}

describe('unwrap: warning when an atom moves too far between frames', () => {
  const dir = tempDir('ionfield-unwrap-');
  // Two atoms in a 10 Å cube; atom 1 moves by `move` Å along x between frames 1 and 2.
  function dump(file: string, move: number, images: boolean): string {
    const frames = [[1, 1, 1.2], [1, 1.5, 1.2], [1, 1.5 + move, 1.4]];
    let text = '';
    frames.forEach((xs, f) => {
      text += `ITEM: TIMESTEP\n${100 * f}\nITEM: NUMBER OF ATOMS\n2\nITEM: BOX BOUNDS pp pp pp\n0 10\n0 10\n0 10\n`;
      text += `ITEM: ATOMS id type x y z${images ? ' ix iy iz' : ''}\n`;
      const x = xs[1];
      const wrapped = x - 10 * Math.floor(x / 10);
      text += `1 1 ${wrapped} 5 5${images ? ` ${Math.floor(x / 10)} 0 0` : ''}\n2 2 ${xs[2] + f * 0.1} 3 3${images ? ' 0 0 0' : ''}\n`;
    });
    const p = path.join(dir, file);
    fs.writeFileSync(p, text);
    return p;
  }

  const cases: [string, number, boolean, string, boolean][] = [
    // name, move (Å), image flags, method, warned?
    ['small-minimum-image.lammpstrj', 3, false, 'minimum-image', false],
    ['ambiguous-minimum-image.lammpstrj', 4.5, false, 'minimum-image', true],
    ['large-image-flags.lammpstrj', 6, true, 'image-flags', false], // image flags are exact
    ['small-image-flags.lammpstrj', 4.5, true, 'image-flags', false],
  ];
  for (const [name, move, images, method, warned] of cases) {
    it(`${name}: ${warned ? 'warns, naming frame 2' : 'no warning'} (CLI info and API)`, async () => {
      const file = dump(name, move, images);
      const r = runCli(['info', file, '--json']);
      assert.equal(r.status, 0, r.stderr);
      const info = JSON.parse(r.stdout) as TrajectoryInfo;
      assert.equal(info.unwrapMethod, method);
      assert.equal(info.suspiciousMoves, warned ? 1 : 0);
      assert.equal(info.firstSuspiciousFrame, warned ? 2 : null);
      assert.equal(info.warnings.length, warned ? 1 : 0);
      if (warned) assert.match(r.stderr, /warning: .*1 atom move\(s\).*exceed 0\.4 of a cell, first at frame 2/);
      else assert.equal(r.stderr.includes('warning'), false, r.stderr);

      const messages: string[] = [];
      const t = openTrajectory(file, { onWarning: (m) => messages.push(m), batchSize: 1 });
      const xs: number[] = [];
      for await (const frame of t) xs.push(frame.positions[0]);
      assert.equal(messages.length, warned ? 1 : 0);
      if (warned) assert.match(messages[0], /first at selected frame 2/);
      // The unwrapped x follows the move that minimum image (or the image flags) implies.
      const expected = method === 'image-flags' || move < 5 ? 1.5 + move : 1.5 + move - 10;
      assert.ok(Math.abs(xs[2] - expected) < 1e-12, `x = ${xs[2]}, expected ${expected}`);
    });
  }

  it('a file declared unwrapped whose atoms jump by more than half a cell is reported (wrapped after all?)', () => {
    const file = dump('declared.lammpstrj', 6, false);
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/ATOMS id type x y z/g, 'ATOMS id type xu yu zu'));
    const r = runCli(['info', file, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const info = JSON.parse(r.stdout) as TrajectoryInfo;
    assert.equal(info.unwrapMethod, 'already-unwrapped');
    assert.equal(info.firstSuspiciousFrame, 2);
    assert.match(r.stderr, /exceed half a cell height, first at frame 2, although the file says its coordinates are unwrapped/);
  });

  it('a file that does not say (XYZ without the marker) but is continuous is kept as it is', async () => {
    const marked = path.join(dir, 'continuous-marked.xyz');
    assert.equal(runCli(['convert', fx('ortho.lammpstrj'), marked]).status, 0);
    const unmarked = path.join(dir, 'continuous.xyz');
    fs.writeFileSync(unmarked, fs.readFileSync(marked, 'utf8').replace(/ unwrapped=T/g, ''));
    const info = JSON.parse(runCli(['info', unmarked, '--json']).stdout) as TrajectoryInfo;
    assert.deepEqual([info.coordinates, info.wrapped, info.unwrapMethod, info.suspiciousMoves], ['unknown', false, 'already-unwrapped', 0]);
    const truth = parseDump(fx('ortho.lammpstrj')).map(unwrappedFromImages);
    const t = await readAll(unmarked);
    t.positions.forEach((p, f) => assert.ok(maxAbsDiff(p, truth[f]) < 1e-7, `frame ${f}`));
  });

  it('the default warning goes to process warnings (Node prints it to stderr)', async () => {
    const file = dump('default.lammpstrj', 4.5, false);
    const seen: string[] = [];
    const listener = (w: Error & { code?: string }) => seen.push(`${w.code}: ${w.message}`);
    process.on('warning', listener);
    try {
      for await (const _ of openTrajectory(file)) void _;
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', listener);
    }
    assert.equal(seen.length, 1);
    assert.match(seen[0], /^IONFIELD_UNWRAP: .*default\.lammpstrj/);
  });

  it('transport carries the warning in its result (--json warnings), not only on stderr', () => {
    const file = dump('transport-warned.lammpstrj', 4.5, false);
    const r = runCli(['transport', file, '--temperature', '1', '--units', 'lj', '--timestep', '0.005', '--allow-negative', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const warnings = (JSON.parse(r.stdout) as { warnings: string[] }).warnings;
    assert.ok(warnings.some((w) => /transport-warned\.lammpstrj: .*cannot tell larger moves/.test(w)), warnings.join('\n'));
  });
});

describe('unwrap: a cell that changes every frame (LAMMPS NPT)', () => {
  it('info reports the changing cell; image-flag unwrapping uses each frame\'s cell and matches LAMMPS xu', async () => {
    const truth = parseDump(fx('npt.lammpstrj'));
    const info = JSON.parse(runCli(['info', fx('npt.lammpstrj'), '--json']).stdout) as TrajectoryInfo;
    assert.equal(info.box!.varies, true);
    const last = truth[truth.length - 1].cell;
    info.box!.last!.lengths.forEach((l, k) => assert.ok(Math.abs(l - last[k][k]) < 1e-9));
    assert.ok(Math.abs(info.box!.lengths[0] - 20) < 1e-9);
    assert.notEqual(last[0][0].toFixed(3), '20.000', 'the cell really changed');
    const fromImages = await readAll(fx('npt.lammpstrj'));
    const xu = await readAll(fx('npt-unwrapped.lammpstrj'));
    fromImages.positions.forEach((p, f) => {
      assert.ok(maxAbsDiff(p, unwrappedFromImages(truth[f])) < 1e-9, `frame ${f}: images`);
      assert.ok(maxAbsDiff(p, xu.positions[f]) <= TEXT, `frame ${f}: LAMMPS xu`);
    });
  });
});

describe('unwrap: the wrapped-coordinate check compares like with like (issue 19)', function () {
  this.timeout(120_000);
  const demo = path.join(__dirname, '..', 'data', 'demo', 'electrolyte.lammpstrj.gz');
  const dir = tempDir('ionfield-unwrap-stride-');

  it("the README's example — openTrajectory(demo, { stride: 10 }) and --stride 10 — gives no warning on a file of xu yu zu", async () => {
    for (const stride of [10, 30]) {
      const seen: string[] = [];
      for await (const _ of openTrajectory(demo, { stride, onWarning: (m) => seen.push(m) }).batches()) void _;
      assert.deepEqual(seen, [], `stride ${stride}`);
    }
    const r = runCli(['transport', demo, '--temperature', '1', '--units', 'lj', '--stride', '10']);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /wrapped coordinates after all/);
  });

  it('the same file wrapped into its cell but still labelled xu yu zu is reported', () => {
    const lines = require('node:zlib').gunzipSync(fs.readFileSync(demo)).toString('utf8').split('\n') as string[];
    let atoms = false;
    const wrapped = lines.map((l) => {
      if (l.startsWith('ITEM:')) return (atoms = l.startsWith('ITEM: ATOMS')), l;
      if (!atoms || !l.trim()) return l;
      const f = l.split(' ');
      for (let k = 3; k < 6; k++) f[k] = (Number(f[k]) - 10 * Math.floor(Number(f[k]) / 10)).toFixed(4);
      return f.join(' ');
    });
    const file = path.join(dir, 'wrapped-but-labelled-xu.lammpstrj');
    fs.writeFileSync(file, wrapped.join('\n'));
    const r = runCli(['info', file, '--json']);
    assert.equal(r.status, 0, r.stderr);
    assert.ok((JSON.parse(r.stdout) as TrajectoryInfo).suspiciousMoves > 0);
    assert.match(r.stderr, /although the file says its coordinates are unwrapped: it may hold wrapped coordinates after all/);
  });
});
