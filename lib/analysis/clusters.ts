// Ion-pair and cluster classification: ions linked by cation–anion contacts closer than the pair
// cutoff (default: the first minimum of g_{+-}(r)) form clusters (native union-find). Each ion in
// each frame is free (cluster of 1), in a contact pair (cluster of 2), or in a larger cluster;
// λ is averaged per class and species with jackknife errors over blocks of frames.
import { native } from '../native';
import { Field, speciesIndex } from './field';
import { FieldFrames, framesOf } from './frames';
import { frameBlocks, jackknife } from './stats';
import { LongCallOptions, stageReporter } from '../progress';

export const CLASSES = ['free', 'pair', 'cluster'] as const;
export type IonClass = (typeof CLASSES)[number];

export interface ClassStatistics {
  species: string;
  class: IonClass;
  /** Fraction of this species' ion-frames in the class. */
  fraction: number;
  samples: number;
  mean: number | null;
  error: number | null;
}

export interface ClusterResult {
  cutoff: number;
  cutoffSource: string;
  classes: ClassStatistics[];
  /** Number of clusters by size (ions in the cluster), summed over frames. */
  sizeHistogram: Record<string, number>;
  /** Mean fraction of the ions in the largest cluster of a frame (near 1: the contacts percolate). */
  largestClusterFraction: number;
  /** λ by the number of counter-ions within the cutoff (0, 1, 2, 3+), per species. */
  byCounterIons: { species: string; counterIons: string; fraction: number; samples: number; mean: number | null; error: number | null }[];
}

const COUNTS = ['0', '1', '2', '3+'];

export async function classifyClusters(field: Field | FieldFrames, cutoff: number, source: string, options: { blocks?: number; batch?: number } & LongCallOptions = {}): Promise<ClusterResult> {
  const blocks = frameBlocks(field.frames, options.blocks ?? 10).blocks;
  const acc = await accumulateClusters(field, 0, field.frames, blocks, cutoff, options);
  return finishClusters(speciesIndex(field.species).labels, acc, cutoff, source);
}

/** Per block: [species][class] and [species][counter-ion count] → [count, Σλ]; cluster sizes; each frame's largest-cluster share. */
export interface ClusterSums {
  sums: number[][][];
  byCount: number[][][];
  /** Number of clusters by size (a number), summed over frames. */
  sizes: Record<string, number>;
  /** Per frame in order: its largest cluster's share of the charged ions / all frames (summed in order: the mean). */
  largest: number[];
}

/**
 * Classifies the frames of `field`, frames firstFrame… of a run of totalFrames frames in `blocks`
 * jackknife blocks, adding to each block's sums frame by frame (a shard owning whole blocks gets
 * the single run's sums bit for bit).
 */
export async function accumulateClusters(input: Field | FieldFrames, firstFrame: number, totalFrames: number, blocks: number, cutoff: number, options: { batch?: number } & LongCallOptions = {}): Promise<ClusterSums> {
  const field = framesOf(input);
  const { labels, index } = speciesIndex(field.species);
  const blocking = frameBlocks(totalFrames, blocks);
  const n = field.natoms;
  const batch = options.batch ?? 64;
  const sums = Array.from({ length: blocking.blocks }, () => Array.from({ length: labels.length * CLASSES.length }, () => [0, 0]));
  const sizes: Record<string, number> = {}; // keyed by cluster size (a number), not by a label
  const byCount = Array.from({ length: blocking.blocks }, () => Array.from({ length: labels.length * COUNTS.length }, () => [0, 0]));
  const largest: number[] = [];
  const report = stageReporter(options.onProgress, 'ion pairs and clusters', 'frames', field.frames);
  for (const chunk of field.chunks(batch, true)) {
    options.signal?.throwIfAborted();
    const { first: f0, frames } = chunk;
    report(f0);
    const { labels: labelsOf, counterIons } = await native().contactClusters({
      positions: chunk.positions,
      boxes: chunk.boxes,
      frames,
      natoms: n,
      charges: field.charges,
      cutoff,
    });
    for (let k = 0; k < frames; k++) {
      const size = new Map<number, number>();
      for (let i = 0; i < n; i++) size.set(labelsOf[k * n + i], (size.get(labelsOf[k * n + i]) ?? 0) + 1);
      let charged = 0;
      for (let i = 0; i < n; i++) if (field.charges[i] !== 0) charged++;
      let biggest = 0;
      for (const [root, s] of size)
        if (field.charges[root] !== 0) {
          sizes[s] = (sizes[s] ?? 0) + 1;
          biggest = Math.max(biggest, s);
        }
      largest.push(biggest / Math.max(1, charged) / totalFrames);
      const block = sums[blocking.of(firstFrame + f0 + k)];
      const countBlock = byCount[blocking.of(firstFrame + f0 + k)];
      for (let i = 0; i < n; i++) {
        const v = chunk.values[k * n + i];
        if (!Number.isFinite(v) || field.charges[i] === 0) continue;
        const s = size.get(labelsOf[k * n + i])!;
        const c = s === 1 ? 0 : s === 2 ? 1 : 2;
        const cell = block[index[i] * CLASSES.length + c];
        cell[0] += 1;
        cell[1] += v;
        const countCell = countBlock[index[i] * COUNTS.length + Math.min(3, counterIons[k * n + i])];
        countCell[0] += 1;
        countCell[1] += v;
      }
    }
  }
  options.signal?.throwIfAborted();
  report(field.frames);
  return { sums, byCount, sizes, largest };
}

/** Class and counter-ion statistics with jackknife errors from every block's sums. */
export function finishClusters(labels: string[], acc: ClusterSums, cutoff: number, source: string): ClusterResult {
  const { sums, byCount, sizes } = acc;
  let largest = 0;
  for (const share of acc.largest) largest += share;
  const classes: ClassStatistics[] = [];
  for (let s = 0; s < labels.length; s++) {
    const total = sums.reduce((t, b) => t + CLASSES.reduce((u, _, c) => u + b[s * CLASSES.length + c][0], 0), 0);
    if (total === 0) continue;
    CLASSES.forEach((cls, c) => {
      const perBlock = sums.map((b) => b[s * CLASSES.length + c]);
      const samples = perBlock.reduce((t, x) => t + x[0], 0);
      const used = perBlock.filter((x) => x[0] > 0);
      const m = samples > 0 ? jackknife(used, (t) => t[1] / t[0]) : null;
      classes.push({ species: labels[s], class: cls, fraction: samples / total, samples, mean: m ? m.value : null, error: m ? m.error : null });
    });
  }
  const byCounterIons: ClusterResult['byCounterIons'] = [];
  for (let s = 0; s < labels.length; s++) {
    const total = byCount.reduce((t, b) => t + COUNTS.reduce((u, _, c) => u + b[s * COUNTS.length + c][0], 0), 0);
    if (total === 0) continue;
    COUNTS.forEach((label, c) => {
      const used = byCount.map((b) => b[s * COUNTS.length + c]).filter((x) => x[0] > 0);
      const samples = used.reduce((t, x) => t + x[0], 0);
      const m = samples > 0 ? jackknife(used, (t) => t[1] / t[0]) : null;
      byCounterIons.push({ species: labels[s], counterIons: label, fraction: samples / total, samples, mean: m ? m.value : null, error: m ? m.error : null });
    });
  }
  return { cutoff, cutoffSource: source, classes, sizeHistogram: sizes, largestClusterFraction: largest, byCounterIons };
}
