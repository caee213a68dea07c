// The demo's seams: when a descriptors and a predict stage are plugged in, they run in order, the
// target stage does not, the analyses use the predicted field, and the report names the model.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeNpy } from '../lib/analysis/npy';
import { defaultStages, DemoContext, runDemo } from '../lib/demo/pipeline';
import { tempDir } from './helpers/paths';

describe('ionfield demo: descriptor and model seams', function () {
  this.timeout(60_000);
  it('a plugged-in predict stage replaces the targets, and its model reaches the report', async () => {
    const out = tempDir();
    const order: string[] = [];
    const ctx: DemoContext = await runDemo(
      { out },
      {
        ...defaultStages,
        descriptors: async (c) => {
          order.push('descriptors');
          c.descriptors = 'fake-descriptors.npy';
        },
        predict: async (c) => {
          order.push('predict');
          // A stand-in λ̂: 1 for cations and 3 for anions on every 30th frame (101 frames).
          const frames = 101;
          const data = Float64Array.from({ length: frames * 100 }, (_, k) => ((k % 100) < 50 ? 1 : 3));
          const file = path.join(c.out, 'lambda_hat.npy');
          writeNpy(file, { shape: [frames, 100], data });
          c.field = { file, start: 0, stride: 30, stop: 3001, source: 'λ̂ from test-model', model: { name: 'test-model', sha256: 'abc' } };
        },
        targets: async () => {
          throw new Error('the targets stage must not run when a model gave a field');
        },
      },
    );
    assert.deepEqual(order, ['descriptors', 'predict']);
    assert.deepEqual(ctx.log.map((e) => `${e.stage}:${e.status}`), ['transport:done', 'descriptors:done', 'model:done', 'importance:skipped', 'analyses:done', 'report:done']);
    const means = Object.fromEntries(ctx.analysis!.distributions.map((d) => [d.species, d.mean.value]));
    assert.deepEqual(means, { '1': 1, '2': 3 });
    const html = fs.readFileSync(ctx.report!, 'utf8');
    assert.match(html, /λ̂ from test-model/);
    assert.match(html, /test-model/);
    assert.ok(!fs.existsSync(path.join(out, 'lambda_targets.npy')));
  });
});
