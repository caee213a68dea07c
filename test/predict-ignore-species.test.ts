// `ionfield predict --ignore-species`: atoms of the listed file species (explicit solvent, say) are
// left out entirely. The check: the demo electrolyte with 150 neutral atoms added at random places
// must give, with those atoms ignored, exactly the field of the demo itself; without the flag the
// shipped (shared) model takes the solvent as neighbours and flags the system as outside its domain.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readNpy } from '../lib/npy';
import { openTrajectory } from '../lib/trajectory';
import { runCli, runCliJson } from './helpers/cli';
import { repoRoot, tempDir } from './helpers/paths';
import { rng } from './helpers/synthetic-dataset';

const demo = path.join(repoRoot, 'data', 'demo', 'electrolyte.lammpstrj.gz');
const model = path.join(repoRoot, 'data', 'models', 'default.onnx');
const FRAMES = 12;
const SOLVENT = 150;

// The first frames of the demo as a LAMMPS dump, with SOLVENT atoms of type 9 (q = 0) after the ions.
async function writeWithSolvent(file: string): Promise<void> {
  const batch = (await openTrajectory(demo, { stop: FRAMES, unwrap: false, batchSize: FRAMES }).batches().next()).value!;
  const random = rng(17);
  const n = batch.natoms;
  const out: string[] = [];
  for (let t = 0; t < batch.frames; t++) {
    const box = batch.boxes!.subarray(t * 9, t * 9 + 9);
    const o = batch.origins.subarray(t * 3, t * 3 + 3);
    out.push('ITEM: TIMESTEP', String(batch.steps[t]), 'ITEM: NUMBER OF ATOMS', String(n + SOLVENT), 'ITEM: BOX BOUNDS pp pp pp');
    for (let d = 0; d < 3; d++) out.push(`${o[d]} ${o[d] + box[d * 3 + d]}`);
    out.push('ITEM: ATOMS id type q xu yu zu');
    for (let i = 0; i < n; i++) {
      const x = batch.positions.subarray((t * n + i) * 3, (t * n + i) * 3 + 3);
      out.push(`${i + 1} ${batch.types![i]} ${batch.charges![i]} ${x[0]} ${x[1]} ${x[2]}`);
    }
    for (let j = 0; j < SOLVENT; j++) out.push(`${n + j + 1} 9 0 ${o[0] + random() * box[0]} ${o[1] + random() * box[4]} ${o[2] + random() * box[8]}`);
  }
  fs.writeFileSync(file, out.join('\n') + '\n');
}

describe('ionfield predict --ignore-species (CLI, shipped model)', function () {
  this.timeout(120_000);
  let dir = '';
  let solvated = '';
  before(async () => {
    dir = tempDir('ionfield-ignore-');
    solvated = path.join(dir, 'solvated.lammpstrj');
    await writeWithSolvent(solvated);
  });

  it('without the flag the neutral solvent is a neighbour, and the shipped model says the system is outside its domain', () => {
    const r = runCli(['predict', solvated, '--model', model, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const p = JSON.parse(r.stdout);
    assert.equal(p.inDomain, false);
    assert.equal(p.domain.inDomain, false);
    assert.ok(p.domain.score > p.domain.threshold, `domain score ${p.domain.score}`);
    assert.match(r.stderr, /warning: .*solvated\.lammpstrj is outside the model's training domain/);
    // Neutral atoms are neighbours, not centres: the ions are the demo's.
    assert.equal(p.ions, 100);
  });

  it('with the solvent ignored, the field is the demo field itself (the solvent is no neighbour either)', () => {
    const plain = path.join(dir, 'plain.npy');
    const ignored = path.join(dir, 'ignored.npy');
    const a = runCliJson<{ ions: number; lambdaMl: { value: number }; ignored: Record<string, number> }>(['predict', demo, '--model', model, '--stop', String(FRAMES), '--out', plain, '--json']);
    const b = runCliJson<{ ions: number; lambdaMl: { value: number }; ignored: Record<string, number> }>(['predict', solvated, '--model', model, '--ignore-species', '9', '--out', ignored, '--json']);
    assert.deepEqual(b.ignored, { '9': SOLVENT });
    assert.deepEqual(a.ignored, {});
    assert.equal(b.ions, a.ions);
    const fa = readNpy(plain).data as Float32Array;
    const fb = readNpy(ignored).data as Float32Array;
    assert.equal(fb.length, fa.length);
    let worst = 0;
    for (let i = 0; i < fa.length; i++) worst = Math.max(worst, Math.abs(fa[i] - fb[i]));
    // Same positions to the printed precision of the dump: agreement to float32 rounding.
    assert.ok(worst < 1e-5, `largest difference ${worst}`);
    assert.ok(Math.abs(a.lambdaMl.value - b.lambdaMl.value) < 1e-5);
  });

  it('the solvent does change the field when it is not ignored (else the test above could not fail)', async () => {
    // Relabel the solvent as anions (type 2, q = -1): now it counts as neighbours and centres.
    const relabelled = path.join(dir, 'relabelled.lammpstrj');
    fs.writeFileSync(relabelled, fs.readFileSync(solvated, 'utf8').replace(/^(\d+) 9 0 /gm, '$1 2 -1 '));
    const c = runCliJson<{ ions: number; lambdaMl: { value: number } }>(['predict', relabelled, '--model', model, '--json']);
    const a = runCliJson<{ ions: number; lambdaMl: { value: number } }>(['predict', demo, '--model', model, '--stop', String(FRAMES), '--json']);
    assert.equal(c.ions, a.ions + SOLVENT);
    assert.ok(Math.abs(c.lambdaMl.value - a.lambdaMl.value) > 1e-3);
  });

  it('an unknown species in --ignore-species is bad input naming it', () => {
    const r = runCli(['predict', solvated, '--model', model, '--ignore-species', '7']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /--ignore-species 7: no such species in the file \(it has 1, 2, 9\)/);
  });
});
