// Vega-Lite specifications for every plot of the report. Each takes plain result objects and
// returns a spec; units go into the axis titles.
import type { ImportanceReport } from '../model/importance';
import type { AnalysisResult } from '../analysis/run';
import type { FluctuationResult } from '../analysis/fluctuation';
import type { TransportReport } from '../transport/report';
import type { VegaLiteSpec } from './svg';

export type VegaLiteSpecOrNull = VegaLiteSpec | null;

const WIDTH = 380;
const HEIGHT = 260;
const finite = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);
/** An axis title with its unit, or a pointer to the tables when the unit text is too long for an axis. */
const withUnit = (name: string, unit: string) => (unit.length <= 28 ? `${name} (${unit})` : `${name} (units in the table)`);

export function msdPlot(t: TransportReport): VegaLiteSpec {
  const values: Record<string, unknown>[] = [];
  t.curves.time.forEach((time, k) => {
    if (!(time > 0)) return;
    for (const [s, msd] of Object.entries(t.curves.msd)) if (msd[k] > 0) values.push({ time, value: msd[k], curve: `MSD ${s}` });
    if (t.curves.chargeMsd[k] > 0) values.push({ time, value: t.curves.chargeMsd[k] / t.species.reduce((n, s) => n + s.count, 0), curve: '⟨|J|²⟩ / N' });
  });
  return {
    title: 'Mean squared displacements',
    width: WIDTH,
    height: HEIGHT,
    data: { values },
    layer: [
      {
        mark: { type: 'line', point: false },
        encoding: {
          x: { field: 'time', type: 'quantitative', scale: { type: 'log' }, title: `lag time (${t.fitWindow.units})` },
          y: { field: 'value', type: 'quantitative', scale: { type: 'log' }, title: `MSD (${t.units.length}²)` },
          color: { field: 'curve', type: 'nominal', title: null },
        },
      },
      {
        data: { values: [{ start: t.fitWindow.start, stop: t.fitWindow.stop }] },
        mark: { type: 'rect', opacity: 0.12, color: '#888' },
        encoding: { x: { field: 'start', type: 'quantitative' }, x2: { field: 'stop' } },
      },
    ],
  };
}

export function slopePlot(t: TransportReport): VegaLiteSpec {
  const values: Record<string, unknown>[] = [];
  t.curves.time.forEach((time, k) => {
    for (const [s, slope] of Object.entries(t.curves.localSlope)) if (time > 0 && finite(slope[k])) values.push({ time, slope: slope[k], species: s });
  });
  return {
    title: 'Local slope d ln MSD / d ln t (1 = diffusive)',
    width: WIDTH,
    height: HEIGHT,
    data: { values },
    layer: [
      {
        mark: 'line',
        encoding: {
          x: { field: 'time', type: 'quantitative', scale: { type: 'log' }, title: `lag time (${t.fitWindow.units})` },
          y: { field: 'slope', type: 'quantitative', title: 'local slope' },
          color: { field: 'species', type: 'nominal' },
        },
      },
      { data: { values: [{ y: 1 }] }, mark: { type: 'rule', strokeDash: [4, 4] }, encoding: { y: { field: 'y', type: 'quantitative' } } },
    ],
  };
}

export function distributionPlot(a: AnalysisResult): VegaLiteSpec {
  const values: Record<string, unknown>[] = [];
  for (const d of a.distributions)
    d.histogram.density.forEach((p, k) => values.push({ lambda: 0.5 * (d.histogram.edges[k] + d.histogram.edges[k + 1]), density: p, species: d.species }));
  return {
    title: 'Distribution of λ per species',
    width: WIDTH,
    height: HEIGHT,
    data: { values },
    mark: { type: 'line', interpolate: 'step' },
    encoding: {
      x: { field: 'lambda', type: 'quantitative', title: withUnit('λ', a.units.field) },
      y: { field: 'density', type: 'quantitative', title: 'probability density' },
      color: { field: 'species', type: 'nominal' },
    },
  };
}

export function rdfPlot(a: AnalysisResult): VegaLiteSpec {
  const values: Record<string, unknown>[] = [];
  for (const c of a.structure.curves) c.r.forEach((r, j) => values.push({ r, g: c.g[j], pair: `${c.a}–${c.b}` }));
  const layers: VegaLiteSpec[] = [
    {
      mark: 'line',
      encoding: {
        x: { field: 'r', type: 'quantitative', title: `r (${a.units.length})` },
        y: { field: 'g', type: 'quantitative', title: 'g(r)' },
        color: { field: 'pair', type: 'nominal' },
      },
    },
  ];
  if (a.clusters)
    layers.push({ data: { values: [{ r: a.clusters.cutoff }] }, mark: { type: 'rule', strokeDash: [4, 4], color: '#555' }, encoding: { x: { field: 'r', type: 'quantitative' } } });
  return { title: 'Radial distribution functions (dashed: pair cutoff)', width: WIDTH, height: HEIGHT, data: { values }, layer: layers };
}

export function coordinationPlot(a: AnalysisResult): VegaLiteSpec {
  const values: Record<string, unknown>[] = [];
  for (const c of a.structure.curves) c.r.forEach((r, j) => values.push({ r: r + (0.5 * a.structure.rMax) / a.structure.bins, n: c.coordination[j], pair: `${c.b} around ${c.a}` }));
  return {
    title: 'Coordination numbers n_ab(r)',
    width: WIDTH,
    height: HEIGHT,
    data: { values },
    mark: 'line',
    encoding: {
      x: { field: 'r', type: 'quantitative', title: `r (${a.units.length})` },
      y: { field: 'n', type: 'quantitative', title: 'neighbours within r' },
      color: { field: 'pair', type: 'nominal' },
    },
  };
}

export function correlationPlot(a: AnalysisResult): VegaLiteSpec {
  const values: Record<string, unknown>[] = [];
  for (const c of a.structure.curves)
    c.r.forEach((r, j) => {
      const v = c.correlation[j];
      const e = c.correlationError[j];
      if (finite(v) && c.pairs[j] >= 10) values.push({ r, C: v, lo: v - (e ?? 0), hi: v + (e ?? 0), pair: `${c.a}–${c.b}` });
    });
  return {
    title: 'Spatial correlation of δλ: C_ab(r) (bands: ±1 jackknife error)',
    width: WIDTH,
    height: HEIGHT,
    data: { values },
    layer: [
      { mark: { type: 'area', opacity: 0.2 }, encoding: { x: { field: 'r', type: 'quantitative', title: `r (${a.units.length})` }, y: { field: 'lo', type: 'quantitative', title: 'C(r)' }, y2: { field: 'hi' }, color: { field: 'pair', type: 'nominal' } } },
      { mark: 'line', encoding: { x: { field: 'r', type: 'quantitative' }, y: { field: 'C', type: 'quantitative' }, color: { field: 'pair', type: 'nominal' } } },
      { data: { values: [{ y: 0 }] }, mark: { type: 'rule', strokeDash: [4, 4] }, encoding: { y: { field: 'y', type: 'quantitative' } } },
    ],
  };
}

export function classPlot(a: AnalysisResult): VegaLiteSpec | null {
  if (!a.clusters) return null;
  const values = a.clusters.classes.filter((c) => finite(c.mean) && c.samples >= 20).map((c) => ({ group: `${c.species} ${c.class}`, mean: c.mean, lo: c.mean! - (c.error ?? 0), hi: c.mean! + (c.error ?? 0), species: c.species }));
  return {
    title: 'Mean λ: free ions, contact pairs, larger clusters (±1 error)',
    width: WIDTH,
    height: HEIGHT,
    data: { values },
    layer: [
      { mark: 'bar', encoding: { x: { field: 'group', type: 'nominal', title: null, sort: null }, y: { field: 'mean', type: 'quantitative', title: withUnit('mean λ', a.units.field) }, color: { field: 'species', type: 'nominal' } } },
      { mark: { type: 'errorbar', ticks: true }, encoding: { x: { field: 'group', type: 'nominal', sort: null }, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } },
    ],
  };
}

export function counterIonPlot(a: AnalysisResult): VegaLiteSpec | null {
  if (!a.clusters) return null;
  const values = a.clusters.byCounterIons.filter((c) => finite(c.mean) && c.samples >= 20).map((c) => ({ group: `${c.species}: ${c.counterIons}`, mean: c.mean, lo: c.mean! - (c.error ?? 0), hi: c.mean! + (c.error ?? 0), species: c.species }));
  return {
    title: 'Mean λ by counter-ions within the cutoff (±1 error)',
    width: WIDTH,
    height: HEIGHT,
    data: { values },
    layer: [
      { mark: 'bar', encoding: { x: { field: 'group', type: 'nominal', title: 'species: counter-ions', sort: null }, y: { field: 'mean', type: 'quantitative', title: withUnit('mean λ', a.units.field) }, color: { field: 'species', type: 'nominal' } } },
      { mark: { type: 'errorbar', ticks: true }, encoding: { x: { field: 'group', type: 'nominal', sort: null }, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } },
    ],
  };
}

export function fluctuationPlot(f: FluctuationResult): VegaLiteSpec {
  return {
    title: 'Spread of λ against Λ across systems',
    width: WIDTH,
    height: HEIGHT,
    data: { values: f.systems.map((s) => ({ ...s })) },
    mark: { type: 'point', filled: true, size: 60 },
    encoding: {
      x: { field: 'molarConductivity', type: 'quantitative', title: 'Λ', scale: { zero: false } },
      y: { field: 'relativeStd', type: 'quantitative', title: 'std(λ) / mean(λ)', scale: { zero: false } },
      tooltip: [{ field: 'system' }],
    },
  };
}

/** Features whose MSE rise is more than two errors above zero, most important first, at most `top`. */
export function significantFeatures<F extends { increase: number; error: number }>(features: F[], top: number): F[] {
  return features.filter((f) => f.increase > 2 * f.error && f.increase > 0).slice(0, top);
}

export function importancePlot(r: ImportanceReport, top = 8): VegaLiteSpec {
  // Only features clearly above zero, at most `top` per species.
  const values = r.species.flatMap((s) => significantFeatures(s.features, top).map((f) => ({ species: s.species, feature: f.feature, rise: f.increase, lo: f.increase - f.error, hi: f.increase + f.error })));
  return {
    title: 'Permutation importance (rise of the MSE when shuffled, ±1 error)',
    data: { values },
    facet: { row: { field: 'species', type: 'nominal', title: 'species' } },
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: WIDTH,
      height: 22 * top,
      layer: [
        { mark: 'bar', encoding: { y: { field: 'feature', type: 'nominal', sort: { field: 'rise', op: 'max', order: 'descending' }, title: null, axis: { labelLimit: 320 } }, x: { field: 'rise', type: 'quantitative', title: 'MSE rise' } } },
        { mark: { type: 'errorbar', ticks: true }, encoding: { y: { field: 'feature', type: 'nominal', sort: { field: 'rise', op: 'max', order: 'descending' } }, x: { field: 'lo', type: 'quantitative', title: 'MSE rise' }, x2: { field: 'hi' } } },
      ],
    },
  };
}
