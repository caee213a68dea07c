// `predict --shard i/n` (shared models): a contiguous run of the frames, cut at multiples of the
// batch size so that every ONNX Runtime call sees the batch the single run gives it; the shard
// writes its part of the per-ion field (unscaled) and its SharedPredictState. The merge
// concatenates the parts into the field the single run writes (bit for bit: same values, then the
// same in-place scaling to Λ_ML), concatenates the per-frame Λ series (so Λ_ML and its sampling
// error are the single run's) and adds the sums (committee members, species means, domain inputs:
// to round-off).
import * as path from 'node:path';
import { NpyWriter } from '../npy';
import { NpyFile } from '../npy-file';
import { badPartial, fingerprint, newShardPartial, ShardPartial, ShardSpec } from '../shard/partial-file';
import { frameShard, selectedFrames } from '../shard/frames';
import { finishSharedField, SharedPredictReport, SharedPredictState, accumulateShared, sharedReport, spreadPath } from './predict-shared';
import { defaultModelPath, PredictOptions, readModel } from './predict';

export interface PredictPiece {
  total: number;
  from: number;
  to: number;
  state: SharedPredictState;
  /** This shard's unscaled part of the field and of its spread (absent without --out). */
  field: { values: string; spread: string } | null;
}

const usage = (message: string) => Object.assign(new Error(message), { code: 'IONFIELD_USAGE' });

/** The options the result depends on (must agree between shards). */
export function predictShardOptions(options: PredictOptions): Record<string, unknown> {
  const { onProgress: _p, signal: _s, threads: _t, model, ...rest } = options;
  return JSON.parse(JSON.stringify({ ...rest, model: typeof model === 'string' ? model : model.path }));
}

export async function predictShard(trajectory: string, options: PredictOptions, shard: ShardSpec, known?: number): Promise<ShardPartial<PredictPiece>> {
  const modelFile = typeof options.model === 'string' ? options.model : options.model.path;
  const model = readModel(modelFile);
  if (!model.metadata.shared) throw usage(`--shard: ${modelFile} is a per-species model; sharded predict needs a shared model (as the default, ${defaultModelPath()})`);
  const start = options.start ?? 0, stride = options.stride ?? 1, batch = options.batchSize ?? 32;
  const total = await selectedFrames(trajectory, options, known);
  const { from, to } = frameShard(total, shard, batch);
  const part = options.out ? options.out.replace(/\.npy$/i, `.shard-${shard.index}-of-${shard.count}.npy`) : undefined;
  const { state, writers } = await accumulateShared(trajectory, model, { ...options, model, start: start + from * stride, stop: start + to * stride, out: part });
  // The part stays unscaled: the log readout's scale needs every frame (the merge applies it).
  if (writers.writer) writers.writer.closeWith(writers.spreadWriter ? [writers.spreadWriter.handOver()] : []);
  if (state.frames !== to - from)
    throw badPartial(`${trajectory}: shard ${shard.index}/${shard.count} expected frames ${from}–${to - 1} of ${total} but read ${state.frames}: the file is not the one the run was planned for (--selected-frames ${total})`);
  const piece: PredictPiece = { total, from, to, state, field: part ? { values: path.resolve(part), spread: path.resolve(spreadPath(part)) } : null };
  return newShardPartial('predict', [fingerprint(trajectory), fingerprint(modelFile)], predictShardOptions(options), shard, piece);
}

/** Merges all shards' pieces (in shard order) into the single run's report, and its field when --out was given. */
export function mergePredictPieces(options: Record<string, unknown>, pieces: PredictPiece[]): SharedPredictReport {
  const model = readModel(options.model as string);
  const sorted = [...pieces].sort((a, b) => a.from - b.from);
  sorted.forEach((p, k) => {
    const expected = k === 0 ? 0 : sorted[k - 1].to;
    if (p.from !== expected) throw badPartial(`predict shards do not tile the frames: a shard starts at frame ${p.from}, expected ${expected}`);
  });
  const first = sorted[0].state;
  const add = (a: number[], b: number[]) => a.map((v, k) => v + b[k]);
  const state: SharedPredictState = { ...first, frameLambda: [...first.frameLambda], ionSums: [...first.ionSums], stages: { ...first.stages } };
  for (const { state: s } of sorted.slice(1)) {
    state.frames += s.frames;
    for (const v of s.frameLambda) state.frameLambda.push(v);
    state.memberSums = add(state.memberSums, s.memberSums);
    state.memberLogSums = add(state.memberLogSums, s.memberLogSums);
    state.ionSums = add(state.ionSums, s.ionSums);
    state.speciesOwnSum = state.speciesOwnSum.map((row, k) => add(row, s.speciesOwnSum[k]));
    state.seconds += s.seconds;
    for (const k of Object.keys(state.stages) as (keyof SharedPredictState['stages'])[]) state.stages[k] += s.stages[k];
  }
  const out = options.out as string | undefined;
  if (out) {
    const writers = { writer: new NpyWriter(out, 'float32', [state.ions]), spreadWriter: new NpyWriter(spreadPath(out), 'float32', [state.ions]) };
    try {
      for (const p of sorted) {
        if (!p.field) throw badPartial(`predict shard at frame ${p.from} wrote no field`);
        for (const [file, w] of [[p.field.values, writers.writer], [p.field.spread, writers.spreadWriter]] as const) {
          // Appended a chunk of frames at a time: the merge holds no shard's field whole.
          const a = NpyFile.open(file);
          try {
            if (a.dtype !== 'float32' || a.shape.length !== 2 || a.shape[0] !== p.to - p.from || a.shape[1] !== state.ions) throw badPartial(`${file}: expected ${p.to - p.from} × ${state.ions} float32 (a shard's field)`);
            for (const c of a.chunks()) w.append(c.data as Float32Array, c.count);
          } finally {
            a.close();
          }
        }
      }
    } catch (err) {
      writers.writer.abort();
      writers.spreadWriter.abort();
      throw err;
    }
    finishSharedField(model, state, writers);
  }
  return sharedReport(model, state, out);
}
