// The distribution of λ per species: moments, quantiles, tail statistics and a histogram, with
// jackknife errors over blocks of frames for the mean and the spread.
import { Field, speciesIndex } from './field';
import { frameBlocks, jackknife, moments, quantile } from './stats';

export interface ValueWithError {
  value: number;
  error: number | null;
}

export interface SpeciesDistribution {
  species: string;
  samples: number;
  mean: ValueWithError;
  std: ValueWithError;
  /** std / mean: the relative spread the paper compares against Λ. */
  relativeStd: ValueWithError;
  skewness: number;
  quantiles: Record<string, number>;
  /** Fraction of samples below each threshold (absolute values and multiples of the mean). */
  fractionBelow: { threshold: number; label: string; fraction: number }[];
  /**
   * Low-λ tail measure: fraction of samples below mean − 2 std, divided by the Gaussian value
   * 0.02275. 1 for a normal distribution; > 1 means a heavier low tail.
   */
  lowTailRatio: number;
  histogram: { edges: number[]; density: number[] };
}

const QUANTILES = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99];
const GAUSS_BELOW_2SIGMA = 0.022750131948179195;

export function distributions(field: Field, options: { blocks?: number; bins?: number; thresholds?: number[] } = {}): SpeciesDistribution[] {
  const { labels, index } = speciesIndex(field.species);
  const blocking = frameBlocks(field.frames, options.blocks ?? 10);
  const out: SpeciesDistribution[] = [];
  for (let s = 0; s < labels.length; s++) {
    const samples: number[] = [];
    const blocks = Array.from({ length: blocking.blocks }, () => [0, 0, 0]);  // n, Σλ, Σλ²
    for (let f = 0; f < field.frames; f++)
      for (let i = 0; i < field.natoms; i++) {
        if (index[i] !== s) continue;
        const v = field.values[f * field.natoms + i];
        if (!Number.isFinite(v)) continue;
        samples.push(v);
        const b = blocks[blocking.of(f)];
        b[0] += 1;
        b[1] += v;
        b[2] += v * v;
      }
    if (samples.length === 0) continue;
    const sorted = Float64Array.from(samples).sort();
    const m = moments(samples);
    const std = Math.sqrt(m.variance);
    const sd = (t: number[]) => Math.sqrt(Math.max(0, t[2] / t[0] - (t[1] / t[0]) ** 2));
    const fractionBelow = (x: number) => {
      let lo = 0;
      let hi = sorted.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (sorted[mid] < x) lo = mid + 1;
        else hi = mid;
      }
      return lo / sorted.length;
    };
    const thresholds = [
      ...(options.thresholds ?? [0]).map((t) => ({ threshold: t, label: `λ < ${t}` })),
      { threshold: 0.5 * m.mean, label: 'λ < mean/2' },
      { threshold: m.mean - 2 * std, label: 'λ < mean − 2 std' },
    ];
    const bins = options.bins ?? 60;
    const lo = quantile(sorted, 0.001);
    const hi = quantile(sorted, 0.999);
    const width = (hi - lo) / bins || 1;
    const density = new Array<number>(bins).fill(0);
    for (const v of sorted) {
      const k = Math.floor((v - lo) / width);
      if (k >= 0 && k < bins) density[k] += 1 / (sorted.length * width);
    }
    out.push({
      species: labels[s],
      samples: samples.length,
      mean: jackknife(blocks, (t) => t[1] / t[0]),
      std: jackknife(blocks, sd),
      relativeStd: jackknife(blocks, (t) => sd(t) / (t[1] / t[0])),
      skewness: m.skewness,
      quantiles: Object.fromEntries(QUANTILES.map((q) => [`q${String(Math.round(q * 100)).padStart(2, '0')}`, quantile(sorted, q)])),
      fractionBelow: thresholds.map((t) => ({ ...t, fraction: fractionBelow(t.threshold) })),
      lowTailRatio: fractionBelow(m.mean - 2 * std) / GAUSS_BELOW_2SIGMA,
      histogram: { edges: Array.from({ length: bins + 1 }, (_, k) => lo + k * width), density },
    });
  }
  return out;
}
