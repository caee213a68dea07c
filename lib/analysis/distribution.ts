// The distribution of λ per species: moments, quantiles, tail statistics and a histogram, with
// jackknife errors over blocks of frames for the mean and the spread.
import { Field, speciesIndex } from './field';
import { FieldFrames, framesOf, valueChunkFrames } from './frames';
import { orderStatistics, quantileRanks } from './select';
import { frameBlocks, jackknife } from './stats';

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
  /**
   * The spread among the ions of one frame: the rms deviation of each sample from its own frame's
   * species mean. std² = withinFrameStd² + the variance of the frame means (weighted by samples).
   * A field whose every ion moves with a frame-level quantity (a model reading the electrolyte's
   * overall structure, or the target's collective current) has std ≫ withinFrameStd; only the
   * within-frame part tells ions of one configuration apart.
   */
  withinFrameStd: ValueWithError;
  withinFrameRelativeStd: ValueWithError;
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

/**
 * Per species, from passes over the field's frames in chunks (frames.ts): nothing here holds the
 * samples. Sums run in frame-then-ion order like the whole-array loops, and quantiles are exact
 * order statistics (select.ts), so the results are those of sorting all samples in memory.
 */
export function distributions(field: Field | FieldFrames, options: { blocks?: number; bins?: number; thresholds?: number[] } = {}): SpeciesDistribution[] {
  const frames = framesOf(field);
  const { labels, index } = speciesIndex(frames.species);
  const blocking = frameBlocks(frames.frames, options.blocks ?? 10);
  const chunk = valueChunkFrames(frames.natoms);
  const out: SpeciesDistribution[] = [];
  for (let s = 0; s < labels.length; s++) {
    // One species' finite samples, chunk by chunk, in frame-then-ion order.
    const columns = Int32Array.from(index.map((x, i) => (x === s ? i : -1)).filter((i) => i >= 0));
    const samples = function* (): Generator<Float64Array> {
      const buf = new Float64Array(chunk * columns.length);
      for (const c of frames.chunks(chunk)) {
        let k = 0;
        for (let f = 0; f < c.frames; f++)
          for (const i of columns) {
            const v = c.values[f * frames.natoms + i];
            if (Number.isFinite(v)) buf[k++] = v;
          }
        yield buf.subarray(0, k);
      }
    };
    const blocks = Array.from({ length: blocking.blocks }, () => [0, 0, 0, 0]);  // n, Σλ, Σλ², Σ(λ − frame mean)²
    let n = 0, total = 0, min = Infinity, max = -Infinity;
    for (const c of frames.chunks(chunk))
      for (let f = 0; f < c.frames; f++) {
        const b = blocks[blocking.of(c.first + f)];
        // This frame's samples: the mean first (shifted by the first value, for the centred sum).
        let cf = 0, sf = 0, qf = 0, shift = NaN;
        for (const i of columns) {
          const v = c.values[f * frames.natoms + i];
          if (!Number.isFinite(v)) continue;
          if (cf === 0) shift = v;
          n++;
          total += v;
          if (v < min) min = v;
          if (v > max) max = v;
          b[0] += 1;
          b[1] += v;
          b[2] += v * v;
          cf++;
          sf += v - shift;
          qf += (v - shift) ** 2;
        }
        if (cf > 0) b[3] += Math.max(0, qf - (sf * sf) / cf);
      }
    if (n === 0) continue;
    // moments() of stats.ts, in two passes: the mean, then the centred sums.
    const mean = total / n;
    let m2 = 0, m3 = 0;
    for (const x of samples())
      for (let i = 0; i < x.length; i++) {
        const d = x[i] - mean;
        m2 += d * d;
        m3 += d * d * d;
      }
    m2 /= n;
    m3 /= n;
    const m = { mean, variance: m2, skewness: m2 > 0 ? m3 / Math.pow(m2, 1.5) : 0 };
    const std = Math.sqrt(m.variance);
    const sd = (t: number[]) => Math.sqrt(Math.max(0, t[2] / t[0] - (t[1] / t[0]) ** 2));
    const wanted = [...QUANTILES, 0.001, 0.999].map((q) => quantileRanks(n, q));
    const ranks = [...new Set(wanted.flatMap((w) => [w.lo, w.hi]))];
    const stats = orderStatistics(samples, n, ranks, min, max);
    const at = new Map(ranks.map((r, k) => [r, stats[k]]));
    const quantile = (q: number) => {
      const w = quantileRanks(n, q);
      return at.get(w.lo)! + w.frac * (at.get(w.hi)! - at.get(w.lo)!);
    };
    const thresholds = [
      ...(options.thresholds ?? [0]).map((t) => ({ threshold: t, label: `λ < ${t}` })),
      { threshold: 0.5 * m.mean, label: 'λ < mean/2' },
      { threshold: m.mean - 2 * std, label: 'λ < mean − 2 std' },
    ];
    const tail = m.mean - 2 * std;
    const bins = options.bins ?? 60;
    const lo = quantile(0.001);
    const hi = quantile(0.999);
    const width = (hi - lo) / bins || 1;
    // Last pass: samples below each threshold and the histogram counts.
    const below = new Float64Array(thresholds.length + 1);
    const counts = new Float64Array(bins);
    for (const x of samples())
      for (let i = 0; i < x.length; i++) {
        const v = x[i];
        for (let t = 0; t < thresholds.length; t++) if (v < thresholds[t].threshold) below[t]++;
        if (v < tail) below[thresholds.length]++;
        const k = Math.floor((v - lo) / width);
        if (k >= 0 && k < bins) counts[k]++;
      }
    // Each sample adds the same 1/(n·width), so adding it count times gives the sorted loop's sum.
    const density = new Array<number>(bins).fill(0);
    const step = 1 / (n * width);
    for (let k = 0; k < bins; k++) for (let j = 0; j < counts[k]; j++) density[k] += step;
    out.push({
      species: labels[s],
      samples: n,
      mean: jackknife(blocks, (t) => t[1] / t[0]),
      std: jackknife(blocks, sd),
      relativeStd: jackknife(blocks, (t) => sd(t) / (t[1] / t[0])),
      withinFrameStd: jackknife(blocks, (t) => Math.sqrt(t[3] / t[0])),
      withinFrameRelativeStd: jackknife(blocks, (t) => Math.sqrt(t[3] / t[0]) / (t[1] / t[0])),
      skewness: m.skewness,
      quantiles: Object.fromEntries(QUANTILES.map((q) => [`q${String(Math.round(q * 100)).padStart(2, '0')}`, quantile(q)])),
      fractionBelow: thresholds.map((t, k) => ({ ...t, fraction: below[k] / n })),
      lowTailRatio: below[thresholds.length] / n / GAUSS_BELOW_2SIGMA,
      histogram: { edges: Array.from({ length: bins + 1 }, (_, k) => lo + k * width), density },
    });
  }
  return out;
}
