// `transport --shard i/n`: one shard of a transport run, and the exact merge of all of them
// (docs/scale-out.md). A shard owns a contiguous run of the single run's jackknife blocks: it
// credits the (origin, lag) pairs whose later frame is in its blocks, and reads the frames before
// them that those pairs reach back to (the lag overlap) for their history only. So the blocks, and
// with them the jackknife errors, are those of the single run; sums agree to round-off.
import { selectedFrames } from '../shard/frames';
import { native } from '../native';
import { openTrajectory, unwrapMethodAt } from '../trajectory';
import { accumulateTransport, maxLagFrames, TransportOptions } from '../transport';
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { mergeUnwrapDoubts, plainSums, sumsFromPlain, TransportMeta, TransportPartial } from './partial';
import { badPartial, fingerprint, newShardPartial, ShardPartial, ShardSpec } from '../shard/partial-file';
import { wholeMoleculeWarnings } from './molecular';
import type { MolecularSystem } from '../topology/molecules';

/** Frames of the whole selection this shard reads and owns (global selection frame numbers). */
export interface TransportShardPlan {
  total: number;
  blockLength: number;
  firstFrame: number;
  ownFrom: number;
  ownTo: number;
  /**
   * Molecular shards of files unwrapped by minimum image: the first frame read (0), before
   * firstFrame, for unwrapping only (absent: reading starts at firstFrame).
   */
  readFrom?: number;
}

/** What one shard contributes: its plan, its metadata and its sums (plain arrays). */
export interface TransportPiece extends TransportShardPlan {
  meta: TransportMeta;
  sums: Record<string, unknown>;
  /** Molecular runs: the sums of the atomic-charge correlator (σ from the atomic partial charges). */
  atomic?: Record<string, unknown>;
}

const usage = (message: string) => Object.assign(new Error(message), { code: 'IONFIELD_USAGE' });

/**
 * Shard i of n gets blocks [floor(i·nb/n), floor((i+1)·nb/n)) of the nb blocks a single run over
 * `total` frames ends with. maxLag: the run's longest lag in frames (-1: all lags up to total − 1,
 * then every shard reads from frame 0 — its compute still splits, its reading does not).
 */
export function planTransportShard(total: number, shard: ShardSpec, maxLag: number): TransportShardPlan {
  const blockLength = native().transportBlockLength(total, 16);
  const blocks = Math.ceil(total / blockLength);
  if (shard.count > blocks)
    throw usage(`--shard ${shard.index}/${shard.count}: the run has ${blocks} jackknife blocks of ${blockLength} frames (${total} frames), so at most ${blocks} shards`);
  const lo = Math.floor((shard.index * blocks) / shard.count), hi = Math.floor(((shard.index + 1) * blocks) / shard.count);
  const ownFrom = lo * blockLength, ownTo = Math.min(total, hi * blockLength);
  const reach = maxLag > 0 ? Math.min(maxLag, total - 1) : total - 1;
  return { total, blockLength, firstFrame: Math.max(0, ownFrom - reach), ownFrom, ownTo };
}

/**
 * What a molecular system contributes to the options that must agree: its species and a checksum
 * of every per-atom array (molecule of each atom, bonds, masses, charges, centre atoms) and of the
 * species of each molecule, so that partials of other molecules (another topology, other name
 * rules or centre atoms) are refused. The topology file itself is an input (fingerprinted).
 */
export function moleculesDigest(system: MolecularSystem): Record<string, unknown> {
  const hash = createHash('sha256');
  for (const a of [system.molecule, system.bonds, system.masses, system.charges, system.centreAtoms ?? new Int32Array(0)])
    hash.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).update('|');
  hash.update(JSON.stringify(system.speciesOf));
  return { topology: path.basename(system.file), atoms: system.molecule.length, molecules: system.speciesOf.length, species: system.species, sha256: hash.digest('hex') };
}

/** The options a transport result depends on (what must agree between shards), JSON-able. */
export function transportShardOptions(options: TransportOptions): Record<string, unknown> {
  const { onProgress: _p, signal: _s, threads: _t, checkpoint: _c, checkpointEvery: _e, resume: _r, shardWindow: _w, onWarning: _o, molecules, ...rest } = options as TransportOptions & { onWarning?: unknown };
  return JSON.parse(JSON.stringify({ ...rest, ...(molecules && { molecules: moleculesDigest(molecules) }) }));
}

/**
 * Runs one shard of `transport file` and returns its shard partial. selectedFrames: the run's
 * frame count when the caller knows it (else the file is scanned); the shard checks that it read
 * the frames that count implies, so a wrong count fails instead of shifting the blocks.
 */
export async function accumulateTransportShard(file: string, options: TransportOptions, shard: ShardSpec, known?: number): Promise<ShardPartial<TransportPiece>> {
  if (options.checkpoint || options.resume) throw usage('--shard does not combine with --checkpoint or --resume (a shard is the unit of restart)');
  const start = options.start ?? 0, stride = options.stride ?? 1;
  const total = await selectedFrames(file, options, known);
  if (total < 3) throw badPartial(`${file}: ${total} frame(s) selected; transport needs at least 3`);
  let maxLag = -1;
  if (options.maxLag !== undefined) {
    // The single run turns --max-lag into frames from its first two frames: so do all shards.
    const head = openTrajectory(file, { ...options, charges: undefined, unwrap: false, start, stop: start + 2 * stride, stride });
    for await (const b of head.batches()) {
      maxLag = maxLagFrames(options, b);
      break;
    }
  }
  const plan: TransportShardPlan = planTransportShard(total, shard, maxLag);
  // Molecules are made whole from continuous atom coordinates: each atom hangs from its parent by
  // the minimum image of the difference of their unwrapped positions. Image flags and continuous
  // files give those positions frame by frame; minimum-image unwrapping accumulates them from the
  // first frame read, so a reader starting later is off by the lattice vectors of the moves
  // before it — removed again by the minimum image in a fixed cell, but in a cell that changes
  // (NPT) a sum of other frames' cell vectors that is not one of this frame's, which moves atoms
  // within their molecule by the cell's change. So such a shard reads from the selection's first
  // frame (its unwrapped coordinates, hence its centres, are then the single run's bit for bit)
  // and correlates only from its window's first frame.
  if (options.molecules && plan.firstFrame > 0)
    for (const at of [0, plan.firstFrame])
      if ((await unwrapMethodAt(file, options, at)) === 'minimum-image') {
        plan.readFrom = 0;
        break;
      }
  const readFrom = plan.readFrom ?? plan.firstFrame;
  // The last shard reads to the selection's end, so that a file longer than `total` is noticed.
  const last = plan.ownTo === total;
  const partial = await accumulateTransport(file, {
    ...options,
    start: start + readFrom * stride,
    stop: last ? options.stop : start + plan.ownTo * stride,
    shardWindow: { firstFrame: plan.firstFrame, ownFrom: plan.ownFrom, blockLength: plan.blockLength, maxLagFrames: maxLag, ...(readFrom < plan.firstFrame && { skip: plan.firstFrame - readFrom }) },
  });
  const read = partial.meta.span?.framesRead ?? 0;
  if (read !== plan.ownTo - plan.firstFrame)
    throw badPartial(`${file}: shard ${shard.index}/${shard.count} expected frames ${plan.firstFrame}–${plan.ownTo - 1} of ${total} selected frames but read ${read} from frame ${plan.firstFrame}: the file is not the one the run was planned for (--selected-frames ${total})`);
  partial.meta.start = start;
  // The topology is an input: partials of another topology file (or another version of it) are refused.
  const inputs = options.molecules ? [fingerprint(file), fingerprint(options.molecules.file)] : [fingerprint(file)];
  return newShardPartial('transport', inputs, transportShardOptions(options), shard, { ...plan, meta: partial.meta, sums: plainSums(partial.sums), ...(partial.atomic && { atomic: plainSums(partial.atomic) }) });
}

/**
 * The single run's partial from all shards' pieces (in shard order): blocks concatenate in frame
 * order, and the frame interval comes from the first and last frame times of the whole run, as
 * the single run computes it.
 */
export function mergeTransportPieces(pieces: TransportPiece[]): TransportPartial {
  const sorted = [...pieces].sort((a, b) => a.ownFrom - b.ownFrom);
  sorted.forEach((p, k) => {
    const expected = k === 0 ? 0 : sorted[k - 1].ownTo;
    if (p.ownFrom !== expected) throw badPartial(`transport shards do not tile the run: a shard starts at frame ${p.ownFrom}, expected ${expected}`);
  });
  const last = sorted[sorted.length - 1];
  if (last.ownTo !== last.total) throw badPartial(`transport shards end at frame ${last.ownTo} of ${last.total}`);
  let sums = sumsFromPlain(sorted[0].sums);
  for (const p of sorted.slice(1)) sums = native().mergeTransportPartials(sums, sumsFromPlain(p.sums));
  // Molecular runs: the atomic-charge correlator's blocks concatenate the same way.
  let atomic = sorted[0].atomic ? sumsFromPlain(sorted[0].atomic) : undefined;
  for (const p of sorted.slice(1)) {
    if (Boolean(p.atomic) !== Boolean(atomic)) throw badPartial('transport shards disagree on what they follow: some hold molecules, some atoms');
    if (atomic && p.atomic) atomic = native().mergeTransportPartials(atomic, sumsFromPlain(p.atomic));
  }
  const first = sorted[0].meta;
  // Each shard counted the suspicious moves of the transitions into its own frames: summed, they
  // are the single run's, and the report words the warning from them. Shards written before the
  // doubt was recorded carry the sentence in their warnings, numbered from their own first frame:
  // merged among themselves they keep it; mixed with newer ones the sentence would be said twice.
  const doubts = sorted.map((p) => p.meta.unwrap);
  if (doubts.some((d) => d) && doubts.some((d) => !d))
    throw badPartial('transport shards of different ionfield versions: some record the unwrapping doubt as data (meta.unwrap), some older ones only as warning text; run the older shards again');
  const unwrap = mergeUnwrapDoubts(doubts);
  const meta: TransportMeta = { ...first, warnings: [...new Set(sorted.flatMap((p) => p.meta.warnings))], ...(unwrap && { unwrap }) };
  delete meta.span;
  if (first.frameIntervalSource === 'time stored in the file' && first.span && last.meta.span && last.total > 2)
    meta.frameInterval = (last.meta.span.lastTime - first.span.firstTime) / (last.total - 1);
  if (first.molecules) {
    // The largest extent and the smallest cell over all frames (every frame is some shard's), and
    // the whole-molecule warning the single run decides from them, last as the single run puts it.
    const reach = Math.max(...sorted.map((p) => p.meta.molecules?.reach ?? 0));
    const cell = Math.min(...sorted.map((p) => p.meta.molecules?.smallestCell ?? Infinity));
    const { smallestCell: _c, ...molecules } = first.molecules;
    meta.molecules = { ...molecules, reach };
    meta.warnings.push(...wholeMoleculeWarnings(molecules.bonds, reach, cell));
  }
  return { schema: 'ionfield.transport-partial/2', meta, sums, ...(atomic && { atomic }) };
}
