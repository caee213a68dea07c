// `kinosons kmc --shard i/n`: a subset of the independent KMC trajectories, and the exact merge.
// Every trajectory's seeds depend only on its index (native/src/lattice/kmc.cpp), so a shard's
// per-trajectory sums are those of the single run bit for bit; the merge concatenates them in
// trajectory order and computes the estimates with the single run's own code (estimate_kmc).
import { native, NativeKmcResult } from '../native';
import { badPartial, fingerprint, newShardPartial, ShardPartial, ShardSpec } from '../shard/partial-file';
import { KinosonConfig, nativeSpec, validateConfig } from './config';
import { KmcReference, kmcReference, runKmcSums } from './index';
import { LongCallOptions } from '../progress';

/** One shard's trajectories [first, first + count) and their raw sums (plain arrays for JSON). */
export interface KmcPiece {
  first: number;
  count: number;
  sites: number;
  steps: number;
  seconds: number;
  nn2: number;
  stepsPerTrajectory: number;
  times: number[];
  tracerSums: number[];
  collective: number[];
}

/** Shard i of n runs trajectories [floor(i·N/n), floor((i+1)·N/n)). */
export function kmcShardRange(trajectories: number, shard: ShardSpec): { first: number; count: number } {
  if (shard.count > trajectories)
    throw Object.assign(new Error(`--shard ${shard.index}/${shard.count}: the config has ${trajectories} KMC trajectories, so at most ${trajectories} shards`), { code: 'IONFIELD_USAGE' });
  const first = Math.floor((shard.index * trajectories) / shard.count);
  return { first, count: Math.floor(((shard.index + 1) * trajectories) / shard.count) - first };
}

export async function runKmcShard(configFile: string, config: KinosonConfig, temperature: number, shard: ShardSpec, options: LongCallOptions = {}): Promise<ShardPartial<KmcPiece>> {
  const range = kmcShardRange(config.kmc.trajectories, shard);
  const r: NativeKmcResult = await runKmcSums(config, temperature, { ...options, trajectories: range });
  const piece: KmcPiece = {
    ...range,
    sites: r.sites,
    steps: r.steps,
    seconds: r.seconds,
    nn2: r.nn2,
    stepsPerTrajectory: r.stepsPerTrajectory,
    times: Array.from(r.times),
    tracerSums: Array.from(r.tracerSums),
    collective: Array.from(r.collective),
  };
  // The config travels whole: the merge needs its species and counts, and refuses other configs.
  return newShardPartial('kinosons kmc', [fingerprint(configFile)], { temperature, config }, shard, piece);
}

/** The single run's report from all shards' pieces. `seconds` is the sum of the shards' times. */
export function mergeKmcPieces(options: Record<string, unknown>, pieces: KmcPiece[]): KmcReference {
  const config = validateConfig(options.config, 'the partial\'s config');
  const temperature = options.temperature as number;
  const sorted = [...pieces].sort((a, b) => a.first - b.first);
  sorted.forEach((p, k) => {
    const expected = k === 0 ? 0 : sorted[k - 1].first + sorted[k - 1].count;
    if (p.first !== expected) throw badPartial(`KMC shards do not tile the trajectories: a shard starts at trajectory ${p.first}, expected ${expected}`);
  });
  const concat = (key: 'times' | 'tracerSums' | 'collective') => sorted.flatMap((p) => p[key]);
  const spec = nativeSpec(config, temperature);
  const est = native().kinosonsKmcEstimate({
    species: config.species.length,
    counts: spec.counts,
    sites: sorted[0].sites,
    nn2: sorted[0].nn2,
    steps: sorted[0].stepsPerTrajectory,
    times: concat('times'),
    tracerSums: concat('tracerSums'),
    collective: concat('collective'),
  });
  const sum = (key: 'steps' | 'seconds' | 'count') => sorted.reduce((a, p) => a + p[key], 0);
  return kmcReference(config, temperature, { sites: sorted[0].sites, trajectories: sum('count'), steps: sum('steps'), seconds: sum('seconds'), tracer: est.tracer, onsager: est.onsager });
}
