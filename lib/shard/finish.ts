// The last step of a sharded run: from a partial holding every shard to the result the single
// run gives (the same JSON as the command's --json / --out). One finisher per sharded command.
import { mergeKmcPieces, KmcPiece } from '../kinosons/shard';
import { transportReport, TransportOptions } from '../transport';
import { mergeTransportPieces, TransportPiece } from '../transport/shard';
import { mergePredictPieces, PredictPiece } from '../model/predict-shard';
import { DescriptorsPiece, mergeDescriptorsPieces } from '../descriptors-shard';
import { badPartial, missingShards, ShardPartial } from './partial-file';

import { DatasetPiece, mergeDatasetPieces } from '../dataset/shard';
import { finishTable } from '../table/shard';
import { AnalysisPiece, mergeAnalysisPieces } from '../analysis/shard';
import { mergeReportPieces, ReportPiece } from '../kinosons/report';
import { GeneratePiece, mergeGeneratePieces } from '../kinosons/generate-shard';
import { FIT_COMMAND, mergeFitPieces } from '../kinosons/fit-shard';

// A finisher may write files (the arrays of predict, descriptors, dataset) and may be async.
const finishers: Record<string, (p: ShardPartial) => unknown> = {
  transport: (p) => transportReport(mergeTransportPieces(p.pieces as TransportPiece[]), p.options as unknown as TransportOptions),
  'kinosons report': (p) => mergeReportPieces(p.options, p.pieces as ReportPiece[]),
  'kinosons kmc': (p) => mergeKmcPieces(p.options, p.pieces as KmcPiece[]),
  // Writes FILE.npy and FILE.npy.json as the single run; the result is its summary.
  'kinosons generate': (p) => mergeGeneratePieces(p.options, p.pieces as GeneratePiece[]),
  // Solves the merged normal equations and runs the validation (and the KMC comparison unless the shards had --no-kmc).
  [FIT_COMMAND]: (p) => mergeFitPieces(p),
  // Shards follow atoms only (molecular runs are refused with --shard), as the single run's JSON says.
  predict: (p) => ({ ...(mergePredictPieces(p.options, p.pieces as PredictPiece[]) as object), centres: 'atoms' }),
  // Shards of datasets of molecules are refused, so the merged summary is of atoms (as the single run says).
  dataset: async (p) => ({ ...(await mergeDatasetPieces(p.options, p.pieces as DatasetPiece[])), centres: 'atoms' }),
  // Fields of molecules are refused with --shard: the merged result is of atoms, as the single run says.
  analyze: async (p) => ({ ...(await mergeAnalysisPieces(p.options, p.pieces as AnalysisPiece[])), centres: 'atoms' }),
  // Trajectory tables: each row merged by its command's own finisher (the row is that command's single run).
  'transport table': (p) => finishTable(p, finishShards),
  'predict table': (p) => finishTable(p, finishShards),
  descriptors: (p) => ({ ...(mergeDescriptorsPieces(p.options, p.pieces as DescriptorsPiece[]) as object), centres: 'atoms' }),
};

export async function finishShards(partial: ShardPartial & { file?: string }): Promise<unknown> {
  const missing = missingShards(partial);
  if (missing.length) throw badPartial(`${partial.file ?? 'partial'}: shards ${missing.join(', ')} of ${partial.shards.count} are missing`);
  const finish = finishers[partial.command];
  if (!finish) throw badPartial(`${partial.file ?? 'partial'}: no merge for command '${partial.command}' (this ionfield merges ${Object.keys(finishers).join(', ')})`);
  return await finish(partial);
}
