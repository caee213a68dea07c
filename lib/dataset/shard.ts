// `dataset --shard i/n`: every system's origins split into n contiguous runs; shard i computes the
// descriptors and targets of its run and writes them to <out>/<system>/shard-i-of-n/, with what the
// summary needs (per-origin sums, per-frame cell volumes) in its partial. `ionfield merge` appends
// the parts in frame order into the single run's arrays and replays the sums in the single run's
// order (lib/dataset/sums.ts): the arrays, frames.json and system.json are the single run's bit for
// bit, but for `seconds` (the shards' sum).
//
// What a shard reads: its origins' frames up to the last one's partner frame t0 + τ (the lag
// overlap), and the single run's frame clock from the selection's first two frames. Where the file
// is unwrapped by minimum-image continuity (XTC, DCD, XYZ and dumps without image flags), an
// unwrapped position depends on every earlier frame, so the shard reads from the selection's first
// frame (positions only: descriptors and targets are computed for its own origins); files with
// image flags or unwrapped columns, and packed continuous files, are read from the shard's first
// origin.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bindSet, loadSet } from '../descriptor-sets';
import {
  chargeLabelsOf, DatasetOptions, DatasetSummary, featureColumns, expandedSetJson, finishSystem, labellingOf, loadManifest as loadFamilyManifest,
  passSystem, SystemContext, SystemMeta, SystemWindow, systemConditions, systemName, systemRequest, writeDatasetJson, SystemEntry,
} from '../dataset';
import { FrameClock, readClock } from './clock';
import { OriginSums, SystemSums } from './sums';
import { NpyWriter, readNpy } from '../npy';
import { unwrapMethodAt } from '../trajectory';
import { badPartial, fingerprint, newShardPartial, ShardPartial, ShardSpec } from '../shard/partial-file';
import { selectedFrames } from '../shard/frames';
import { makeDirectory } from '../atomic-file';

/** One system's part in one shard. */
export interface DatasetSystemPart {
  name: string;
  total: number;
  window: SystemWindow;
  origins: { frame: number; step: number; time: number }[];
  originSums: OriginSums[];
  volumes: number[];
  natoms: number;
  K: number;
  meta: SystemMeta;
  /** Per centre species: atom indices of its rows, and its feature count. */
  rows: Record<string, number[]>;
  features: Record<string, number>;
  /** Folder (absolute) of this part's features-S.npy and lambda-S.npy. */
  arrays: string;
  seconds: number;
}

export interface DatasetPiece {
  systems: DatasetSystemPart[];
}

/** Sums of seconds kept to the milliseconds they were measured in. */
const milliseconds = (s: number) => Math.round(s * 1000) / 1000;

const usage = (message: string) => Object.assign(new Error(message), { code: 'IONFIELD_USAGE' });

/**
 * Whether a read from frame `from` gives the positions a read from the selection's first frame
 * gives, bit for bit: so when neither reader unwraps by minimum image (a reader leaves minimum
 * image only for the file's own coordinates, never goes back to it), or the file is continuous.
 */
async function framesIndependent(trajectory: string, options: DatasetOptions, continuous: boolean, from: number): Promise<boolean> {
  if (continuous || from === 0) return true;
  const selection = { format: options.format, typeMap: options.typeMap, types: labellingOf(trajectory, options).types, start: options.start };
  for (const at of [0, from]) if ((await unwrapMethodAt(trajectory, selection, at)) === 'minimum-image') return false;
  return true;
}

/**
 * The window of shard i of n over a system of `total` frames: origins (every `stride`-th frame
 * with a partner τ frames later) split into n contiguous runs; volumes of frames [ownFrom,
 * volumeTo) tile the selection.
 */
export function planDatasetShard(total: number, clock: FrameClock, stride: number, shard: ShardSpec, independent: boolean): Omit<SystemWindow, 'clock'> {
  const origins = total - 1 >= clock.tauFrames ? Math.floor((total - 1 - clock.tauFrames) / stride) + 1 : 0;
  if (shard.count > origins) throw usage(`--shard ${shard.index}/${shard.count}: ${origins} origin frame(s) with a partner τ later, so at most ${origins} shards`);
  const a = Math.floor((shard.index * origins) / shard.count), b = Math.floor(((shard.index + 1) * origins) / shard.count);
  const last = shard.index === shard.count - 1;
  const ownFrom = a * stride, ownTo = last ? total : b * stride;
  const volumeTo = last ? total : b * stride;
  return { readFrom: independent ? ownFrom : 0, readTo: last ? null : Math.min(total, Math.max(volumeTo, (b - 1) * stride + clock.tauFrames + 1)), ownFrom, ownTo, volumeTo };
}

function contexts(trajectories: string[], out: string, options: DatasetOptions) {
  const def = typeof options.set === 'string' ? loadSet(options.set) : options.set;
  const setKey = JSON.stringify(def);
  const manifest = loadFamilyManifest(options.manifest);
  const names = options.names ?? trajectories.map(systemName);
  if (names.length !== trajectories.length) throw usage(`${names.length} names for ${trajectories.length} trajectories`);
  const dup = names.find((n, k) => names.indexOf(n) !== k);
  if (dup) throw usage(`two trajectories have the system name '${dup}'; pass names`);
  const ctxs: SystemContext[] = trajectories.map((trajectory, k) => ({
    name: names[k],
    trajectory,
    dir: path.join(out, names[k]),
    def,
    setSource: def.source,
    manifestEntry: manifest?.systems.find((s) => s.name === names[k]) ?? null,
    request: systemRequest(trajectory, setKey, options),
  }));
  return { def, ctxs };
}

/** The options a dataset's result depends on, as the partial records them (JSON; no callbacks). */
function recordedOptions(trajectories: string[], out: string, options: DatasetOptions): Record<string, unknown> {
  const { onProgress: _p, signal: _s, threads: _t, onSystem: _o, ...rest } = options;
  return JSON.parse(JSON.stringify({ ...rest, trajectories, out: path.resolve(out) }));
}

export async function datasetShard(trajectories: string[], out: string, options: DatasetOptions, shard: ShardSpec, known?: number[]): Promise<ShardPartial<DatasetPiece>> {
  if (options.molecules) throw usage('--shard is not available yet for datasets of molecules (a topology with molecules): run it as one process');
  if (known && known.length !== trajectories.length) throw usage(`--selected-frames: ${known.length} counts for ${trajectories.length} trajectories`);
  for (const t of trajectories) if (!fs.existsSync(t)) throw badPartial(`${t}: no such file`);
  if (options.labelBy === 'charge' && !options.species) options = { ...options, species: await chargeLabelsOf(trajectories, options) };
  const { ctxs } = contexts(trajectories, out, options);
  const stride = options.originStride ?? 1;
  const systems: DatasetSystemPart[] = [];
  for (const [k, ctx] of ctxs.entries()) {
    const started = Date.now();
    const cond = systemConditions(ctx, options);
    const total = await selectedFrames(ctx.trajectory, { format: options.format, start: options.start, stop: options.stop }, known?.[k]);
    const clock = await readClock(ctx.trajectory, options, cond.timestep, options.tau, options.tauShort);
    const planned = planDatasetShard(total, clock, stride, shard, true);
    const window: SystemWindow = { ...planDatasetShard(total, clock, stride, shard, await framesIndependent(ctx.trajectory, options, cond.continuous, planned.ownFrom)), clock };
    const arrays = path.resolve(ctx.dir, `shard-${shard.index}-of-${shard.count}`);
    const undo = makeDirectory(arrays);
    const pass = await passSystem(ctx, options, arrays, undo, window);
    const expected = (window.readTo ?? total) - window.readFrom;
    if (pass.framesRead !== expected) {
      for (const w of Object.values(pass.writers)) (w.features.abort(), w.lambda.abort());
      undo();
      throw badPartial(`${ctx.trajectory}: shard ${shard.index}/${shard.count} expected frames ${window.readFrom}–${window.readFrom + expected - 1} of ${total} selected frames but read ${pass.framesRead}: the file is not the one the run was planned for`);
    }
    for (const w of Object.values(pass.writers)) (w.features.close(), w.lambda.close());
    systems.push({
      name: ctx.name, total, window, origins: pass.origins, originSums: pass.originSums, volumes: pass.volumes, natoms: pass.natoms, K: pass.K, meta: pass.meta,
      rows: Object.fromEntries(Object.entries(pass.writers).map(([s, w]) => [s, w.rowsOf.map((r) => pass.map.rows[r])])),
      features: Object.fromEntries(Object.keys(pass.writers).map((s) => [s, pass.bound.columns[s].length])),
      arrays, seconds: (Date.now() - started) / 1000,
    });
  }
  const inputs = [...trajectories, ...[options.set, options.manifest].filter((f): f is string => typeof f === 'string' && fs.existsSync(f))].map(fingerprint);
  return newShardPartial('dataset', inputs, recordedOptions(trajectories, out, options), shard, { systems });
}

/** One system from its parts (in shard order): arrays appended, sums replayed, then finishSystem. */
async function mergeSystem(ctx: SystemContext, parts: DatasetSystemPart[], options: DatasetOptions): Promise<SystemEntry> {
  parts.forEach((p, k) => {
    const from = k === 0 ? 0 : parts[k - 1].window.volumeTo;
    if (p.window.ownFrom !== from) throw badPartial(`dataset shards of ${ctx.name} do not tile the frames: a shard starts at frame ${p.window.ownFrom}, expected ${from}`);
  });
  const last = parts[parts.length - 1];
  if (last.window.volumeTo !== last.total) throw badPartial(`dataset shards of ${ctx.name} end at frame ${last.window.volumeTo} of ${last.total}`);
  const first = parts[0];
  fs.mkdirSync(ctx.dir, { recursive: true });
  const writers: Parameters<typeof finishSystem>[1]['writers'] = {};
  try {
    for (const [s, rows] of Object.entries(first.rows)) {
      // rowsOf only gives finishSystem the species' ion count here: the rows' atoms are in `rows`.
      const w = { rowsOf: rows, features: new NpyWriter(path.join(ctx.dir, `features-${s}.npy`), 'float32', [rows.length, first.features[s]]), lambda: new NpyWriter(path.join(ctx.dir, `lambda-${s}.npy`), 'float64', [rows.length]) };
      writers[s] = w;
      for (const p of parts) {
        const f = readNpy(path.join(p.arrays, `features-${s}.npy`)), l = readNpy(path.join(p.arrays, `lambda-${s}.npy`));
        if (f.shape[0] !== p.origins.length || l.shape[0] !== p.origins.length) throw badPartial(`${p.arrays}: ${f.shape[0]} rows of features-${s}.npy for ${p.origins.length} origins (a shard's part changed since it was written?)`);
        w.features.append(f.data, f.shape[0]);
        w.lambda.append(l.data, l.shape[0]);
      }
    }
    const sums = new SystemSums();
    for (const p of parts) {
      for (const o of p.originSums) sums.addOrigin(o);
      for (const v of p.volumes) sums.addVolume(v);
    }
    const cond = systemConditions(ctx, options);
    const pass = { writers, origins: parts.flatMap((p) => p.origins), sums, natoms: first.natoms, K: first.K, meta: first.meta, clock: first.window.clock, rows: first.rows, ...cond };
    return await finishSystem(ctx, pass, options, milliseconds(parts.reduce((a, p) => a + p.seconds, 0)));
  } catch (err) {
    for (const w of Object.values(writers)) (w.features.abort(), w.lambda.abort());
    throw err;
  }
}

/** The single run's dataset folder and build summary from every shard's piece (in shard order). */
export async function mergeDatasetPieces(recorded: Record<string, unknown>, pieces: DatasetPiece[]): Promise<DatasetSummary> {
  const options = recorded as unknown as DatasetOptions;
  const trajectories = recorded.trajectories as string[], out = recorded.out as string;
  const { def, ctxs } = contexts(trajectories, out, options);
  const entries: SystemEntry[] = [];
  for (const [k, ctx] of ctxs.entries()) entries.push(await mergeSystem(ctx, pieces.map((p) => p.systems[k]), options));
  // The columns of the last system, as the single run takes them from the last system it built.
  const lastMeta = pieces[0].systems[ctxs.length - 1].meta;
  const bound = bindSet(def, options.species ?? lastMeta.labels, options.scale ?? 1);
  const columns = featureColumns(bound, { rows: new Int32Array(0), speciesIndex: new Int32Array(0), rowSpecies: [] });
  const species = Object.keys(entries[entries.length - 1].ions);
  const dataset = writeDatasetJson(out, entries, def, options, { columns, setJson: expandedSetJson(bound, def, options.scale ?? 1), species });
  const systems = entries.map((e) => ({ name: e.name, frames: e.frames, lambdaMean: e.lambdaMean, ehAtTau: e.ehAtTau, sumRuleRelativeError: e.sumRuleRelativeError, skipped: false }));
  return {
    schema: 'ionfield.dataset-build/2',
    output: out,
    dataset,
    systems,
    maxSumRuleRelativeError: Math.max(...systems.map((r) => r.sumRuleRelativeError)),
    seconds: milliseconds(entries.reduce((a, e) => a + e.seconds, 0)),
  };
}
