// Frame shards of commands that stream frames in batches (predict, descriptors): whole batches per
// shard, so every batch-level call (ONNX Runtime, the descriptor kernels) sees the single run's
// batches; and the selection's frame count that fixes the cut.
import { countFrames, InfoOptions } from '../info';
import { ShardSpec } from './partial-file';

/** Shard i of n: batches [floor(i·nb/n), floor((i+1)·nb/n)) of the nb batches of `batch` frames. */
export function frameShard(total: number, shard: ShardSpec, batch: number): { from: number; to: number } {
  const batches = Math.ceil(total / batch);
  if (shard.count > batches)
    throw Object.assign(new Error(`--shard ${shard.index}/${shard.count}: ${total} frames make ${batches} batches of ${batch}, so at most ${batches} shards`), { code: 'IONFIELD_USAGE' });
  return { from: Math.floor((shard.index * batches) / shard.count) * batch, to: Math.min(total, Math.floor(((shard.index + 1) * batches) / shard.count) * batch) };
}

/**
 * The selected frame count unless the caller knows it: the file's frames counted by skipping
 * (countFrames: XTC headers, DCD seeks), not decoded — the shards validate the frames they read.
 */
export async function selectedFrames(file: string, options: Pick<InfoOptions, 'format' | 'allow' | 'timestep'> & { start?: number; stop?: number; stride?: number }, known?: number): Promise<number> {
  if (known !== undefined) return known;
  const frames = await countFrames(file, { format: options.format, allow: options.allow });
  return Math.max(0, Math.ceil((Math.min(options.stop ?? frames, frames) - (options.start ?? 0)) / (options.stride ?? 1)));
}

