// The local-conductivity model from the TypeScript side: dataset folders in, ONNX out, ONNX Runtime
// agreeing with the native forward pass, and a known conditional mean recovered on held-out systems.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { native } from '../lib/native';
import { loadDatasets } from '../lib/model/dataset';
import { trainModel } from '../lib/model/train';
import { tempDir } from './helpers/paths';
import { FEATURES, truth, writeSyntheticDataset } from './helpers/synthetic-dataset';

describe('model: training, ONNX export and ONNX Runtime', function () {
  this.timeout(120_000);
  let folder: string;
  before(() => {
    folder = writeSyntheticDataset(path.join(tempDir('ionfield-model-'), 'ds'), [
      { name: 'a', frames: 60, ions: { '1': 8, '2': 8 }, noise: 1.0, seed: 1 },
      { name: 'b', frames: 60, ions: { '1': 6, '2': 10 }, noise: 1.0, seed: 2 },
      { name: 'c', frames: 60, ions: { '1': 10, '2': 5 }, noise: 1.0, seed: 3 },
      { name: 'held', frames: 60, ions: { '1': 7, '2': 7 }, noise: 1.0, seed: 4 },
    ]);
  });

  for (const activation of ['tanh', 'softplus', 'shifted-softplus', 'silu'] as const)
    it(`ONNX Runtime and the native forward pass agree to 1e-5 (${activation})`, async () => {
      const dataset = loadDatasets([folder]);
      const { model, onnx } = await trainModel(dataset, { holdout: ['held'], epochs: 3, hidden: [16, 8], activation, seed: 7, patience: 0 });
      const session = await ort.InferenceSession.create(onnx, { executionProviders: ['cpu'] });
      const held = dataset.systems.find((s) => s.name === 'held')!;
      const feeds: Record<string, ort.Tensor> = {};
      held.species.forEach((s, k) => (feeds[`features_${k}`] = new ort.Tensor('float32', s.features, [held.frames * s.ions, FEATURES])));
      const out = await session.run(feeds);
      let worst = 0;
      held.species.forEach((s, k) => {
        const rows = held.frames * s.ions;
        const ref = native().nnPredict(model, k, s.features, rows);
        const got = out[`lambda_${k}`].data as Float32Array;
        assert.equal(got.length, rows);
        for (let i = 0; i < rows; i++) worst = Math.max(worst, Math.abs(got[i] - ref[i]) / Math.max(1, Math.abs(ref[i])));
      });
      assert.ok(worst < 1e-5, `worst difference ${worst}`);
    });
});

describe('model baselines', () => {
  it('ridge recovers exact linear targets, and the concentration fit recovers Λ = a + b√c', async () => {
    const { fitLinear, linearSystemLambda, fitConcentration, concentrationSystemLambda, choleskySolve } = await import('../lib/model/baselines');
    // A known SPD system.
    const x = choleskySolve(Float64Array.from([4, 2, 2, 3]), Float64Array.from([2, 1]), 2);
    assert.ok(Math.abs(x[0] - 0.5) < 1e-12 && Math.abs(x[1]) < 1e-12);
    const mk = (name: string, nf: number, volume: number, coef: number[], seed: number) => {
      let a = seed;
      const u = () => ((a = (a * 1103515245 + 12345) % 2147483648) / 2147483648) * 4 - 2;
      const frames = 20;
      const ions = 5;
      const features = new Float32Array(frames * ions * 2);
      const lambda = new Float64Array(frames * ions);
      for (let r = 0; r < frames * ions; r++) {
        features[2 * r] = u();
        features[2 * r + 1] = u();
        lambda[r] = coef[0] + coef[1] * features[2 * r] + coef[2] * features[2 * r + 1];
      }
      return { name, frames, species: [{ ions, features, lambda }], folder: '', info: { name, frames, ions: { '1': ions }, charges: { '1': 1 }, formulaUnits: nf, volumeMean: volume } };
    };
    const train = [mk('a', 10, 1000, [1, 0.5, -0.25], 3), mk('b', 40, 1000, [1, 0.5, -0.25], 5)];
    const lin = fitLinear(train, 1e-12);
    const probe = mk('p', 20, 1000, [1, 0.5, -0.25], 9);
    let mean = 0;
    for (const l of probe.species[0].lambda) mean += l / probe.species[0].lambda.length;
    assert.ok(Math.abs(linearSystemLambda(lin, probe) - mean) < 1e-5, 'ridge with tiny alpha reproduces exact linear targets');
    // Λ = 2 - 3 √c exactly at two concentrations: the fit must give it back at a third.
    const c1 = mk('c1', 10, 1000, [2 - 3 * Math.sqrt(0.01), 0, 0], 1);
    const c2 = mk('c2', 90, 1000, [2 - 3 * Math.sqrt(0.09), 0, 0], 2);
    const conc = fitConcentration([c1, c2]);
    const c3 = mk('c3', 40, 1000, [0, 0, 0], 3);
    assert.ok(Math.abs(concentrationSystemLambda(conc, c3) - (2 - 3 * 0.2)) < 1e-9);
    // A second salt type on another scale (Λ = 6 − 3√c) must not bend the first one's line: each
    // salt with two or more training systems gets its own fit, a salt with one falls back to the pool.
    const salt2 = (s: ReturnType<typeof mk>) => ({ ...s, info: { ...s.info, ions: { '+2': 5 }, charges: { '+2': 2 } } });
    const d1 = salt2(mk('d1', 10, 1000, [6 - 3 * Math.sqrt(0.01), 0, 0], 4));
    const d2 = salt2(mk('d2', 90, 1000, [6 - 3 * Math.sqrt(0.09), 0, 0], 5));
    const both = fitConcentration([c1, c2, d1, d2]);
    assert.ok(Math.abs(concentrationSystemLambda(both, c3) - (2 - 3 * 0.2)) < 1e-9, '1:1 line unchanged by the other salt');
    assert.ok(Math.abs(concentrationSystemLambda(both, salt2(c3)) - (6 - 3 * 0.2)) < 1e-9, 'second salt gets its own line');
    const lone = fitConcentration([c1, c2, d1]);
    assert.equal(Object.keys(lone.bySalt).length, 1, 'a salt type with one system has no line of its own');
    assert.ok(Number.isFinite(concentrationSystemLambda(lone, salt2(c3))), 'and falls back to the pooled fit');
  });
});

describe('model: bad datasets', () => {
  it('names the file and what was expected: wrong shape, wrong dtype, missing file, wrong schema, holdout typo', async () => {
    const fs = await import('node:fs');
    const { NpyWriter } = await import('../lib/npy');
    const dir = writeSyntheticDataset(path.join(tempDir('ionfield-model-bad-'), 'ds'), [{ name: 'a', frames: 5, ions: { '1': 2, '2': 2 }, noise: 0, seed: 1 }]);
    const lambda = path.join(dir, 'a', 'lambda-1.npy');
    const w = new NpyWriter(lambda, 'float64', [3]);
    w.append(new Float64Array(15), 5);
    w.close();
    assert.throws(() => loadDatasets([dir]), /lambda-1\.npy: shape \(5, 3\), expected \(5, 2\)/);
    const w2 = new NpyWriter(lambda, 'float32', [2]);
    w2.append(new Float32Array(10), 5);
    w2.close();
    assert.throws(() => loadDatasets([dir]), /lambda-1\.npy: expected float64 data/);
    fs.rmSync(lambda);
    assert.throws(() => loadDatasets([dir]), /lambda-1\.npy: missing/);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'dataset.json'), 'utf8'));
    fs.writeFileSync(path.join(dir, 'dataset.json'), JSON.stringify({ ...manifest, schema: 'other/1' }));
    assert.throws(() => loadDatasets([dir]), /dataset\.json: schema is 'other\/1', expected 'ionfield\.dataset\/2'/);
    assert.throws(() => loadDatasets([path.join(dir, 'a')]), /not a dataset folder \(no dataset\.json\)/);
    const good = writeSyntheticDataset(path.join(tempDir('ionfield-model-bad-'), 'ds'), [{ name: 'a', frames: 5, ions: { '1': 2, '2': 2 }, noise: 0, seed: 1 }]);
    await assert.rejects(trainModel([good], { holdout: ['b'], epochs: 1 }), /--holdout: no system named 'b'/);
    await assert.rejects(trainModel([good], { holdout: ['a'], epochs: 1 }), /leaves no system to train on/);
  });
});

describe('model: Λ_ML error by blocking', () => {
  it('gives σ/√n for white noise and the AR(1) inflation sqrt((1+φ)/(1−φ)) for correlated frames', async () => {
    const { blockError } = await import('../lib/model/predict');
    const { gaussian, rng } = await import('./helpers/synthetic-dataset');
    const n = 1 << 14;
    const g = gaussian(rng(11));
    const white = Float64Array.from({ length: n }, g);
    const w = blockError(white);
    assert.ok(Math.abs(w.error * Math.sqrt(n) - 1) < 0.15, `white noise: ${w.error * Math.sqrt(n)} vs 1`);
    const phi = 0.9;
    const ar = new Float64Array(n);
    for (let i = 1; i < n; i++) ar[i] = phi * ar[i - 1] + g();
    const exact = Math.sqrt(1 / (1 - phi * phi) / n * ((1 + phi) / (1 - phi)));
    const a = blockError(ar);
    assert.ok(Math.abs(a.error / exact - 1) < 0.3, `AR(1): ${a.error} vs ${exact}`);
    assert.ok(a.blockFrames >= 16, `plateau reached at blocks of ${a.blockFrames}`);
  });
});
