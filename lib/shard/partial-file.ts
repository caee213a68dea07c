// The shard partial file ("ionfield.shard-partial/2", docs/scale-out.md): what one `--shard i/n`
// run writes and what `ionfield merge` combines. Self-describing: the command, its inputs with
// checksums, the options the result depends on, which shards it holds, and the command's own
// accumulators (`pieces`, one per shard, kept apart so that any grouping of merges gives the same
// pieces and so the same final result, bit for bit).
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../atomic-file';
import { packageVersion } from '../model/train';
import { upgradeLegacyDocument } from '../legacy-document';

export const SHARD_SCHEMA = 'ionfield.shard-partial/2';

/** One input file: the merge refuses partials whose inputs differ in any byte we hashed. */
export interface InputFingerprint {
  path: string;
  bytes: number;
  sha256: string;
  /** 'whole file', or for files over 256 MiB 'first and last 16 MiB' (hashing every byte per shard would cost a full read). */
  hashed: string;
}

export interface ShardPartial<Piece = unknown> {
  schema: typeof SHARD_SCHEMA;
  command: string;
  ionfield: string;
  inputs: InputFingerprint[];
  /** Everything the result depends on, as the command line gave it (canonical JSON compares them). */
  options: Record<string, unknown>;
  /** Total number of shards of the run, and the indices (0-based) this file holds. */
  shards: { count: number; indices: number[] };
  pieces: Piece[];
}

/** A `--shard i/n` value: 0 <= i < n. */
export interface ShardSpec {
  index: number;
  count: number;
}

export function parseShard(text: string): ShardSpec {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN, count = m ? Number(m[2]) : NaN;
  if (!m || !(count >= 1) || !(index < count))
    throw Object.assign(new Error(`--shard: '${text}' is not i/n with 0 <= i < n (shards count from 0, as Slurm array task ids do)`), { code: 'IONFIELD_USAGE' });
  return { index, count };
}

const SAMPLE = 16 * 1024 * 1024;

/**
 * The input's size and SHA-256: of the whole file up to 16 samples, else of its first and last
 * sample (16 MiB by default; a trajectory table's shards fingerprint every row's file with 1 MiB
 * samples, since each shard would otherwise read them all).
 */
export function fingerprint(file: string, sample = SAMPLE): InputFingerprint {
  const SAMPLE = sample;
  const resolved = path.resolve(file);
  const bytes = fs.statSync(resolved).size;
  const hash = createHash('sha256');
  const fd = fs.openSync(resolved, 'r');
  try {
    const read = (from: number, length: number) => {
      const buffer = Buffer.alloc(1 << 20);
      for (let at = from; at < from + length; ) {
        const n = fs.readSync(fd, buffer, 0, Math.min(buffer.length, from + length - at), at);
        if (n <= 0) break;
        hash.update(buffer.subarray(0, n));
        at += n;
      }
    };
    if (bytes <= 16 * SAMPLE) read(0, bytes);
    else {
      read(0, SAMPLE);
      read(bytes - SAMPLE, SAMPLE);
    }
  } finally {
    fs.closeSync(fd);
  }
  return { path: resolved, bytes, sha256: hash.digest('hex'), hashed: bytes <= 16 * SAMPLE ? 'whole file' : `first and last ${SAMPLE / 2 ** 20} MiB` };
}

export function badPartial(message: string): Error {
  return Object.assign(new Error(message), { code: 'IONFIELD_BAD_INPUT' });
}

export function saveShardPartial(file: string, partial: ShardPartial): void {
  writeFileAtomic(file, JSON.stringify(partial) + '\n');
}

export function loadShardPartial(file: string): ShardPartial & { file: string } {
  let raw: ShardPartial;
  try {
    raw = upgradeLegacyDocument(JSON.parse(fs.readFileSync(file, 'utf8')));
  } catch (err) {
    throw badPartial(`${file}: not a readable shard partial (${(err as Error).message})`);
  }
  if (raw?.schema !== SHARD_SCHEMA) throw badPartial(`${file}: expected schema ${SHARD_SCHEMA}, got ${JSON.stringify(raw?.schema)}`);
  if (!Array.isArray(raw.pieces) || !Array.isArray(raw.shards?.indices) || raw.pieces.length !== raw.shards.indices.length)
    throw badPartial(`${file}: expected one piece per shard index`);
  return { ...raw, file };
}

export function newShardPartial<Piece>(command: string, inputs: InputFingerprint[], options: Record<string, unknown>, shard: ShardSpec, piece: Piece): ShardPartial<Piece> {
  return { schema: SHARD_SCHEMA, command, ionfield: packageVersion(), inputs, options, shards: { count: shard.count, indices: [shard.index] }, pieces: [piece] };
}

/** Canonical JSON (sorted keys), so that option objects compare by content. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value).sort().filter((k) => (value as Record<string, unknown>)[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(value);
}

/**
 * Combines shard partials of one run: same command, inputs, options and shard count, no shard
 * twice. Pieces come out sorted by shard index, so the result does not depend on the order or the
 * grouping of merges. Each refusal names the two files and what differs.
 */
export function combineShardPartials<Piece>(partials: (ShardPartial<Piece> & { file: string })[]): ShardPartial<Piece> & { file: string } {
  if (!partials.length) throw badPartial('no partials to merge');
  const [first] = partials;
  const seen = new Map<number, string>();
  const pieces: { index: number; piece: Piece }[] = [];
  for (const p of partials) {
    const against = `${p.file} and ${first.file}`;
    if (p.command !== first.command) throw badPartial(`cannot merge ${against}: different commands (${p.command} vs ${first.command})`);
    if (p.shards.count !== first.shards.count) throw badPartial(`cannot merge ${against}: different shard counts (${p.shards.count} vs ${first.shards.count})`);
    if (p.inputs.length !== first.inputs.length)
      throw badPartial(`cannot merge ${against}: different numbers of inputs (${p.inputs.length}: ${p.inputs.map((i) => path.basename(i.path)).join(', ')} vs ${first.inputs.length}: ${first.inputs.map((i) => path.basename(i.path)).join(', ')})`);
    p.inputs.forEach((input, k) => {
      const other = first.inputs[k];
      if (input.sha256 !== other.sha256 || input.bytes !== other.bytes)
        throw badPartial(`cannot merge ${against}: input ${k + 1} differs (${input.path}: ${input.bytes} bytes, sha256 ${input.sha256.slice(0, 12)}… vs ${other.path}: ${other.bytes} bytes, sha256 ${other.sha256.slice(0, 12)}…)`);
    });
    const keys = new Set([...Object.keys(p.options), ...Object.keys(first.options)]);
    for (const key of [...keys].sort())
      if (canonical(p.options[key]) !== canonical(first.options[key]))
        throw badPartial(`cannot merge ${against}: option ${key} differs (${canonical(p.options[key])} vs ${canonical(first.options[key])})`);
    p.shards.indices.forEach((index, k) => {
      if (seen.has(index)) throw badPartial(`cannot merge ${against}: shard ${index}/${p.shards.count} is in both ${seen.get(index)} and ${p.file}`);
      seen.set(index, p.file);
      pieces.push({ index, piece: p.pieces[k] });
    });
  }
  pieces.sort((a, b) => a.index - b.index);
  return { ...first, file: partials.map((p) => p.file).join(' + '), shards: { count: first.shards.count, indices: pieces.map((p) => p.index) }, pieces: pieces.map((p) => p.piece) };
}

/** Shard indices (0-based) a merged partial still lacks. */
export function missingShards(p: ShardPartial): number[] {
  const have = new Set(p.shards.indices);
  return Array.from({ length: p.shards.count }, (_, i) => i).filter((i) => !have.has(i));
}
