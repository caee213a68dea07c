// The importance part of the report reads at a glance: only the features clearly above zero (more
// than two errors, at most ten per species) are tabulated and plotted, the rest are summarised in
// a sentence, and a species with nothing significant gets a sentence instead of a plot of zeros.
import { strict as assert } from 'node:assert';
import { buildReport } from '../lib/report/build';
import type { ImportanceReport } from '../lib/model/importance';

function report(features: { feature: string; increase: number; error: number }[]): ImportanceReport {
  return {
    schema: 'ionfield.importance/2',
    model: 'model.onnx',
    datasets: ['d'],
    systems: ['s'],
    reference: 'target λ of the dataset',
    species: [{ species: 'Na', rows: 1000, targetVariance: 1, baselineMse: 0.5, repeats: 4, features: features.map((f) => ({ ...f })) as never }],
  };
}

const rowsOf = (html: string) => [...html.matchAll(/<tr><td>Na<\/td><td>\d+<\/td><td>([^<]+)<\/td>/g)].map((m) => m[1]);

describe('report: permutation importance at a glance', () => {
  it('tabulates the significant features only, at most ten, and summarises the rest', async () => {
    const features = [
      ...Array.from({ length: 14 }, (_, i) => ({ feature: `G2_${i}`, increase: 1 - i * 0.05, error: 0.01 })),
      ...Array.from({ length: 40 }, (_, i) => ({ feature: `zero_${i}`, increase: i % 2 ? 0.001 : -0.002, error: 0.003 })),
    ];
    const html = await buildReport([{ file: 'imp.json', result: report(features) }]);
    const rows = rowsOf(html);
    assert.deepEqual(rows, features.slice(0, 10).map((f) => f.feature));
    assert.match(html, /Na: the other 44 features \(4 more above two errors, each smaller than those shown\)/);
    assert.doesNotMatch(html, /zero_/);
    assert.match(html, /data-plot="importance"/);
  });

  it('says so in a sentence when no feature is distinguishable from zero', async () => {
    const html = await buildReport([{ file: 'imp.json', result: report([{ feature: 'a', increase: 0.001, error: 0.002 }, { feature: 'b', increase: -0.01, error: 0.02 }]) }]);
    assert.deepEqual(rowsOf(html), []);
    assert.doesNotMatch(html, /data-plot="importance"/);
    assert.match(html, /No feature raises the MSE by more than two errors/);
  });
});
