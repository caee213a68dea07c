// GROMACS .gro beyond the GROMACS-written fixtures (test/formats.test.ts): coordinates at another
// precision (GROMACS sets the field width from the decimal points), bad files named by file, frame
// and line, and the use a GROMACS user has for it: the species of an XTC (`--topology conf.gro`).
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli, runCliJson } from './helpers/cli';
import { fixturesDir, tempDir } from './helpers/paths';
import { readAll } from './helpers/trajectories';

const dir = path.join(fixturesDir, 'formats');

function atomLine(i: number, name: string, xyz: number[], width: number, decimals: number): string {
  const num = String(i).padStart(5);
  return `${num}${name.padEnd(5)}${name.padStart(5)}${num}${xyz.map((v) => v.toFixed(decimals).padStart(width)).join('')}`;
}

describe('formats: GROMACS .gro details', () => {
  const tmp = tempDir('ionfield-gro-');
  const write = (name: string, text: string) => {
    const file = path.join(tmp, name);
    fs.writeFileSync(file, text);
    return file;
  };

  it('reads coordinates written at higher precision (%10.5f) and velocities after them', async () => {
    const atoms = [[0.123456, 1.5, 2.25], [3.00001, 0.5, 0.75]];
    const lines = ['high precision t= 2.5 step= 1250', '    2', ...atoms.map((x, i) => atomLine(i + 1, i ? 'CL' : 'NA', x, 10, 5) + '  0.1000 -0.2000  0.3000'), '   4.00000   4.00000   4.00000'];
    const t = await readAll(write('hp.gro', lines.join('\n') + '\n'), { unwrap: false });
    assert.deepEqual(t.types, ['NA', 'CL']);
    atoms.flat().forEach((v, k) => assert.ok(Math.abs(t.positions[0][k] - Number(v.toFixed(5))) < 1e-12, `coordinate ${k}`));
    assert.deepEqual(t.steps, [1250]);
    assert.equal(t.times[0], 2.5);
    assert.deepEqual(Array.from(t.boxes[0]!), [4, 0, 0, 0, 4, 0, 0, 0, 4]);
  });

  it('a step in the title that is not a whole number in range is unknown (-1), not a converted double', async () => {
    // Found by fuzz_gro: "step=1e19"-like digits overflowed a double → long long conversion.
    const atom = atomLine(1, 'NA', [0.1, 0.2, 0.3], 8, 3);
    const frame = (title: string) => [title, '    1', atom, '   2.00000   2.00000   2.00000'].join('\n');
    const file = write('steps.gro', [frame('a t= 1.0 step= 10248777777777777798294'), frame('b t= 2.0 step= 2.5'), frame('c t= 3.0 step= 40')].join('\n') + '\n');
    const t = await readAll(file, { unwrap: false });
    assert.deepEqual(t.steps, [-1, -1, 40]);
    assert.deepEqual(t.times, [1, 2, 3]);
  });

  it('bad files: the message names the file, frame and line, and what was expected', () => {
    const good = fs.readFileSync(path.join(dir, 'tri-gmx.gro'), 'utf8').split('\n');
    const n = Number(good[1]);
    const cases: [string, string[], RegExp][] = [
      // frame 0, atom line 3 cut short
      ['short.gro', [...good.slice(0, 4), good[4].slice(0, 30), ...good.slice(5)], /short\.gro.*frame 0.*line 5.*too short for three coordinates/s],
      // the second frame's box line damaged
      ['box.gro', good.map((l, k) => (k === 2 * (n + 3) - 1 ? '2.0 2.0' : l)), /box\.gro.*frame 1.*line \d+.*expected the box line: 3 numbers/s],
      // a non-number where a coordinate belongs
      ['nan.gro', good.map((l, k) => (k === 2 ? l.slice(0, 20) + '   x.abc' + l.slice(28) : l)), /nan\.gro.*frame 0.*line 3.*expected a finite number for a coordinate/s],
      ['count.gro', ['title', 'many', ...good.slice(2)], /count\.gro.*line 2.*expected the number of atoms/s],
    ];
    for (const [name, lines, message] of cases) {
      const r = runCli(['info', write(name, lines.join('\n')), '--json']);
      assert.equal(r.status, 1, `${name}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
  });

  it('gives an XTC its species: transport on the XTC with --topology conf.gro equals transport on the .gro trajectory', () => {
    const xtc = runCliJson<{ diffusion: Record<string, { value: number }>; species: { label: string; count: number }[] }>([
      'transport', path.join(dir, 'tri-mda.xtc'), '--topology', path.join(dir, 'tri-mda.gro'), '--charges', 'NA:1,CL:-1', '--temperature', '300', '--units', 'gromacs',
    ]);
    const gro = runCliJson<{ diffusion: Record<string, { value: number }>; species: { label: string; count: number }[] }>([
      'transport', path.join(dir, 'tri-gmx.gro'), '--charges', 'NA:1,CL:-1', '--temperature', '300',
    ]);
    assert.deepEqual(xtc.species.map((s) => [s.label, s.count]), [['CL', 32], ['NA', 32]].sort());
    assert.deepEqual(gro.species.map((s) => [s.label, s.count]), xtc.species.map((s) => [s.label, s.count]));
    // The same 1e-3 nm grid, as float32 (XTC) and as decimal text (.gro): equal to float32 rounding.
    for (const s of ['NA', 'CL']) assert.ok(Math.abs(xtc.diffusion[s].value - gro.diffusion[s].value) <= 1e-6 * Math.abs(xtc.diffusion[s].value), s);
  });

  it('convert refuses to write .gro (read-only format) without leaving a file', () => {
    const out = path.join(tmp, 'out.gro');
    const r = runCli(['convert', path.join(dir, 'tri.lammpstrj'), out]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /reads \.gro files but does not write them/);
    assert.equal(fs.existsSync(out), false);
  });
});
