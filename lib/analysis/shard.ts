// `analyze --shard i/n`: the field's frames are cut at jackknife-block boundaries (the --blocks
// blocks of frames the errors use) and shard i owns blocks ⌊i·B/n⌋ … ⌊(i+1)·B/n⌋ − 1. It reads
// only its frames of the trajectory and accumulates, frame by frame in frame order as the single run
// does, the pair sums (g, coordination, C(r)) and the ion-pair classification of its blocks, with
// the field moments of the whole field (C(r) centres and scales by them). The merge takes each
// block's sums from its shard, computes the distributions from the field file itself (they need
// every value: quantiles; read in chunks, in passes), and finishes as the single run: the result is
// the single run's, bit for bit in the tests.
//
// Two things the single run decides from all frames must be fixed beforehand: the contact-pair
// cutoff (`--pair-cutoff` is required: by default the single run takes it from g_{+-}(r) over all
// frames, before it can classify any frame), and rMax, by default half the smallest cell width
// over all frames: each shard takes it over its own frames and the merge refuses shards that
// disagree (a cell that changes: give --r-max).
import * as path from 'node:path';
import { accumulateClusters, ClusterSums, finishClusters } from './clusters';
import { distributions, SpeciesDistribution } from './distribution';
import { loadField, LoadFieldOptions } from './field';
import { openFieldValuesOnly } from './open-field';
import { NpyFile } from '../npy-file';
import { AnalysisResult, AnalyzeOptions, assembleAnalysis, writeAnalysis } from './run';
import { frameBlocks } from './stats';
import { accumulatePairs, finishPairs, maxPairRange, pairMoments, PairMoments } from './structure';
import { badPartial, fingerprint, newShardPartial, ShardPartial, ShardSpec } from '../shard/partial-file';

export interface AnalysisPiece {
  total: number;
  from: number;
  to: number;
  /** Blocks [firstBlock, firstBlock + pairs.sums.length) of the run's `blocks`. */
  firstBlock: number;
  blocks: number;
  rMax: number;
  species: string[];
  charges: number[];
  provenance: Record<string, unknown>;
  pairs: { sums: number[][]; frames: number[] };
  clusters: Omit<ClusterSums, 'sums' | 'byCount'> & { sums: number[][][]; byCount: number[][][] };
  seconds: number;
}

/** Everything the shard runs with; `out` and `field` as given, LoadFieldOptions without callbacks. */
export interface AnalysisShardOptions extends AnalyzeOptions {
  field: string;
  out: string;
  load: LoadFieldOptions;
}

const usage = (message: string) => Object.assign(new Error(message), { code: 'IONFIELD_USAGE' });

/** Frames [from, to) of blocks [first, last) of `blocks` blocks of `total` frames (frameBlocks' cut). */
function blockFrames(total: number, blocks: number, first: number, last: number): { from: number; to: number } {
  const start = (b: number) => (b >= blocks ? total : Math.ceil((b * total) / blocks));
  return { from: start(first), to: start(last) };
}

export async function analyzeShard(trajectory: string, options: AnalysisShardOptions, shard: ShardSpec): Promise<ShardPartial<AnalysisPiece>> {
  const started = Date.now();
  if (options.pairCutoff === undefined)
    throw usage('analyze --shard needs --pair-cutoff R: by default the cutoff is the first minimum of g_+-(r) over all frames, which no shard sees before it classifies its frames (run once without --shard, or take it from a first sharded run)');
  if (options.load.molecules) throw usage('--shard is not available yet for fields of molecules (a topology with molecules)');
  // The whole field's shape here, its values (for the moments) below: read in chunks, not held.
  const header = NpyFile.open(options.field);
  const total = header.shape[0];
  header.close();
  const blocks = frameBlocks(total, options.blocks ?? 10).blocks;
  if (shard.count > blocks) throw usage(`--shard ${shard.index}/${shard.count}: the field's ${total} frames make ${blocks} jackknife blocks (--blocks), so at most ${blocks} shards`);
  const first = Math.floor((shard.index * blocks) / shard.count), last = Math.floor(((shard.index + 1) * blocks) / shard.count);
  const { from, to } = blockFrames(total, blocks, first, last);
  const field = await loadField(trajectory, options.field, options.load, { from, to });
  const values = openFieldValuesOnly(options.field, field.species, field.charges);
  let m: PairMoments;
  try {
    m = pairMoments(values);
  } finally {
    values.close();
  }
  const rMax = options.rMax ?? maxPairRange(field);
  const bins = options.bins ?? 100;
  const pairs = await accumulatePairs(field, from, total, blocks, m, rMax, bins, options);
  const clusters = await accumulateClusters(field, from, total, blocks, options.pairCutoff, { signal: options.signal, onProgress: options.onProgress });
  const owned = <T>(perBlock: ArrayLike<T>) => Array.from(perBlock).slice(first, last);
  const piece: AnalysisPiece = {
    total, from, to, firstBlock: first, blocks, rMax,
    species: field.species, charges: Array.from(field.charges), provenance: field.provenance ?? {},
    pairs: { sums: owned(pairs.blockSums).map((s) => Array.from(s)), frames: owned(pairs.blockFrames) },
    clusters: { sums: owned(clusters.sums), byCount: owned(clusters.byCount), sizes: clusters.sizes, largest: clusters.largest },
    seconds: (Date.now() - started) / 1000,
  };
  const { onProgress: _p, signal: _s, load, ...rest } = options;
  const { onProgress: _lp, signal: _ls, ...loadRest } = load;
  // outDir: where the merge writes, wherever it runs; out as given names the files in the JSON.
  const recorded = JSON.parse(JSON.stringify({ ...rest, load: loadRest, trajectory, outDir: path.resolve(options.out) }));
  return newShardPartial('analyze', [fingerprint(trajectory), fingerprint(options.field)], recorded, shard, piece);
}

/** The single run's result from every shard's piece (in shard order), written to --out as the single run writes it. */
export async function mergeAnalysisPieces(recorded: Record<string, unknown>, pieces: AnalysisPiece[]): Promise<AnalysisResult & { files: string[] }> {
  const options = recorded as unknown as AnalysisShardOptions;
  pieces.forEach((p, k) => {
    const expected = k === 0 ? 0 : pieces[k - 1].firstBlock + pieces[k - 1].pairs.sums.length;
    if (p.firstBlock !== expected) throw badPartial(`analyze shards do not tile the blocks: a shard starts at block ${p.firstBlock}, expected ${expected}`);
  });
  const [head] = pieces;
  const rMaxes = [...new Set(pieces.map((p) => p.rMax))];
  if (rMaxes.length > 1)
    throw badPartial(`analyze shards took different default rMax (${rMaxes.join(', ')}): the cell changes along the run, so half its smallest width over all frames is not known to any one shard; rerun the shards with --r-max R (R ≤ ${Math.min(...rMaxes)})`);
  // The distributions and moments need every value: read from the field file in chunks (passes).
  const shape = openFieldValuesOnly(options.field, head.species, Float64Array.from(head.charges), head.provenance);
  let dist: SpeciesDistribution[], m: PairMoments;
  try {
    if (shape.frames !== head.total) throw badPartial(`${options.field}: has ${shape.frames} frames, the shards ${head.total} (the file changed)`);
    dist = distributions(shape, { blocks: options.blocks });
    m = pairMoments(shape);
  } finally {
    shape.close();
  }
  const structure = finishPairs(m, pieces.flatMap((p) => p.pairs.sums), pieces.flatMap((p) => p.pairs.frames), rMaxes[0], options.bins ?? 100, head.total);
  const clusterSums: ClusterSums = {
    sums: pieces.flatMap((p) => p.clusters.sums),
    byCount: pieces.flatMap((p) => p.clusters.byCount),
    sizes: sumSizes(pieces.map((p) => p.clusters.sizes)),
    largest: pieces.flatMap((p) => p.clusters.largest),
  };
  const result = await assembleAnalysis(shape, dist, structure, async (cutoff, source) => finishClusters(m.labels, clusterSums, cutoff, source), options);
  const files = writeAnalysis(result, recorded.outDir as string).map((f) => path.join(options.out, f));
  return { ...result, files };
}

/** Cluster counts by size, summed over shards in the single run's key order (first seen, sizes as integers). */
function sumSizes(all: Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const sizes of all) for (const [k, v] of Object.entries(sizes)) out[k] = (out[k] ?? 0) + v;
  return out;
}
