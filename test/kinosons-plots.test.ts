// The kinoson report's histogram and plot helpers on degenerate data: equal kinosons (a pure
// lattice) give a log κ range of zero or one rounding step, which must still give sane bins and a
// finite set of axis ticks.
import { strict as assert } from 'node:assert';
import { logDensities } from '../lib/kinosons/index';
import { plot } from '../lib/kinosons/svg';

describe('kinosons: histograms and plots of degenerate data', () => {
  it('log density of kinosons equal up to rounding uses bins of a sane width and sums to 1', () => {
    const v = 2538806.056688279;
    const values = Float64Array.from([v, v * (1 + 2 ** -52), v, v * (1 - 2 ** -53)]);
    const k = { value: values, state: Int32Array.from([0, 0, 1, 1]), species: new Uint8Array(4), environment: new Uint8Array(4) };
    const { densities, range } = logDensities(k, () => 'A');
    const width = densities[0].centres[1] - densities[0].centres[0];
    assert.ok(width > 1e-3, `bin width ${width}`);
    assert.ok(range[0] <= Math.log10(v) && range[1] >= Math.log10(v));
    const total = densities[0].density.reduce((a, d) => a + d * width, 0);
    assert.ok(Math.abs(total - 1) < 1e-9, `integral ${total}`);
  });

  it('plots a range one rounding step wide with a handful of ticks', () => {
    const x = 6.746428983202879;
    const svg = plot([{ name: 'a', x: [x, x + 8.9e-16], y: [1, 2] }], { title: 't', xLabel: 'x', yLabel: 'y' });
    const ticks = svg.match(/text-anchor="middle">[^<]*<\/text>/g) ?? [];
    assert.ok(ticks.length >= 2 && ticks.length < 40, `${ticks.length} x tick labels`);
  });
});
