// One vocabulary across commands (issue 19): every JSON key ionfield writes is camelCase (data keys
// such as species labels aside), every command names species by the trajectory's own labels with
// the charge as an attribute, Λ carries one unit string, and files written before the change
// (schemas ionfield.*/1 with snake_case keys) are still read.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { upgradeLegacyDocument } from '../lib/legacy-document';
import { readModel, defaultModelPath } from '../lib/model/predict';
import { speciesTable } from '../lib/model/species-table';

const root = path.resolve(__dirname, '..');
const cli = path.join(root, 'bin', 'ionfield.js');
const demo = path.join(root, 'data', 'demo', 'electrolyte.lammpstrj.gz');
const legacy = path.join(root, 'test', 'fixtures', 'legacy');
const run = (args: string[], cwd = root) => execFileSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const json = (args: string[]) => JSON.parse(run(args)) as Record<string, unknown>;

/**
 * Paths of keys that are neither camelCase nor data. Data keys are the labels a result is keyed
 * by: species (and pairs of them, "a|b" or "a-b"), integers (histogram bins), and the names of
 * estimators that are also option values ("whole-trajectory").
 */
function foreignKeys(doc: unknown, labels: string[]): string[] {
  const data = new Set(labels);
  const isData = (k: string) => data.has(k) || /^\d+$/.test(k) || k === 'whole-trajectory'
    || k.split(/[|-]/).every((part) => data.has(part));
  const bad: string[] = [];
  (function walk(v: unknown, at: string) {
    if (Array.isArray(v)) return v.forEach((x) => walk(x, `${at}[]`));
    if (v === null || typeof v !== 'object') return;
    for (const [k, x] of Object.entries(v)) {
      if (!/^[a-z][a-zA-Z0-9]*$/.test(k) && !isData(k)) bad.push(`${at}.${k}`);
      walk(x, `${at}.${k}`);
    }
  })(doc, '');
  return [...new Set(bad)];
}

describe('one vocabulary in every JSON output (issue 19)', function () {
  this.timeout(300000);
  let dir: string;
  const out: Record<string, Record<string, unknown>> = {};

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ionfield-vocabulary-'));
    const field = path.join(dir, 'field.npy');
    out.info = json(['info', demo, '--json']);
    out.transport = json(['transport', demo, '--units', 'lj', '--temperature', '1', '--stop', '400', '--json']);
    out.predict = json(['predict', demo, '--stop', '400', '--out', field, '--json']);
    out.analyze = json(['analyze', demo, '--field', field, '--stop', '400', '--out', path.join(dir, 'analysis'), '--json']);
    out.descriptors = json(['descriptors', demo, '--set', 'compact', '--stop', '3', '--out', path.join(dir, 'd.npy'), '--json']);
    out.columns = JSON.parse(fs.readFileSync(path.join(dir, 'd.columns.json'), 'utf8'));
    const config = path.join(dir, 'alloy.json');
    fs.writeFileSync(config, JSON.stringify({
      schema: 'ionfield.kinosons-config/1', lattice: 'fcc', supercell: 3, vacancies: 1, seed: 3, temperatures: [1000],
      species: [{ name: 'A', fraction: 0.5, nu: 1e13, e0: 0.7 }, { name: 'B', fraction: 0.5, nu: 1e13, e0: 0.8 }],
      kmc: { steps: 4000, trajectories: 4 }, states: { training: 40, validation: 40 }, models: [{ name: 'vacancy-shells-2', vacancyShells: 2 }],
    }));
    out.kmc = json(['kinosons', 'kmc', '--config', config, '--json']);
  });

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes camelCase keys only (besides species labels, pairs and bins)', () => {
    const labels = ['1', '2', 'A', 'B'];
    const offenders = Object.entries(out).flatMap(([name, doc]) => foreignKeys(doc, labels).map((k) => `${name}${k}`));
    assert.deepEqual(offenders, []);
  });

  it('names species by the file labels, with the charge as an attribute, in every command', () => {
    const transportSpecies = (out.transport.species as { label: string; charge: number }[]).map((s) => [s.label, s.charge]);
    const predictSpecies = Object.entries(out.predict.species as Record<string, { charge: number }>).map(([k, v]) => [k, v.charge]);
    assert.deepEqual(predictSpecies, transportSpecies);
    assert.deepEqual(Object.keys(out.info.species as object), transportSpecies.map(([l]) => l));
    const analysed = [...new Set((out.analyze.distributions as { species: string }[]).map((d) => d.species))];
    assert.deepEqual(analysed, transportSpecies.map(([l]) => l));
    const field = (out.predict.field as { species: string[] }).species;
    assert.deepEqual([...new Set(field)].sort(), transportSpecies.map(([l]) => l).sort());
    assert.match(String((out.predict.domain as { species: string }).species), /^[12](\/[12])?$/);
  });

  it('gives Λ of transport and Λ_ML of predict one unit string', () => {
    const transportUnits = (out.transport.molarConductivity as { units: string }).units;
    assert.equal((out.predict.lambdaMl as { units: string }).units, transportUnits);
  });

  it('bumped every schema whose keys changed (kinosons kept theirs: they were camelCase)', () => {
    assert.equal(out.transport.schema, 'ionfield.transport/2');
    assert.equal(out.predict.schema, 'ionfield.predict/2');
    assert.equal(out.analyze.schema, 'ionfield.analysis/2');
    assert.equal(out.info.schema, 'ionfield.info/2');
    assert.equal(out.kmc.schema, 'ionfield.kinosons.kmc/2');
  });
});

describe('files written before the camelCase keys (schemas */1) are still read', function () {
  this.timeout(180000);

  it('renames recorded keys only, keeps data keys, and leaves current and kinosons documents alone', () => {
    const v1 = { schema: 'ionfield.predict/1', lambda_ml: { value: 1, block_frames: 4 }, species: { __proto__x: 1, Li_ion: { lambda_mean: 2 } } };
    const doc = JSON.parse(JSON.stringify(v1).replace('__proto__x', '__proto__')) as Record<string, unknown>;
    const up = upgradeLegacyDocument(doc) as Record<string, unknown>;
    assert.equal(up.schema, 'ionfield.predict/2');
    assert.deepEqual(up.lambdaMl, { value: 1, blockFrames: 4 });
    const species = up.species as Record<string, unknown>;
    assert.deepEqual(Object.keys(species), ['__proto__', 'Li_ion']);
    assert.deepEqual(species.Li_ion, { lambdaMean: 2 });
    const current = { schema: 'ionfield.predict/2', lambda_ml: 1 };
    assert.equal(upgradeLegacyDocument(current), current);
    const kinosons = { schema: 'ionfield.kinosons.fit/1', some_key: 1 };
    assert.equal(upgradeLegacyDocument(kinosons), kinosons);
  });

  it('reports a version-1 transport and predict result', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ionfield-legacy-'));
    try {
      const html = path.join(dir, 'r.html');
      run(['report', path.join(legacy, 'transport-v1.json'), path.join(legacy, 'predict-v1.json'), '--out', html]);
      const text = fs.readFileSync(html, 'utf8');
      assert.match(text, /Λ_ML/);
      assert.match(text, /molar conductivity/i);
      assert.doesNotMatch(text, /undefined|NaN/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads a version-1 descriptor set and a version-1 topology', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ionfield-legacy-'));
    try {
      const d = JSON.parse(run(['descriptors', demo, '--set', path.join(legacy, 'descriptor-set-v1.json'), '--stop', '2', '--out', path.join(dir, 'd.npy'), '--json'])) as { features: Record<string, number> };
      assert.equal(d.features['1'], 16);
      const xtc = path.join(root, 'data', 'family', 's11-lb2-rho0.1.xtc');
      const t = JSON.parse(run(['transport', xtc, '--topology', path.join(legacy, 's11-lb2-rho0.1.topology-v1.json'), '--units', 'lj', '--temperature', '1', '--stop', '60', '--json'])) as { species: { label: string; charge: number }[] };
      assert.deepEqual(t.species.map((s) => Math.abs(s.charge)), [1, 1]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads the shipped model, exported with version-1 metadata', () => {
    const model = readModel(defaultModelPath());
    assert.equal(model.metadata.schema, 'ionfield.model/2');
    assert.ok(model.metadata.shared && Array.isArray(model.metadata.shared.domainColumns));
  });
});

describe('predict species table', () => {
  it('groups ions by file label, lists only labels present, splits a label whose ions differ in charge', () => {
    const t = speciesTable({ types: ['Na', 'Cl', 'Na', 'X', 'X', '__proto__'], charges: [1, -1, 1, 1, 2, -1] }, [2, 4, 6, 1, 3, 5], 2, 0.5);
    assert.deepEqual(Object.keys(t).sort(), ['Cl', 'Na', 'X:+1', 'X:+2', '__proto__']);
    assert.deepEqual(t.Na, { charge: 1, ions: 2, lambdaMean: (0.5 * 8) / (2 * 2) });
    assert.deepEqual(t['X:+2'], { charge: 2, ions: 1, lambdaMean: (0.5 * 3) / 2 });
    assert.equal(t.__proto__.charge, -1);
  });
});
