// Issue 15: the unwrapping warning of a sharded transport run of a file unwrapped by minimum image
// (a LAMMPS dump with x y z only) is the single run's. Shards record the doubt as data — the
// suspicious moves of the transitions into their own frames, the first frame they saw one — and
// the report words the warning from the merged data, so single run and merged shards give the same
// sentence and the same JSON, with moves at a shard boundary and in the frames a shard reads only
// for their history (--max-lag) counted once.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli } from './helpers/cli';
import { cli, mergeRandomly, rng, runShards } from './helpers/shards';
import { tempDir } from './helpers/paths';
import { worstDifference } from './helpers/compare';
import { planTransportShard } from '../lib/transport/shard';

const FRAMES = 100, ATOMS = 8, CELL = 10;

/** A wrapped dump (x y z, no image flags) with the given atom jumps of 0.45 cell: frame → atoms that jump into it. */
function writeDump(file: string, jumps: Map<number, number[]>): void {
  const random = rng(15);
  const x = Array.from({ length: ATOMS }, () => [random() * CELL, random() * CELL, random() * CELL]);
  let text = '';
  for (let f = 0; f < FRAMES; f++) {
    if (f > 0)
      for (let i = 0; i < ATOMS; i++) {
        for (let k = 0; k < 3; k++) x[i][k] += 0.6 * (random() - 0.5);
        if (jumps.get(f)?.includes(i)) x[i][0] += 0.45 * CELL;
      }
    text += `ITEM: TIMESTEP\n${10 * f}\nITEM: NUMBER OF ATOMS\n${ATOMS}\nITEM: BOX BOUNDS pp pp pp\n0 ${CELL}\n0 ${CELL}\n0 ${CELL}\nITEM: ATOMS id type x y z\n`;
    const wrap = (v: number) => v - CELL * Math.floor(v / CELL);
    x.forEach((p, i) => (text += `${i + 1} ${1 + (i % 2)} ${wrap(p[0])} ${wrap(p[1])} ${wrap(p[2])}\n`));
  }
  fs.writeFileSync(file, text);
}

interface Piece { ownFrom: number; ownTo: number; firstFrame: number; meta: { unwrap?: { method: string; suspiciousMoves: number; firstSuspiciousFrame: number | null } } }

describe('transport shards: the unwrapping warning of a minimum-image file is the single run\'s', function () {
  this.timeout(300_000);
  const dir = tempDir('ionfield-unwrap-shards-');
  const dump = path.join(dir, 'jumpy.lammpstrj');
  // Jumps into the first own frame of every shard of 2 and 3 (no --max-lag; the same blocks with
  // it), into the frame before (the next shard's history), early, late (beyond the reader's first
  // 64-frame batch) and two atoms in one transition.
  const boundaries = [2, 3].flatMap((n) => Array.from({ length: n - 1 }, (_, i) => planTransportShard(FRAMES, { index: i + 1, count: n }, -1).ownFrom));
  const jumps = new Map<number, number[]>([[7, [0]], [40, [2, 5]], [90, [4]]]);
  for (const b of boundaries) {
    jumps.set(b, [...(jumps.get(b) ?? []), 1]);
    jumps.set(b - 1, [...(jumps.get(b - 1) ?? []), 3]);
  }
  const moves = [...jumps.values()].reduce((sum, atoms) => sum + atoms.length, 0);
  const firstJump = Math.min(...jumps.keys());
  before(() => writeDump(dump, jumps));

  it('the planted moves are what ionfield info finds (minimum image, none at frame 0)', () => {
    const info = JSON.parse(cli(['info', dump, '--json']));
    assert.deepEqual([info.unwrapMethod, info.suspiciousMoves, info.firstSuspiciousFrame], ['minimum-image', moves, firstJump]);
    assert.ok(boundaries.length === 3 && boundaries.every((b) => b > 1 && b < FRAMES - 1), `boundaries ${boundaries}`);
  });

  for (const extra of [[], ['--max-lag', '0.5']]) {
    const label = extra.length ? 'with --max-lag (shards read a 5-frame overlap)' : 'without --max-lag (every shard reads from frame 0)';
    it(`2 and 3 shards merged: the same warning, the same numbers, every move counted once — ${label}`, () => {
      const args = ['transport', dump, '--units', 'lj', '--temperature', '1', '--timestep', '0.01', '--charges', '1:1,2:-1', ...extra];
      const single = JSON.parse(cli([...args, '--json']));
      for (const n of [2, 3]) {
        const tag = `${extra.length ? 'lag' : 'all'}-${n}`;
        const files = runShards(args, n, dir, tag);
        const merged = JSON.parse(fs.readFileSync(mergeRandomly(files, dir, rng(n)), 'utf8'));
        assert.deepEqual(merged.warnings, single.warnings, `${tag}: warnings`);
        const worst = worstDifference(single, merged);
        assert.ok(worst <= 1e-12, `${tag}: worst relative difference ${worst}`);
        const pieces = files.map((f) => JSON.parse(fs.readFileSync(f, 'utf8')).pieces[0] as Piece);
        if (extra.length) assert.ok(pieces.slice(1).every((p) => p.firstFrame > 0 && p.firstFrame < p.ownFrom), `overlaps ${pieces.map((p) => p.firstFrame)}`);
        // Each shard counts the moves into its own frames, and nothing else.
        for (const p of pieces) {
          const own = [...jumps].filter(([f]) => f >= p.ownFrom && f < p.ownTo).reduce((sum, [, atoms]) => sum + atoms.length, 0);
          assert.equal(p.meta.unwrap?.suspiciousMoves, own, `${tag}: shard owning ${p.ownFrom}–${p.ownTo - 1}`);
          assert.equal(p.meta.unwrap?.method, 'minimum-image');
        }
      }
      // Every planted move, counted over the whole run (not only the reader's first batch).
      assert.deepEqual(single.warnings.filter((w: string) => /atom move/.test(w)), [`${dump}: ${moves} atom move(s) between consecutive frames exceed 0.4 of a cell, first at selected frame ${firstJump}; minimum-image unwrapping cannot tell larger moves from moves the other way round the cell, so unwrapped coordinates may be wrong from there on: use frames closer in time or a file with image flags`]);
    });
  }

  it('a resumed run keeps the doubt of both segments, numbered over the run (the move into the restart frame is not seen)', () => {
    const args = ['transport', dump, '--units', 'lj', '--temperature', '1', '--timestep', '0.01', '--charges', '1:1,2:-1'];
    const checkpoint = path.join(dir, 'resume.checkpoint.json');
    cli([...args, '--stop', '60', '--checkpoint', checkpoint, '--json']);
    const resumed = JSON.parse(cli([...args, '--checkpoint', checkpoint, '--resume', '--json']));
    const seen = moves - (jumps.get(60)?.length ?? 0);
    assert.match(resumed.warnings[0], new RegExp(`: ${seen} atom move\\(s\\) .* first at selected frame ${firstJump};`));
    assert.ok(resumed.warnings.some((w: string) => w.startsWith('resumed from')));
  });

  it('shards written before the doubt was recorded: merged among themselves as before, mixed with newer ones refused', () => {
    const args = ['transport', dump, '--units', 'lj', '--temperature', '1', '--timestep', '0.01', '--charges', '1:1,2:-1'];
    const files = runShards(args, 2, dir, 'old');
    // An older shard: no meta.unwrap, the sentence (numbered from its own first frame) in its warnings.
    const old = (file: string, out: string) => {
      const partial = JSON.parse(fs.readFileSync(file, 'utf8'));
      const { unwrap, ...meta } = partial.pieces[0].meta;
      partial.pieces[0].meta = { ...meta, warnings: [`${dump}: ${unwrap.suspiciousMoves} atom move(s) between consecutive frames exceed 0.4 of a cell, first at selected frame 1; (older text)`, ...meta.warnings] };
      fs.writeFileSync(out, JSON.stringify(partial));
      return out;
    };
    const old0 = old(files[0], path.join(dir, 'old-0-legacy.json')), old1 = old(files[1], path.join(dir, 'old-1-legacy.json'));
    const r = runCli(['merge', old0, files[1], '--out', path.join(dir, 'never.json')]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /some older ones only as warning text; run the older shards again/);
    const legacy = JSON.parse(cli(['merge', old0, old1, '--out', path.join(dir, 'legacy.json'), '--json']));
    assert.equal(legacy.warnings.filter((w: string) => w.includes('(older text)')).length, 2);
  });
});
