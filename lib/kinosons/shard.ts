// `kinosons kmc --shard i/n`: a subset of the independent KMC trajectories, and the exact merge.
// Every trajectory's seeds depend only on its index (native/src/lattice/kmc.cpp), so a shard's
// per-trajectory sums are those of the single run bit for bit; the merge concatenates them in
// trajectory order and computes the estimates with the single run's own code (estimate_kmc).
// Shards run the configured steps: the single run's kmc.extend (run everything again, longer,
// when the MSD is not linear) needs all trajectories, so a merged result that would have been
// extended carries a warning saying so.
import * as fs from 'node:fs';
import { native, NativeKmcResult, NativeKmcTrajectories } from '../native';
import { badPartial, fingerprint, newShardPartial, ShardPartial, ShardSpec } from '../shard/partial-file';
import { KinosonConfig, nativeSpec, validateConfig } from './config';
import { kmcNonlinear, KmcReference, kmcReference, runKmcSums } from './index';
import { LongCallOptions } from '../progress';

const PER_TRAJECTORY = ['times', 'tracerSums', 'collective', 'slopeTracer', 'slopeCollective', 'slopeEarly', 'slopeLate', 'slopeCorrelation', 'slopeCollectiveEarly', 'slopeCollectiveLate'] as const;

/** One shard's trajectories [first, first + count) and their per-trajectory arrays (plain arrays for JSON). */
export interface KmcPiece extends NativeKmcTrajectories {
  first: number;
  count: number;
  sites: number;
  steps: number;
  seconds: number;
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
  const piece = { ...range, sites: r.sites, steps: r.steps, seconds: r.seconds } as KmcPiece;
  for (const key of [...PER_TRAJECTORY, 'windowLags'] as const) piece[key] = Array.from(r[key]);
  // The config travels whole, as written (the validated form adds derived keys that validation
  // refuses): the merge validates it again for its species and counts, and refuses other configs.
  const raw = JSON.parse(fs.readFileSync(configFile, 'utf8')) as unknown;
  return newShardPartial('kinosons kmc', [fingerprint(configFile)], { temperature, config: raw }, shard, piece);
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
  const all = { ...Object.fromEntries(PER_TRAJECTORY.map((key) => [key, sorted.flatMap((p) => p[key])])), windowLags: sorted[0].windowLags } as NativeKmcTrajectories;
  const est = native().kinosonsKmcEstimate(nativeSpec(config, temperature), all);
  const sum = (key: 'steps' | 'seconds' | 'count') => sorted.reduce((a, p) => a + p[key], 0);
  const linear = !kmcNonlinear(est);
  const report = kmcReference(config, temperature, { ...est, sites: sorted[0].sites, trajectories: sum('count'), steps: sum('steps'), seconds: sum('seconds') }, [{ steps: config.kmc.steps, seconds: sum('seconds'), linear }]);
  // The single run would now run every trajectory again, twice as long (kmc.extend): shards run
  // the configured steps only, so say so instead of silently differing from it.
  if (!linear && config.kmc.estimator === 'slope' && config.kmc.extend && config.kmc.steps * 2 <= config.kmc.steps * config.kmc.maxExtension)
    report.warnings.unshift(`sharded KMC runs the configured ${config.kmc.steps} jumps per trajectory and does not extend them (kmc.extend): the MSD is not linear over the window, where a single run would run again with ${2 * config.kmc.steps}; set kmc.steps to ${2 * config.kmc.steps} and run the shards again`);
  return report;
}
