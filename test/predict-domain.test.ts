// `ionfield predict` with the shipped shared model: the total error and its parts, the per-ion
// spread file, and the domain flag on systems far outside the family — a 3:1 salt and an
// ionic-liquid-like melt (real LAMMPS runs, scripts/fixtures/make-domain-fixtures.sh) and a family
// system compressed to 3× the family's highest density — while family systems are in domain.
// (Explicit solvent kept in: test/predict-ignore-species.test.ts.)
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readNpy } from '../lib/npy';
import { openTrajectory } from '../lib/trajectory';
import { runCli } from './helpers/cli';
import { repoRoot, tempDir } from './helpers/paths';

const model = path.join(repoRoot, 'data', 'models', 'default.onnx');
const fixtures = path.join(repoRoot, 'test', 'fixtures', 'domain');
const subset = path.join(repoRoot, 'data', 'family', 'subset');

interface Report {
  inDomain: boolean;
  lambdaMl: { value: number; error: number | null; parts: { sampling: number | null; model: number | null }; dominant: string | null; committeeSpread: number; calibration: { k: number; f: number; conformalFactor: number; likelihood: { k: number; f: number } } };
  domain: { score: number; threshold: number; species: string; inDomain: boolean; reasons: string[] };
  field: { path: string; shape: [number, number]; spreadPath: string } | null;
}

function predict(file: string, extra: string[] = []): { report: Report; stderr: string } {
  const r = runCli(['predict', file, '--model', model, '--json', ...extra]);
  assert.equal(r.status, 0, r.stderr);
  return { report: JSON.parse(r.stdout) as Report, stderr: r.stderr };
}

/** A family trajectory with every length shrunk by 3^(1/3): the same ions at three times the density. */
async function compressed(source: string, out: string, frames = 10): Promise<void> {
  const s = Math.cbrt(1 / 3);
  const lines: string[] = [];
  for await (const f of openTrajectory(source, { stop: frames, unwrap: false, batchSize: frames })) {
    const n = f.natoms;
    lines.push('ITEM: TIMESTEP', String(f.step), 'ITEM: NUMBER OF ATOMS', String(n), 'ITEM: BOX BOUNDS pp pp pp');
    for (let d = 0; d < 3; d++) lines.push(`0 ${s * f.box![4 * d]}`);
    lines.push('ITEM: ATOMS id type q x y z');
    for (let i = 0; i < n; i++) lines.push(`${i + 1} ${f.types![i]} ${f.charges![i]} ${s * (f.positions[3 * i] - f.origin[0])} ${s * (f.positions[3 * i + 1] - f.origin[1])} ${s * (f.positions[3 * i + 2] - f.origin[2])}`);
  }
  fs.writeFileSync(out, lines.join('\n') + '\n');
}

describe('ionfield predict: total error and domain flag (shipped shared model)', function () {
  this.timeout(120_000);

  it('family systems: in domain, total error = sampling ⊕ model, per-ion spreads written beside the field', () => {
    const files = fs.readdirSync(subset).filter((f) => f.endsWith('.xtc'));
    assert.ok(files.length >= 2);
    const dir = tempDir('ionfield-domain-');
    for (const f of files) {
      const out = path.join(dir, f.replace('.xtc', '.npy'));
      const { report: r, stderr } = predict(path.join(subset, f), ['--out', out]);
      assert.equal(r.inDomain, true, `${f}: ${r.domain.reasons.join('; ')}`);
      assert.doesNotMatch(stderr, /warning/);
      const { value, error, parts } = r.lambdaMl;
      assert.ok(value > 0 && error > 0);
      assert.ok(Math.abs(error - Math.hypot(parts.sampling, parts.model)) <= 1e-12 * error);
      assert.equal(r.lambdaMl.dominant, parts.model >= parts.sampling ? 'model' : 'sampling');
      // The model part is the calibration the JSON names: k·spread ⊕ f·Λ_ML, sized up from the likelihood fit.
      const c = r.lambdaMl.calibration;
      assert.ok(Math.abs(parts.model - Math.hypot(c.k * r.lambdaMl.committeeSpread, c.f * value)) <= 1e-12 * parts.model);
      assert.ok(c.conformalFactor >= 1 && Math.abs(c.f - c.conformalFactor * c.likelihood.f) <= 1e-12, JSON.stringify(c));
      const field = readNpy(out), spread = readNpy(r.field!.spreadPath);
      assert.deepEqual(spread.shape, field.shape);
      assert.deepEqual(field.shape, r.field!.shape);
      assert.ok((spread.data as Float32Array).every((v) => v >= 0 && Number.isFinite(v)));
    }
  });

  it('the field is in the file\'s atom order: the same ions listed in reverse give the same λ̂ per ion', async () => {
    // A 3:1 salt (cations first in the file): the model evaluates ions grouped by species, sorted
    // by charge label (anions first), and the field must still be written in file order, which is
    // what analyze assumes. Reversing the atoms must move each ion's λ̂ with the ion.
    const dir = tempDir('ionfield-order-');
    const source = path.join(fixtures, 'trivalent.xtc'), reversed = path.join(dir, 'reversed.lammpstrj');
    const lines: string[] = [];
    for await (const f of openTrajectory(source, { stop: 4, unwrap: false, batchSize: 4 })) {
      const n = f.natoms;
      lines.push('ITEM: TIMESTEP', String(f.step), 'ITEM: NUMBER OF ATOMS', String(n), 'ITEM: BOX BOUNDS pp pp pp');
      for (let d = 0; d < 3; d++) lines.push(`${f.origin[d]} ${f.origin[d] + f.box![4 * d]}`);
      lines.push('ITEM: ATOMS id type q x y z');
      for (let k = 0; k < n; k++) {
        const i = n - 1 - k;
        lines.push(`${k + 1} ${f.types![i]} ${f.charges![i]} ${f.positions[3 * i]} ${f.positions[3 * i + 1]} ${f.positions[3 * i + 2]}`);
      }
    }
    fs.writeFileSync(reversed, lines.join('\n') + '\n');
    const a = predict(source, ['--stop', '4', '--out', path.join(dir, 'a.npy')]).report;
    const b = predict(reversed, ['--out', path.join(dir, 'b.npy')]).report;
    const n = a.field!.shape[1];
    const atomsA = (a.field as unknown as { atoms: number[] }).atoms, atomsB = (b.field as unknown as { atoms: number[] }).atoms;
    for (const atoms of [atomsA, atomsB]) assert.deepEqual(atoms, Array.from({ length: n }, (_, i) => i), 'columns in file order');
    const fa = readNpy(path.join(dir, 'a.npy')).data as Float32Array, fb = readNpy(path.join(dir, 'b.npy')).data as Float32Array;
    const species = new Set<number>();
    for (let t = 0; t < 4; t++)
      for (let c = 0; c < n; c++) {
        const x = fa[t * n + c], y = fb[t * n + n - 1 - c]; // the same ion in the reversed file
        assert.ok(Math.abs(x - y) <= 1e-4 * Math.abs(x), `frame ${t}, atom ${atomsA[c]}: ${x} vs ${y}`);
        species.add(Math.round(1000 * x));
      }
    assert.ok(species.size > 1, 'the ions do not all have one value');
  });

  for (const [name, what] of [['trivalent', 'a 3:1 salt'], ['melt', 'an ionic-liquid-like melt']] as const) {
    it(`${what} (${name}.xtc, real LAMMPS) is flagged: warning on stderr, "inDomain": false, exit 0`, () => {
      const { report: r, stderr } = predict(path.join(fixtures, `${name}.xtc`));
      assert.equal(r.inDomain, false);
      assert.ok(r.domain.score > r.domain.threshold, `score ${r.domain.score}`);
      assert.match(stderr, /ionfield predict: warning: .* is outside the model's training domain/);
      // The domain names the flagged ions by the file's label of the +3 species.
      if (name === 'trivalent') assert.equal(r.domain.species, Object.keys(r.species).find((k) => r.species[k].charge === 3));
    });
  }

  it('a family system compressed to 3× the family\'s highest density is flagged', async () => {
    const dir = tempDir('ionfield-dense-');
    const file = path.join(dir, 'dense.lammpstrj');
    await compressed(path.join(subset, 's11-lb2-rho0.4.xtc'), file);
    const { report: r } = predict(file);
    assert.equal(r.inDomain, false);
    assert.ok(r.domain.score > r.domain.threshold, `score ${r.domain.score}`);
  });

  it('an all-atom electrolyte in nm (the GROMACS LiPF6/SPC-E example): flagged, and no error bar rather than ± 0', () => {
    // Its inputs are so far out (lengths in nm, water kept in) that every frame's Λ reads 0: an
    // error of 0 would claim certainty, so the error and its parts are null.
    const dir = path.join(repoRoot, 'data', 'lipf6-water');
    const { report: r, stderr } = predict(path.join(dir, 'production-stride3.xtc'), ['--topology', path.join(dir, 'topol.top'), '--stop', '5']);
    assert.equal(r.inDomain, false);
    assert.match(stderr, /outside the model's training domain/);
    if (!(r.lambdaMl.value > 0)) {
      assert.equal(r.lambdaMl.error, null);
      assert.deepEqual(r.lambdaMl.parts, { sampling: null, model: null });
      assert.equal(r.lambdaMl.dominant, null);
      assert.ok(r.domain.reasons.some((x) => /not positive/.test(x)));
    } else assert.ok(r.lambdaMl.error! > 0, 'a positive Λ_ML carries a positive error');
  });
});
