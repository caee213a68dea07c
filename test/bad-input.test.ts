// Bad input through the CLI and the API: every error names the file, the frame and the line (or
// byte offset) and says what was expected; the CLI exits with 1 and prints no stack trace.
// The broken files are made here from the real fixtures, one defect each.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { runCli } from './helpers/cli';
import { fixturesDir, tempDir } from './helpers/paths';
import { openTrajectory } from '../lib/index';

const dir = tempDir('ionfield-bad-');
const dumpLines = fs.readFileSync(path.join(fixturesDir, 'formats', 'ortho.lammpstrj'), 'utf8').split('\n').slice(0, 3 * 73);
const xyzLines = fs.readFileSync(path.join(fixturesDir, 'formats', 'ortho-ase.xyz'), 'utf8').split('\n').slice(0, 3 * 66);
// Dump frame k starts at line 73k+1: TIMESTEP, step, NUMBER OF ATOMS, count, BOX BOUNDS, 3 bounds,
// ITEM: ATOMS, then 64 atom lines (id type q x y z ix iy iz). XYZ frame k starts at line 66k+1.

interface Bad {
  name: string;
  content: string | Buffer;
  frame: number | null; // null: not inside any frame (the file is no trajectory at all)
  line: number | null;
  offset?: number;
  message: RegExp;
  options?: { start?: number; format?: string };
}

/** Lines with 1-based edits applied: a string replaces the line, null deletes it, an array inserts after. */
function edit(lines: string[], edits: Record<number, string | null | string[]>): string {
  const out: string[] = [];
  lines.forEach((l, i) => {
    const e = edits[i + 1];
    if (e === undefined) out.push(l);
    else if (typeof e === 'string') out.push(e);
    else if (Array.isArray(e)) out.push(l, ...e);
  });
  return out.join('\n') + '\n';
}
const head = (lines: string[], n: number) => lines.slice(0, n).join('\n') + '\n';
const field = (line: string, k: number, value: string) => line.trim().split(/\s+/).map((f, i) => (i === k ? value : f)).join(' ');
const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 16]);
let seed = 12345;
const random = Buffer.from(Array.from({ length: 4096 }, () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed >> 16) as number).map((v) => v & 255));
const gz = zlib.gzipSync(head(dumpLines, 3 * 73));

const cases: Bad[] = [
  // LAMMPS dump
  { name: 'mid-header.lammpstrj', content: head(dumpLines, 73 + 4), frame: 1, line: 78, message: /file ends in the middle of a frame; expected/ },
  { name: 'mid-atoms.lammpstrj', content: head(dumpLines, 73 + 9 + 20), frame: 1, line: 103, message: /file ends after 20 of 64 atom lines/ },
  { name: 'mid-atoms-skipped.lammpstrj', content: head(dumpLines, 73 + 9 + 20), frame: 1, line: 103, message: /file ends after 20 of 64 atom lines/, options: { start: 2 } },
  { name: 'count-changes.lammpstrj', content: edit(dumpLines, { 77: '63', 146: null }), frame: 1, line: 77, message: /frame has 63 atoms; frame 0 had 64/ },
  { name: 'fewer-atom-lines.lammpstrj', content: edit(dumpLines, { 146: null }), frame: 1, line: 146, message: /only 63 atom lines before this header, but its NUMBER OF ATOMS says 64/ },
  { name: 'more-atom-lines.lammpstrj', content: edit(dumpLines, { 146: [dumpLines[145]] }), frame: 2, line: 147, message: /expected an 'ITEM:' header line.*more atom lines than its NUMBER OF ATOMS/ },
  { name: 'garbage-coordinate.lammpstrj', content: edit(dumpLines, { 20: field(dumpLines[19], 3, '1.2.3') }), frame: 0, line: 20, message: /expected a finite number for a coordinate, got '1\.2\.3'/ },
  { name: 'nan-coordinate.lammpstrj', content: edit(dumpLines, { 95: field(dumpLines[94], 5, '-nan') }), frame: 1, line: 95, message: /expected a finite number for a coordinate, got '-nan'/ },
  { name: 'garbage-image.lammpstrj', content: edit(dumpLines, { 30: field(dumpLines[29], 7, '0.5') }), frame: 0, line: 30, message: /expected an integer for an image flag, got '0\.5'/ },
  { name: 'garbage-step.lammpstrj', content: edit(dumpLines, { 75: 'abc' }), frame: 1, line: 75, message: /expected an integer for the timestep, got 'abc'/ },
  { name: 'garbage-box.lammpstrj', content: edit(dumpLines, { 6: '-10 ten' }), frame: 0, line: 6, message: /expected a finite number for a box bound, got 'ten'/ },
  { name: 'flat-box.lammpstrj', content: edit(dumpLines, { 7: '3 3' }), frame: 0, line: 8, message: /the box has no volume/ },
  { name: 'missing-z.lammpstrj', content: edit(dumpLines, { 9: 'ITEM: ATOMS id type q x y ix iy iz' }), frame: 0, line: 9, message: /no complete set of coordinate columns \(expected x y z/ },
  { name: 'short-atom-line.lammpstrj', content: edit(dumpLines, { 13: dumpLines[12].replace(/ \S+$/, '') }), frame: 0, line: 13, message: /expected 9 columns on atom line 4 of 64 .*got 8/ },
  { name: 'duplicate-id.lammpstrj', content: edit(dumpLines, { 14: field(dumpLines[13], 0, '2') }), frame: 0, line: 14, message: /atom id 2 appears twice in the frame/ },
  { name: 'ids-change.lammpstrj', content: edit(dumpLines, { 90: field(dumpLines[89], 0, '999') }), frame: 1, line: 146, message: /the set of atom ids differs from frame 0/ },
  { name: 'huge-count.lammpstrj', content: edit(dumpLines, { 4: '99999999999' }), frame: 0, line: 4, message: /NUMBER OF ATOMS 99999999999 is more than the file could hold/ },
  { name: 'no-header.lammpstrj', content: edit(dumpLines, { 1: 'TIMESTEP' }), frame: 0, line: 1, message: /expected an 'ITEM:' header line, got 'TIMESTEP'/ },
  { name: 'truncated.lammpstrj.gz', content: gz.subarray(0, Math.floor(gz.length / 2)), frame: 1, line: null, message: /gzip data ends early/ },
  { name: 'empty.lammpstrj', content: '', frame: 0, line: 1, message: /the file is empty: expected a LAMMPS dump frame/ },
  { name: 'random.lammpstrj', content: random, frame: 0, line: 1, message: /expected an 'ITEM:' header line/ },
  { name: 'image.lammpstrj', content: png, frame: 0, line: 1, message: /expected an 'ITEM:' header line, got '\?PNG/ },
  // extended XYZ
  { name: 'after-count.xyz', content: head(xyzLines, 67), frame: 1, line: 68, message: /file ends before the comment line/ },
  { name: 'mid-atoms.xyz', content: head(xyzLines, 66 + 30), frame: 1, line: 97, message: /file ends after 28 of 64 atom lines/ },
  { name: 'count-changes.xyz', content: edit(xyzLines, { 67: '63', 132: null }), frame: 1, line: 67, message: /frame has 63 atoms; frame 0 had 64/ },
  { name: 'more-atom-lines.xyz', content: edit(xyzLines, { 132: [xyzLines[131]] }), frame: 2, line: 133, message: /expected the number of atoms .*more atom lines than its count/ },
  { name: 'garbage-coordinate.xyz', content: edit(xyzLines, { 5: field(xyzLines[4], 2, 'abc') }), frame: 0, line: 5, message: /expected a finite number for a coordinate, got 'abc'/ },
  { name: 'missing-column.xyz', content: edit(xyzLines, { 70: xyzLines[69].replace(/\s+\S+\s*$/, '') }), frame: 1, line: 70, message: /expected 5 columns on atom line 2 of 64 \(as Properties says\), got 4/ },
  { name: 'bad-lattice.xyz', content: edit(xyzLines, { 2: xyzLines[1].replace('Lattice="20.0 0.0 0.0 ', 'Lattice="20.0 0.0 ') }), frame: 0, line: 2, message: /Lattice=.* should be 9 numbers/ },
  { name: 'flat-lattice.xyz', content: edit(xyzLines, { 2: xyzLines[1].replace('Lattice="20.0 0.0 0.0 0.0 20.0 0.0 0.0 0.0 20.0"', 'Lattice="20.0 0.0 0.0 0.0 20.0 0.0 0.0 0.0 0.0"') }), frame: 0, line: 2, message: /Lattice has no volume/ },
  { name: 'no-pos.xyz', content: edit(xyzLines, { 2: xyzLines[1].replace(':pos:R:3', ':where:R:3') }), frame: 0, line: 2, message: /no 'pos:R:3' column: expected atom positions/ },
  { name: 'bad-properties.xyz', content: edit(xyzLines, { 2: xyzLines[1].replace(':pos:R:3', ':pos:R') }), frame: 0, line: 2, message: /not a list of name:type:count triples/ },
  { name: 'huge-count.xyz', content: '99999999999999\nhello\nNa 1 2 3\n', frame: 0, line: 1, message: /atom count 99999999999999 is more than the file could hold/ },
  { name: 'empty.xyz', content: '', frame: 0, line: 1, message: /the file is empty/ },
  { name: 'image.xyz', content: png, frame: 0, line: 1, message: /expected the number of atoms .* got '\?PNG/ },
  // not a trajectory at all
  { name: 'random.bin', content: random, frame: null, line: 1, offset: 0, message: /not a trajectory ionfield can read: expected a LAMMPS dump/ },
  { name: 'image.png', content: png, frame: null, line: 1, offset: 0, message: /not a trajectory ionfield can read/ },
  { name: 'empty-file', content: '', frame: null, line: 1, offset: 0, message: /the file is empty: expected a trajectory/ },
];

describe('bad input: clear errors through the CLI and the API', () => {
  for (const c of cases) {
    const file = path.join(dir, c.name);
    fs.writeFileSync(file, c.content);
    const where = `${c.name}${c.frame !== null ? `, frame ${c.frame}` : ''}${c.line !== null ? `, line ${c.line}` : ''}`;

    it(`${c.name}: CLI says '${where}: ${c.message.source.slice(0, 40)}...' and exits 1`, () => {
      const args = ['info', file, '--json'];
      if (c.options?.start) return; // the CLI's info reads every frame; the skip path is checked through the API
      const r = runCli(args);
      assert.equal(r.status, 1, `exit code: ${r.stderr}`);
      assert.equal(r.stdout, '', 'nothing on stdout');
      assert.ok(r.stderr.includes(file), `names the file: ${r.stderr}`);
      if (c.frame !== null) assert.ok(r.stderr.includes(`frame ${c.frame}`), `names frame ${c.frame}: ${r.stderr}`);
      if (c.line !== null) assert.ok(r.stderr.includes(`line ${c.line}`), `names line ${c.line}: ${r.stderr}`);
      assert.match(r.stderr, c.message);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    });

    it(`${c.name}: the API rejects with code, file, frame, line`, async () => {
      const read = async () => {
        for await (const _ of openTrajectory(file, { ...c.options, onWarning: () => undefined })) void _;
      };
      await assert.rejects(read, (err: Error & { code?: string; file?: string; frame?: number; line?: number; offset?: number }) => {
        assert.equal(err.code, 'IONFIELD_BAD_INPUT', err.message);
        assert.equal(err.file, file);
        assert.equal(err.frame, c.frame ?? undefined, err.message);
        if (c.line !== null) assert.equal(err.line, c.line, err.message);
        if (c.offset !== undefined) assert.equal(err.offset, c.offset, err.message);
        assert.match(err.message, c.message);
        return true;
      });
    });
  }

  it('a file that does not exist: exit 1, names it, no stack trace', () => {
    for (const name of ['missing.lammpstrj', 'missing.xyz', 'missing']) {
      const r = runCli(['info', path.join(dir, name)]);
      assert.equal(r.status, 1);
      assert.match(r.stderr, new RegExp(`${name}: cannot open file: No such file or directory`));
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    }
  });

  it('a directory: exit 1, names it', () => {
    for (const name of ['folder.lammpstrj', 'folder']) {
      fs.mkdirSync(path.join(dir, name));
      const r = runCli(['info', path.join(dir, name)]);
      assert.equal(r.status, 1);
      assert.match(r.stderr, new RegExp(`${name}: is a directory; expected a trajectory file`));
    }
  });

  it('binary formats given random bytes fail cleanly too (exit 1, file and offset named)', () => {
    for (const ext of ['dcd', 'xtc']) {
      const file = path.join(dir, `random.${ext}`);
      fs.writeFileSync(file, random);
      const r = runCli(['info', file]);
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`random\\.${ext}.*byte \\d+`));
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    }
  });
});
