// `ionfield importance` on a synthetic dataset whose truth uses features 0 and 1 and ignores 2:
// the trained model's permutation importance must rank them so, through ONNX Runtime and the CLI.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli } from './helpers/cli';
import { tempDir } from './helpers/paths';
import { writeSyntheticDataset } from './helpers/synthetic-dataset';

interface Report {
  schema: string;
  systems: string[];
  species: { species: string; rows: number; features: { feature: string; increase: number; error: number }[] }[];
}

describe('ionfield importance (permutation importance of a trained model)', function () {
  this.timeout(120_000);
  const dir = tempDir('ionfield-importance-');
  const data = path.join(dir, 'ds');
  const model = path.join(dir, 'model.onnx');
  before(() => {
    writeSyntheticDataset(data, [
      { name: 'a', frames: 60, ions: { '1': 12, '2': 12 }, noise: 0.2, seed: 1 },
      { name: 'b', frames: 60, ions: { '1': 8, '2': 16 }, noise: 0.2, seed: 2 },
      { name: 'c', frames: 60, ions: { '1': 16, '2': 8 }, noise: 0.2, seed: 3 },
    ]);
    const r = runCli(['train', data, '--holdout', 'c', '--out', model, '--epochs', '40', '--hidden', '16,16', '--lr', '3e-3', '--json']);
    assert.equal(r.status, 0, r.stderr);
  });

  it('ranks the features the truth uses above the one it ignores, for every species, and writes --out', () => {
    const out = path.join(dir, 'importance.json');
    const r = runCli(['importance', data, '--model', model, '--systems', 'c', '--repeats', '4', '--out', out, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const rep = JSON.parse(r.stdout) as Report;
    assert.equal(rep.schema, 'ionfield.importance/2');
    assert.deepEqual(rep.systems, ['c']);
    assert.deepEqual(JSON.parse(fs.readFileSync(out, 'utf8')), rep);
    for (const s of rep.species) {
      assert.equal(s.rows, 60 * (s.species === '1' ? 16 : 8));
      const rank = s.features.map((f) => f.feature);
      assert.equal(rank[2], `G2_${s.species}_2`, `species ${s.species}: the unused feature must be last, got ${rank.join(', ')}`);
      const unused = s.features[2].increase;
      const used = Math.min(s.features[0].increase, s.features[1].increase);
      assert.ok(used > 10 * Math.abs(unused), `species ${s.species}: used ${used} vs unused ${unused}`);
    }
    // Species 1's truth is 0.6 tanh(u) − 0.2 v²: shuffling u costs about 2·Var(0.6 tanh u) ≈ 0.28,
    // shuffling v about 2·Var(0.2 v²) ≈ 0.16, so u comes first.
    assert.equal(rep.species.find((s) => s.species === '1')!.features[0].feature, 'G2_1_0');
  });

  it('refuses a dataset whose τ differs from the model\'s, and an unknown system, saying what differs', () => {
    const other = path.join(dir, 'ds-tau');
    fs.cpSync(data, other, { recursive: true });
    const manifest = JSON.parse(fs.readFileSync(path.join(other, 'dataset.json'), 'utf8'));
    manifest.tau = 2 * manifest.tau;
    fs.writeFileSync(path.join(other, 'dataset.json'), JSON.stringify(manifest));
    const r = runCli(['importance', other, '--model', model]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /tau: the model predicts λ at τ = \S+, the dataset's targets are at τ = \S+/);
    const u = runCli(['importance', data, '--model', model, '--systems', 'nope']);
    assert.notEqual(u.status, 0);
    assert.match(u.stderr, /no system named 'nope' \(systems: a, b, c\)/);
  });
});
