// Radial distribution functions g_ab(r), coordination numbers n_ab(r), and the spatial correlation
// of the field C_ab(r) = ⟨δλ_i δλ_j⟩_{r_ij ≈ r} / sqrt(var_a var_b), from one pass of the native
// pair kernel over the frames. Errors: jackknife over blocks of frames.
import { native } from '../native';
import { Field, speciesIndex } from './field';
import { FieldFrames, framesOf, valueChunkFrames } from './frames';
import { frameBlocks, jackknife } from './stats';
import { LongCallOptions, stageReporter } from '../progress';

export interface PairCurve {
  a: string;
  b: string;
  r: number[];
  g: number[];
  gError: (number | null)[];
  /** Mean number of b ions within r of an a ion (cumulative, at the bin's upper edge). */
  coordination: number[];
  /** C_ab(r); null where no pair fell in the bin. */
  correlation: (number | null)[];
  correlationError: (number | null)[];
  pairs: number[];
}

export interface StructureResult {
  rMax: number;
  bins: number;
  blocks: number;
  species: string[];
  /** The mean and variance used to centre and scale the field, per species. */
  fieldMoments: Record<string, { mean: number; variance: number }>;
  curves: PairCurve[];
}

export interface StructureOptions extends LongCallOptions {
  rMax?: number;
  bins?: number;
  blocks?: number;
  /** Frames per native call (default 32). */
  batch?: number;
}

function boxHeights(m: Float64Array, o: number): number[] {
  const row = (k: number) => [m[o + 3 * k], m[o + 3 * k + 1], m[o + 3 * k + 2]];
  const cross = (u: number[], v: number[]) => [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]];
  const norm = (u: number[]) => Math.hypot(u[0], u[1], u[2]);
  const [a, b, c] = [row(0), row(1), row(2)];
  const bc = cross(b, c);
  const volume = Math.abs(a[0] * bc[0] + a[1] * bc[1] + a[2] * bc[2]);
  return [volume / norm(bc), volume / norm(cross(a, c)), volume / norm(cross(a, b)), volume];
}

/** The largest rMax every frame allows: half the smallest perpendicular cell width. */
export function maxPairRange(field: Field | FieldFrames): number {
  const frames = framesOf(field);
  let h = Infinity;
  for (const c of frames.chunks(valueChunkFrames(frames.natoms)))
    for (let f = 0; f < c.frames; f++) h = Math.min(h, ...boxHeights(c.boxes, 9 * f).slice(0, 3));
  return h / 2;
}

/** g(r), n(r) and C(r) of a field in memory or read in chunks from disk (frames.ts): the same bits. */
export async function pairStructure(input: Field | FieldFrames, options: StructureOptions = {}): Promise<StructureResult> {
  const field = framesOf(input);
  const m = pairMoments(field);
  const rMax = options.rMax ?? maxPairRange(field);
  const bins = options.bins ?? 100;
  const blocks = frameBlocks(field.frames, options.blocks ?? 10).blocks;
  const acc = await accumulatePairs(field, 0, field.frames, blocks, m, rMax, bins, options);
  return finishPairs(m, acc.blockSums, acc.blockFrames, rMax, bins, field.frames);
}

/** Species, the ions left out (NaN) and each species' field mean and variance over every frame. */
export interface PairMoments {
  labels: string[];
  index: Int32Array;
  /** Species index of each ion, −1 for an ion left out of the analyses. */
  speciesForPairs: Int32Array;
  mean: number[];
  variance: number[];
  nAtoms: number[];
}

/**
 * The moments over all of the field's frames (a shard passes the whole field's values, not its
 * frames'), a chunk of frames at a time in frame order.
 */
export function pairMoments(input: Pick<Field, 'values' | 'species' | 'frames' | 'natoms'> | FieldFrames): PairMoments {
  const field = framesOf(input);
  const { labels, index } = speciesIndex(field.species);
  const ns = labels.length;
  // Centre and scale per species, so that +− correlations are not dominated by the species means.
  const sum = new Float64Array(ns);
  const sum2 = new Float64Array(ns);
  const count = new Float64Array(ns);
  const speciesForPairs = Int32Array.from(index);
  for (const c of field.chunks(valueChunkFrames(field.natoms)))
    for (let f = 0; f < c.frames; f++)
      for (let i = 0; i < field.natoms; i++) {
        const v = c.values[f * field.natoms + i];
        if (!Number.isFinite(v)) {
          speciesForPairs[i] = -1;  // left out of the analyses
          continue;
        }
        sum[index[i]] += v;
        sum2[index[i]] += v * v;
        count[index[i]] += 1;
      }
  const mean = Array.from(sum, (s, k) => s / count[k]);
  const variance = Array.from(sum2, (s, k) => s / count[k] - mean[k] ** 2);
  const nAtoms = Array.from({ length: ns }, (_, k) => Array.from(speciesForPairs).filter((s) => s === k).length);
  return { labels, index, speciesForPairs, mean, variance, nAtoms };
}

/**
 * Pair sums of the frames of `field`, which are frames firstFrame… of a run of totalFrames frames
 * cut into `blocks` jackknife blocks: per block and species pair [ideal-gas-normalised counts per
 * bin..., counts per bin..., products per bin...], added frame by frame in frame order (so a shard
 * that owns whole blocks gets the single run's block sums bit for bit).
 */
export async function accumulatePairs(input: Field | FieldFrames, firstFrame: number, totalFrames: number, blocks: number, m: PairMoments, rMax: number, bins: number, options: StructureOptions = {}): Promise<{ blockSums: Float64Array[]; blockFrames: Float64Array }> {
  const { index, speciesForPairs, mean, variance, nAtoms } = m;
  const ns = m.labels.length;
  const field = framesOf(input);
  const blocking = frameBlocks(totalFrames, blocks);
  // Centred, scaled values of one batch of frames (computed per batch: nothing frames-long is held).
  const centred = (values: Float64Array): Float64Array => {
    const delta = new Float64Array(values.length);
    for (let j = 0; j < values.length; j++) {
      const i = j % field.natoms;
      const v = values[j];
      delta[j] = Number.isFinite(v) ? (v - mean[index[i]]) / Math.sqrt(variance[index[i]] || 1) : 0;
    }
    return delta;
  };
  const cell = 3 * bins;
  const blockSums = Array.from({ length: blocking.blocks }, () => new Float64Array(ns * ns * cell));
  const blockFrames = new Float64Array(blocking.blocks);
  const shell = Array.from({ length: bins }, (_, k) => ((4 * Math.PI) / 3) * (((k + 1) * rMax) / bins) ** 3 - ((4 * Math.PI) / 3) * ((k * rMax) / bins) ** 3);
  const batch = options.batch ?? 32;
  const n = field.natoms;
  const report = stageReporter(options.onProgress, 'pair structure', 'frames', field.frames);
  for (const chunk of field.chunks(batch, true)) {
    options.signal?.throwIfAborted();
    const { first: f0, frames } = chunk;
    const r = await native().pairSums({
      positions: chunk.positions,
      boxes: chunk.boxes,
      frames,
      natoms: n,
      species: speciesForPairs,
      nspecies: ns,
      values: centred(chunk.values),
      rMax,
      bins,
    });
    for (let k = 0; k < frames; k++) {
      const f = f0 + k;
      const volume = boxHeights(chunk.boxes, 9 * k)[3];
      const block = blocking.of(firstFrame + f);
      const sums = blockSums[block];
      blockFrames[block] += 1;
      for (let a = 0; a < ns; a++)
        for (let b = 0; b < ns; b++) {
          const pairsExpected = (nAtoms[a] * (nAtoms[b] - (a === b ? 1 : 0))) / volume;  // per unit volume, ideal gas
          const base = (k * ns * ns + a * ns + b) * bins;
          const out = (a * ns + b) * cell;
          for (let j = 0; j < bins; j++) {
            const c = r.counts[base + j];
            sums[out + j] += pairsExpected > 0 ? c / (pairsExpected * shell[j]) : 0;
            sums[out + bins + j] += c;
            sums[out + 2 * bins + j] += r.products ? r.products[base + j] : 0;
          }
        }
    }
    report(f0 + frames);
  }
  options.signal?.throwIfAborted();
  return { blockSums, blockFrames };
}

/** g, coordination and C(r) with jackknife errors from every block's sums (totalFrames frames in all). */
export function finishPairs(m: PairMoments, blockSums: ArrayLike<number>[], blockFrames: ArrayLike<number>, rMax: number, bins: number, totalFrames: number): StructureResult {
  const { labels, nAtoms, mean, variance } = m;
  const ns = labels.length;
  const cell = 3 * bins;
  const curves: PairCurve[] = [];
  for (let a = 0; a < ns; a++)
    for (let b = a; b < ns; b++) {
      const out = (a * ns + b) * cell;
      const perBlock = (j: number, which: number) => blockSums.map((s, bl) => [s[out + which * bins + j], blockFrames[bl]]);
      const g = [];
      const gErr = [];
      const corr = [];
      const corrErr = [];
      const pairs = [];
      const coordination = [];
      let cumulative = 0;
      for (let j = 0; j < bins; j++) {
        const gj = jackknife(perBlock(j, 0), (t) => t[0] / t[1]);
        g.push(gj.value);
        gErr.push(gj.error);
        const total = blockSums.reduce((s, x) => s + x[out + bins + j], 0);
        pairs.push(total);
        cumulative += total;
        coordination.push(nAtoms[a] > 0 ? cumulative / (totalFrames * nAtoms[a]) : 0);
        if (total > 0) {
          const c = jackknife(blockSums.map((s) => [s[out + 2 * bins + j], s[out + bins + j]]), (t) => (t[1] > 0 ? t[0] / t[1] : 0));
          corr.push(c.value);
          corrErr.push(c.error);
        } else {
          corr.push(null);
          corrErr.push(null);
        }
      }
      curves.push({ a: labels[a], b: labels[b], r: Array.from({ length: bins }, (_, j) => ((j + 0.5) * rMax) / bins), g, gError: gErr, coordination, correlation: corr, correlationError: corrErr, pairs });
    }
  return {
    rMax: rMax,
    bins,
    blocks: blockSums.length,
    species: labels,
    fieldMoments: Object.fromEntries(labels.map((l, k) => [l, { mean: mean[k], variance: variance[k] }])),
    curves,
  };
}

function smooth(g: number[], halfWidth: number): number[] {
  return g.map((_, j) => {
    let t = 0;
    let c = 0;
    for (let k = Math.max(0, j - halfWidth); k <= Math.min(g.length - 1, j + halfWidth); k++) {
      t += g[k];
      c++;
    }
    return t / c;
  });
}

export interface PairCutoff {
  r: number;
  rule: 'first minimum' | 'end of contact peak';
}

/**
 * The contact-pair cutoff from g_{+-}(r) (smoothed over ±`halfWidth` bins so noise makes no
 * spurious minimum): the first minimum after the first peak, if it is a real depletion (g < 0.98).
 * Weakly coupled electrolytes have none (g decays monotonically to 1); then the end of the contact
 * peak: the first r after the peak where g has fallen to 1 + 0.1 (g_peak − 1). Null when g has no
 * peak above 1 at all.
 */
export function pairCutoff(r: number[], g: number[], halfWidth = 2): PairCutoff | null {
  const s = smooth(g, halfWidth);
  let peak = -1;
  for (let j = 1; j < s.length - 1; j++)
    if (s[j] > 1 && s[j] >= s[j - 1] && s[j] >= s[j + 1]) {
      peak = j;
      break;
    }
  if (peak < 0) return null;
  for (let j = peak + 1; j < s.length - 1; j++) {
    if (s[j] <= s[j - 1] && s[j] < s[j + 1]) {
      if (s[j] < 0.98) return { r: r[j], rule: 'first minimum' };
      break;
    }
  }
  const level = 1 + 0.1 * (s[peak] - 1);
  for (let j = peak + 1; j < s.length; j++) if (s[j] <= level) return { r: r[j], rule: 'end of contact peak' };
  return null;
}
