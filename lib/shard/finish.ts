// The last step of a sharded run: from a partial holding every shard to the result the single
// run gives (the same JSON as the command's --json / --out). One finisher per sharded command.
import { mergeKmcPieces, KmcPiece } from '../kinosons/shard';
import { transportReport, TransportOptions } from '../transport';
import { mergeTransportPieces, TransportPiece } from '../transport/shard';
import { mergePredictPieces, PredictPiece } from '../model/predict-shard';
import { DescriptorsPiece, mergeDescriptorsPieces } from '../descriptors-shard';
import { badPartial, missingShards, ShardPartial } from './partial-file';

const finishers: Record<string, (p: ShardPartial) => unknown> = {
  transport: (p) => transportReport(mergeTransportPieces(p.pieces as TransportPiece[]), p.options as unknown as TransportOptions),
  'kinosons kmc': (p) => mergeKmcPieces(p.options, p.pieces as KmcPiece[]),
  // Shards follow atoms only (molecular runs are refused with --shard), as the single run's JSON says.
  predict: (p) => ({ ...(mergePredictPieces(p.options, p.pieces as PredictPiece[]) as object), centres: 'atoms' }),
  descriptors: (p) => ({ ...(mergeDescriptorsPieces(p.options, p.pieces as DescriptorsPiece[]) as object), centres: 'atoms' }),
};

export function finishShards(partial: ShardPartial & { file?: string }): unknown {
  const missing = missingShards(partial);
  if (missing.length) throw badPartial(`${partial.file ?? 'partial'}: shards ${missing.join(', ')} of ${partial.shards.count} are missing`);
  const finish = finishers[partial.command];
  if (!finish) throw badPartial(`${partial.file ?? 'partial'}: no merge for command '${partial.command}' (this ionfield merges ${Object.keys(finishers).join(', ')})`);
  return finish(partial);
}
