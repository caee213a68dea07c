// `kinosons generate --shard i/n`: a part of the equilibrium states, and the exact merge. Every
// state depends only on its index (independent states) or on its swap-MC chain and its place in
// it (native sample_states), so a shard's states are the single run's; shards own whole chains
// (a chain cut in two would be run from its start by both). The merge concatenates the states in
// order and writes the same FILE.npy and FILE.npy.json as the single run.
import * as fs from 'node:fs';
import { badPartial, fingerprint, newShardPartial, ShardPartial, ShardSpec } from '../shard/partial-file';
import { KinosonConfig, validateConfig } from './config';
import { sampleStates } from './index';
import { chainsOf, writeStatesFiles } from './states-file';
import { LongCallOptions } from '../progress';

export interface GenerateRequest {
  temperature: number;
  states: number;
  set: 'training' | 'validation';
  seed: number;
  /** The FILE.npy the merge writes. */
  out: string;
}

/** One shard's states [first, first + count), base64 of their occupancies (states × sites bytes). */
export interface GeneratePiece {
  first: number;
  count: number;
  sites: number;
  occupancy: string;
  positions: number[];
}

/**
 * Shard i of n: the states of chains [⌊i·C/n⌋, ⌊(i+1)·C/n⌋) where C chains hold ⌈states/C⌉ states
 * each (independent states: every state is its own chain).
 */
export function generateShardRange(config: KinosonConfig, states: number, shard: ShardSpec): { first: number; count: number } {
  const chains = chainsOf(config, states) || states;
  const perChain = Math.ceil(states / chains);
  const used = Math.ceil(states / perChain); // chains that hold at least one state
  if (shard.count > used)
    throw Object.assign(new Error(`--shard ${shard.index}/${shard.count}: the ${states} states come from ${used} ${chainsOf(config, states) ? 'swap-MC chains' : 'independent draws'}, so at most ${used} shards`), { code: 'IONFIELD_USAGE' });
  const first = Math.min(states, Math.floor((shard.index * used) / shard.count) * perChain);
  const last = Math.min(states, Math.floor(((shard.index + 1) * used) / shard.count) * perChain);
  return { first, count: last - first };
}

export async function generateShard(configFile: string, config: KinosonConfig, request: GenerateRequest, shard: ShardSpec, options: LongCallOptions = {}): Promise<ShardPartial<GeneratePiece>> {
  const range = generateShardRange(config, request.states, shard);
  const r = await sampleStates({ ...config, seed: request.seed }, request.temperature, request.states, { ...options, range });
  const piece: GeneratePiece = { ...range, sites: r.sites, occupancy: Buffer.from(r.occupancy.buffer, r.occupancy.byteOffset, r.occupancy.byteLength).toString('base64'), positions: Array.from(r.positions) };
  // The config travels as written (as kinosons kmc's partials carry it): the merge validates it again.
  const raw = JSON.parse(fs.readFileSync(configFile, 'utf8')) as unknown;
  return newShardPartial('kinosons generate', [fingerprint(configFile)], { ...request, config: raw }, shard, piece);
}

/** Writes the single run's FILE.npy and FILE.npy.json from every shard's states; returns its summary. */
export function mergeGeneratePieces(options: Record<string, unknown>, pieces: GeneratePiece[]): Record<string, unknown> {
  const config = validateConfig(options.config, 'the partial\'s config');
  const request = options as unknown as GenerateRequest;
  const sorted = [...pieces].sort((a, b) => a.first - b.first);
  sorted.forEach((p, k) => {
    const expected = k === 0 ? 0 : sorted[k - 1].first + sorted[k - 1].count;
    if (p.first !== expected) throw badPartial(`generate shards do not tile the states: a shard starts at state ${p.first}, expected ${expected}`);
    if (p.sites !== sorted[0].sites) throw badPartial(`generate shards disagree on the lattice: ${p.sites} and ${sorted[0].sites} sites`);
  });
  const last = sorted[sorted.length - 1];
  if (last.first + last.count !== request.states) throw badPartial(`generate shards hold ${last.first + last.count} of the ${request.states} states`);
  const occupancy = Buffer.concat(sorted.map((p) => Buffer.from(p.occupancy, 'base64')));
  if (occupancy.length !== request.states * sorted[0].sites) throw badPartial(`generate shards hold ${occupancy.length} bytes of states, expected ${request.states} × ${sorted[0].sites}`);
  return writeStatesFiles(request.out, config, request.temperature, request.set, request.seed, { states: request.states, sites: sorted[0].sites, occupancy: new Uint8Array(occupancy.buffer, occupancy.byteOffset, occupancy.length), positions: sorted[0].positions });
}
