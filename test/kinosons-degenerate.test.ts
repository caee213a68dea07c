// The kinoson report's statistics and plots on degenerate data: equal kinosons (a pure lattice)
// give a log κ range of zero or one rounding step, which must still give sane bins and a finite set
// of axis ticks; a D(T) point whose error is 0 must not drop out of the Arrhenius fit.
import { strict as assert } from 'node:assert';
import { fitTemperatureModels, kBoltzmannEv, logDensities } from '../lib/kinosons/index';
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

  it('an Arrhenius point with zero error weighs like the others, not 10⁴ times less', () => {
    // Off-law data (the 600 K point 10 % high): the fit depends on the weights. A zero error
    // (e.g. a single-block estimate) used to get weight 1 while 1 % errors got 10⁴.
    const point = (T: number, factor: number, relError: number) => {
      const mean = 3 * Math.exp(-0.8 / (kBoltzmannEv * T)) * factor;
      return { temperature: T, D: { mean, error: relError * mean }, lnMean: 0, lnVariance: 0, perState: 1 };
    };
    const equal = fitTemperatureModels([point(600, 1.1, 0.01), point(900, 1, 0.01), point(1300, 1, 0.01)])!;
    const zero = fitTemperatureModels([point(600, 1.1, 0), point(900, 1, 0.01), point(1300, 1, 0.01)])!;
    assert.ok(Math.abs(zero.arrhenius.Q - equal.arrhenius.Q) < 1e-12, `Q ${zero.arrhenius.Q} vs ${equal.arrhenius.Q}`);
  });

  it('D(T) models leave out temperatures where D = 0 (rates below double range) instead of giving NaN', () => {
    const law = (T: number) => 3 * Math.exp(-0.8 / (kBoltzmannEv * T));
    const point = (T: number, mean: number) => ({ temperature: T, D: { mean, error: 0.01 * mean }, lnMean: Math.log(mean || 1), lnVariance: 0, perState: 1 });
    const m = fitTemperatureModels([point(20, 0), point(600, law(600)), point(900, law(900))])!;
    assert.ok(Math.abs(m.arrhenius.Q - 0.8) < 1e-9, `Q ${m.arrhenius.Q}`);
    assert.deepEqual(m.from, [600, 900]);
    assert.equal(m.arrhenius.predicted.length, 3);
    assert.ok([...m.arrhenius.predicted, ...m.lognormal.predicted, m.rmsLogError.arrhenius].every(Number.isFinite));
    assert.equal(fitTemperatureModels([point(20, 0), point(600, law(600))]), null);
  });

  it('log density when every kinoson is 0 (a species whose rates fall below double range): zeros, not NaN', () => {
    const k = { value: new Float64Array(6), state: Int32Array.from([0, 0, 1, 1, 2, 2]), species: new Uint8Array(6), environment: new Uint8Array(6) };
    const { densities, zero } = logDensities(k, () => 'A');
    assert.equal(zero, 6);
    assert.ok(densities[0].density.every((d) => d === 0), JSON.stringify(densities[0].density.slice(0, 3)));
    assert.ok(densities[0].centres.every(Number.isFinite));
  });
});
