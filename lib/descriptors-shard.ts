// `descriptors --shard i/n`: a contiguous run of whole batches of frames written to its own part
// (<out>.shard-i-of-n.npy and its columns file); descriptors of a frame depend on that frame only,
// so the merge — the parts appended in frame order, the column description's frame count, steps
// and checksum updated — writes the array and description the single run writes, bit for bit.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { discardTemporary, temporaryFor } from './atomic-file';
import { columnsPathFor, DescriptorRunOptions, DescriptorSummary, writeDescriptors } from './descriptors';
import { NpyWriter, readNpy } from './npy';
import { badPartial, fingerprint, newShardPartial, ShardPartial, ShardSpec } from './shard/partial-file';
import { frameShard, selectedFrames } from './shard/frames';
import { upgradeLegacyDocument } from './legacy-document';

export interface DescriptorsPiece {
  total: number;
  from: number;
  to: number;
  /** This shard's array and column description (absolute paths), and its summary. */
  array: string;
  columns: string;
  summary: DescriptorSummary;
}

export async function descriptorsShard(trajectory: string, out: string, options: DescriptorRunOptions, shard: ShardSpec, known?: number): Promise<ShardPartial<DescriptorsPiece>> {
  const total = await selectedFrames(trajectory, options, known);
  const { from, to } = frameShard(total, shard, options.batchSize ?? 16);
  const start = options.start ?? 0, stride = options.stride ?? 1;
  const part = out.replace(/\.npy$/i, `.shard-${shard.index}-of-${shard.count}.npy`);
  const summary = await writeDescriptors(trajectory, part, { ...options, start: start + from * stride, stop: start + to * stride, columnsPath: undefined });
  if (summary.frames !== to - from) throw badPartial(`${trajectory}: shard ${shard.index}/${shard.count} expected frames ${from}–${to - 1} of ${total} but read ${summary.frames}`);
  const { onProgress: _p, signal: _s, threads: _t, ...rest } = options;
  const recorded = JSON.parse(JSON.stringify({ ...rest, out, set: typeof options.set === 'string' ? options.set : options.set.name }));
  const inputs = [fingerprint(trajectory), ...(typeof options.set === 'string' && fs.existsSync(options.set) ? [fingerprint(options.set)] : [])];
  return newShardPartial('descriptors', inputs, recorded, shard, { total, from, to, array: path.resolve(part), columns: path.resolve(summary.columns), summary });
}

/** Appends the parts into the single run's array and description; returns its summary. */
export function mergeDescriptorsPieces(options: Record<string, unknown>, pieces: DescriptorsPiece[]): DescriptorSummary {
  const sorted = [...pieces].sort((a, b) => a.from - b.from);
  sorted.forEach((p, k) => {
    if (p.from !== (k === 0 ? 0 : sorted[k - 1].to)) throw badPartial(`descriptors shards do not tile the frames: a shard starts at frame ${p.from}`);
  });
  const out = options.out as string;
  const columnsPath = (options.columnsPath as string | undefined) ?? columnsPathFor(out);
  const doc = upgradeLegacyDocument(JSON.parse(fs.readFileSync(sorted[0].columns, 'utf8')));
  const [, rows, features] = doc.shape as number[];
  const writer = new NpyWriter(out, 'float32', [rows, features]);
  const steps: number[] = [];
  const columnsTmp = temporaryFor(columnsPath);
  try {
    for (const p of sorted) {
      const a = readNpy(p.array);
      if (!(a.data instanceof Float32Array) || a.shape[0] !== p.to - p.from || a.shape[1] !== rows || a.shape[2] !== features)
        throw badPartial(`${p.array}: expected ${p.to - p.from} × ${rows} × ${features} float32 (a shard's descriptors)`);
      writer.append(a.data, a.shape[0]);
      steps.push(...(JSON.parse(fs.readFileSync(p.columns, 'utf8')).frames.steps as number[]));
    }
    const frames = sorted[sorted.length - 1].to;
    Object.assign(doc, { array: out, shape: [frames, rows, features], frames: { count: frames, steps }, arraySha256: writer.finish() });
    fs.writeFileSync(columnsTmp, JSON.stringify(doc, null, 1) + '\n');
    writer.closeWith([{ tmp: columnsTmp, destination: columnsPath }]);
  } catch (err) {
    writer.abort();
    discardTemporary(columnsTmp);
    throw err;
  }
  const seconds = sorted.reduce((a, p) => a + p.summary.seconds, 0);
  const frames = sorted[sorted.length - 1].to;
  return { ...sorted[0].summary, output: out, columns: columnsPath, shape: [frames, rows, features], frames, seconds, framesPerSecond: seconds > 0 ? frames / seconds : 0 };
}
