// Commands other than transport on molecular centres (--topology with molecules): descriptors
// have one row per molecule with the solvent as a species of its own, dataset's λ_i of molecular
// ions keep the sum rule to round-off, and a model trained on them predicts per molecule. The JSON says which centres were used.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readNpy } from '../lib/npy';
import { runCli, runCliJson } from './helpers/cli';
import { fixturesDir, tempDir } from './helpers/paths';

const dir = path.join(fixturesDir, 'molecules');
const data = path.join(dir, 'electrolyte.data');
const dump = path.join(dir, 'electrolyte.lammpstrj.gz');

describe('descriptors and dataset on molecular centres', function () {
  this.timeout(180_000);

  it('report: a molecular transport result shows its centres, molecular species and the atomic-charge σ', () => {
    const tmp = tempDir();
    const json = path.join(tmp, 'transport.json');
    fs.writeFileSync(json, runCli(['transport', dump, '--topology', data, '--temperature', '350', '--units', 'real', '--timestep', '0.5', '--json']).stdout);
    const html = path.join(tmp, 'report.html');
    runCliJson(['report', json, '--out', html]);
    const text = fs.readFileSync(html, 'utf8');
    assert.match(text, /centres of mass of molecules \(electrolyte\.data\): OH2 = OH2, 3 atoms, net charge 0; BF4 = BF4, 5 atoms, net charge -1; Li = Li, 1 atoms, net charge 1/);
    assert.match(text, /σ from atomic partial charges/);
  });

  it('convert --centres molecules writes the centres; transport of that file equals the molecular transport', () => {
    const tmp = tempDir();
    const xyz = path.join(tmp, 'centres.xyz');
    const c = runCliJson<{ centres: string; atoms: number }>(['convert', dump, xyz, '--topology', data, '--centres', 'molecules']);
    assert.equal(c.centres, 'molecules');
    assert.equal(c.atoms, 84);
    const common = ['--temperature', '350', '--units', 'real', '--timestep', '0.5'];
    const fromCentres = runCliJson<{ diffusion: Record<string, { value: number }>; conductivity: { value: number } }>(['transport', xyz, ...common]);
    const molecular = runCliJson<{ diffusion: Record<string, { value: number }>; conductivity: { value: number } }>(['transport', dump, '--topology', data, ...common]);
    for (const s of ['Li', 'BF4', 'OH2']) assert.ok(Math.abs(fromCentres.diffusion[s].value - molecular.diffusion[s].value) < 1e-6 * molecular.diffusion[s].value, s);
    assert.ok(Math.abs(fromCentres.conductivity.value - molecular.conductivity.value) < 1e-6 * molecular.conductivity.value);
    // Without --centres, convert keeps atoms even when the topology has molecules.
    const atoms = runCliJson<{ centres: string; atoms: number }>(['convert', dump, path.join(tmp, 'atoms.xyz'), '--topology', data, '--stop', '2']);
    assert.equal(atoms.centres, 'atoms');
    assert.equal(atoms.atoms, 252);
  });

  it('info --topology summarises the molecules and checks the atom count', () => {
    const r = runCliJson<{ centres: string; molecules: { species: { name: string; count: number; netCharge: number }[] }; warnings: string[] }>(['info', dump, '--topology', data]);
    assert.equal(r.centres, 'molecules');
    assert.deepEqual(r.molecules.species.map((s) => [s.name, s.count, s.netCharge]), [['OH2', 60, 0], ['BF4', 12, -1], ['Li', 12, 1]]);
    assert.deepEqual(r.warnings, []);
  });

  it('descriptors: one row per molecule, solvent molecules as centres and neighbours of their own species', () => {
    const out = path.join(tempDir(), 'd.npy');
    const r = runCliJson<{ centres: string; rows: number; shape: number[]; features: Record<string, number>; molecules: { species: { name: string; count: number }[] } }>(
      ['descriptors', dump, '--topology', data, '--set', 'compact', '--scale', '2', '--stop', '3', '--out', out]);
    assert.equal(r.centres, 'molecules');
    assert.equal(r.rows, 84);  // 12 Li + 12 BF4 + 60 solvent molecules
    assert.deepEqual(Object.keys(r.features).sort(), ['BF4', 'Li', 'OH2']);
    const atoms = runCliJson<{ centres: string; rows: number }>(['descriptors', dump, '--topology', data, '--centres', 'atoms', '--set', 'compact', '--scale', '2', '--stop', '3', '--out', path.join(tempDir(), 'a.npy')]);
    assert.equal(atoms.centres, 'atoms');
    assert.equal(atoms.rows, 252);
    // Centred on a named atom of BF4 (its B) instead of its centre of mass: other features, same rows.
    const named = path.join(tempDir(), 'b.npy');
    const b = runCliJson<{ rows: number; molecules: { species: { name: string; centre: string }[] } }>(['descriptors', dump, '--topology', data, '--centre-atoms', 'BF4=B', '--set', 'compact', '--scale', '2', '--stop', '3', '--out', named]);
    assert.equal(b.rows, 84);
    assert.equal(b.molecules.species.find((s) => s.name === 'BF4')!.centre, 'atom B');
    const x = readNpy(out).data, y = readNpy(named).data;
    assert.equal(x.length, y.length);
    assert.ok(x.some((v, i) => v !== y[i]));
  });

  it('dataset: λ_i of molecular ions sum to the Einstein–Helfand value at τ (sum rule to round-off)', () => {
    const out = path.join(tempDir(), 'ds');
    const r = runCliJson<{ centres: string; systems: { frames: number; sumRuleRelativeError: number }[]; maxSumRuleRelativeError: number }>(
      ['dataset', dump, '--topology', data, '--set', 'compact', '--scale', '2', '--tau', '1000', '--timestep', '0.5', '--temperature', '350', '--no-transport', '--stop', '60', '--out', out]);
    assert.equal(r.centres, 'molecules');
    assert.equal(r.systems[0].frames, 50);
    assert.ok(r.maxSumRuleRelativeError < 1e-12, String(r.maxSumRuleRelativeError));
    const lambda = readNpy(path.join(out, 'electrolyte', 'lambda-BF4.npy'));
    assert.deepEqual(lambda.shape, [50, 12]);
    // The solvent carries no charge: its λ is zero.
    const solvent = readNpy(path.join(out, 'electrolyte', 'lambda-OH2.npy'));
    assert.ok(Array.from(solvent.data as Float64Array).every((v) => v === 0));
    // A model trained on the molecular dataset predicts λ̂ for every molecule of the trajectory.
    const model = path.join(tempDir(), 'm.onnx');
    runCliJson(['train', out, '--holdout', '', '--out', model, '--epochs', '2', '--hidden', '4']);
    const field = path.join(tempDir(), 'field.npy');
    const p = runCliJson<{ centres: string; ions: number; frames: number }>(['predict', dump, '--model', model, '--topology', data, '--units', 'lj', '--stop', '10', '--out', field]);
    assert.equal(p.centres, 'molecules');
    assert.equal(p.ions, 84);
    assert.equal(p.frames, 10);
    // analyze reads the same molecular centres for the field's columns (g(r) between molecular species).
    const a = runCliJson<{ centres: string; ions: number; structure: { curves: { a: string; b: string }[] } }>(['analyze', dump, '--field', field, '--topology', data, '--stop', '10', '--r-max', '8', '--out', path.join(tempDir(), 'an')]);
    assert.equal(a.centres, 'molecules');
    assert.equal(a.ions, 84);
    assert.ok(a.structure.curves.some((c) => c.a === 'BF4' && c.b === 'Li') || a.structure.curves.some((c) => c.a === 'Li' && c.b === 'BF4'));
  });
});
