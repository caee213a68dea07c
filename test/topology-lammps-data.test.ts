// The LAMMPS data file reader (lib/topology/lammps-data.ts) on small hand-written files: each atom
// style it reads, the style inferred from the column count, type labels, molecule ID 0, comments
// and skipped sections; and molecular species built from them (lib/topology/molecules.ts).
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { looksLikeLammpsData, readLammpsData } from '../lib/topology/lammps-data';
import { loadTopology } from '../lib/topology/load';
import { molecularSystem, parseMoleculeNames } from '../lib/topology/molecules';
import { tempDir } from './helpers/paths';

function write(text: string): string {
  const file = path.join(tempDir(), 'x.data');
  fs.writeFileSync(file, text);
  return file;
}

const header = (atoms: number, extra = '') => `title line\n\n${atoms} atoms\n3 atom types\n${extra}\n0 10 xlo xhi\n0 10 ylo yhi\n0 10 zlo zhi\n\nMasses\n\n1 1.0\n2 2.0\n3 3.0\n\n`;

describe('LAMMPS data file topology', () => {
  it('reads Atoms # full with image flags, Bonds, and skips Velocities and coefficients; atoms in ID order', () => {
    const file = write(header(4, '1 bonds\n1 bond types') + `Pair Coeffs # lj/cut\n\n1 0.1 1\n2 0.1 1\n3 0.1 1\n\nAtoms # full\n\n4 2 3 -1.0 1 1 1 0 0 0\n2 1 2 0.5 9.5 1 1 1 0 0\n1 1 1 -0.5 0.2 1 1 0 0 0 # a comment\n3 0 3 1.0 5 5 5 0 0 0\n\nVelocities\n\n1 0 0 0\n2 0 0 0\n3 0 0 0\n4 0 0 0\n\nBonds\n\n1 1 2 1\n`);
    assert.ok(looksLikeLammpsData(file));
    const d = readLammpsData(file);
    assert.equal(d.style, 'full');
    assert.deepEqual(d.ids, [1, 2, 3, 4]);
    assert.deepEqual(d.types, ['1', '2', '3', '3']);
    assert.deepEqual(Array.from(d.charges!), [-0.5, 0.5, 1, -1]);
    assert.deepEqual(Array.from(d.masses!), [1, 2, 3, 3]);
    // Molecule ID 0: atom 3 is a molecule of its own; molecule IDs compact in ID order.
    assert.deepEqual(Array.from(d.molecules!), [0, 0, 1, 2]);
    assert.deepEqual(Array.from(d.bonds), [1, 0]);
  });

  it('reads # charge (no molecules), # molecular (no charges) and # atomic', () => {
    const charge = readLammpsData(write(header(2) + 'Atoms # charge\n\n1 1 0.5 1 1 1\n2 2 -0.5 2 2 2\n'));
    assert.equal(charge.molecules, null);
    assert.deepEqual(Array.from(charge.charges!), [0.5, -0.5]);
    const molecular = readLammpsData(write(header(2) + 'Atoms # molecular\n\n1 7 1 1 1 1\n2 7 2 2 2 2\n'));
    assert.equal(molecular.charges, null);
    assert.deepEqual(Array.from(molecular.molecules!), [0, 0]);
    const atomic = readLammpsData(write(header(2) + 'Atoms # atomic\n\n1 1 1 1 1\n2 2 2 2 2\n'));
    assert.equal(atomic.style, 'atomic');
    assert.deepEqual(atomic.types, ['1', '2']);
  });

  it('infers full (7 or 10 columns) and atomic (5 or 8) without a style comment, and refuses 6 columns', () => {
    assert.equal(readLammpsData(write(header(1) + 'Atoms\n\n1 1 1 0.5 1 1 1 0 0 0\n')).style, 'full');
    assert.equal(readLammpsData(write(header(1) + 'Atoms\n\n1 1 1 1 1\n')).style, 'atomic');
    assert.throws(() => readLammpsData(write(header(1) + 'Atoms\n\n1 1 1 1 1 1\n')), /x\.data:\d+: the Atoms section has no style comment and 6 columns/);
  });

  it('takes type labels from Atom Type Labels, else from one-word Masses comments', () => {
    const labelled = header(2).replace('1 1.0\n2 2.0\n3 3.0', '1 1.0 # Li\n2 2.0 # P\n3 3.0 # F') + 'Atoms # full\n\n1 1 1 1 1 1 1\n2 2 2 -1 2 2 2\n';
    assert.deepEqual(readLammpsData(write(labelled)).typeLabels, { 1: 'Li', 2: 'P', 3: 'F' });
    const section = header(1) + 'Atom Type Labels\n\n1 Na\n2 Cl\n3 Ow\n\nAtoms # full\n\n1 1 1 1 1 1 1\n';
    const t = loadTopology(write(section));
    assert.deepEqual(t.types, ['Na']);
    assert.equal(t.typeIds![0], '1');
  });

  it('names molecular species: formula from labels, mol_ names from numbers, rules by type sets or composition', () => {
    const text = header(8, '4 bonds\n1 bond types').replace('1 1.0\n2 2.0\n3 3.0', '1 6.94 # Li\n2 31.0 # P\n3 19.0 # F') +
      'Atoms # full\n\n1 1 1 1.0 1 1 1\n2 2 2 0.5 5 5 5\n3 2 3 -0.375 5.5 5 5\n4 2 3 -0.375 4.5 5 5\n5 2 3 -0.375 5 5.5 5\n6 2 3 -0.375 5 4.5 5\n7 3 1 1.0 8 8 8\n8 4 1 1.0 2 2 2\n\nBonds\n\n1 1 2 3\n2 1 2 4\n3 1 2 5\n4 1 2 6\n';
    const file = write(text);
    const s = molecularSystem(loadTopology(file));
    assert.deepEqual(s.species.map((x) => [x.name, x.count, x.netCharge]), [['Li', 3, 1], ['PF4', 1, -1]]);
    assert.deepEqual(s.speciesOf, ['Li', 'PF4', 'Li', 'Li']);
    const renamed = molecularSystem(loadTopology(file), parseMoleculeNames('types 2-3=anion,1=cation'));
    assert.deepEqual(renamed.species.map((x) => x.name), ['cation', 'anion']);
    const unlabelled = molecularSystem(loadTopology(write(text.replace(/ # (Li|P|F)/g, ''))));
    assert.deepEqual(unlabelled.species.map((x) => x.name), ['mol_1', 'mol_2_3x4']);
    assert.deepEqual(molecularSystem(loadTopology(write(text.replace(/ # (Li|P|F)/g, ''))), parseMoleculeNames('mol_2_3x4=PF4')).species.map((x) => x.name), ['mol_1', 'PF4']);
  });

  it('refuses malformed name rules', () => {
    assert.throws(() => parseMoleculeNames('1-3'), /expected SPEC=NAME/);
    assert.throws(() => parseMoleculeNames('3-1=X'), /empty type range/);
    assert.throws(() => parseMoleculeNames('1=a b'), /may not contain spaces/);
  });

  it('names the file and line of what it cannot use', () => {
    assert.throws(() => readLammpsData(write(header(2) + 'Atoms # full\n\n1 1 1 1 1 1 1\n')), /x\.data:\d+: file ends inside the Atoms section: expected 2 lines, found 1/);
    assert.throws(() => readLammpsData(write(header(1) + 'Atoms # full\n\n1 1 1 q 1 1 1\n')), /x\.data:\d+: expected a charge \(a number\), got 'q'/);
    assert.throws(() => readLammpsData(write(header(1) + 'Atoms # full\n\n1 1 1 0 1 1 1\n\nFoo Bar\n\n1 2\n')), /x\.data:\d+: expected a section keyword \(Atoms, Masses, Bonds, \.\.\.\), got 'Foo Bar'/);
    assert.throws(() => readLammpsData(write(header(1).replace('2 2.0\n', '2 -2.0\n') + 'Atoms # full\n\n1 1 1 0 1 1 1\n')), /x\.data:\d+: expected 'type mass' with a positive mass/);
    assert.throws(() => readLammpsData(write('title\n\n3 atom types\n\nAtoms # full\n\n')), /x\.data:\d+: expected "N atoms" in the header/);
    assert.throws(() => readLammpsData(write(header(1))), /x\.data: no Atoms section/);
  });
});
