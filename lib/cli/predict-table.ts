// `predict` of several trajectories (or --table / --list): one prediction per trajectory, one row
// each (text table or --json, schema ionfield.trajectory-table/1), the per-ion fields to
// --out-dir DIR/<row name>.npy when asked; and its shards (`--shard t/N`, N = rows × k: shard
// t mod k of row ⌊t/k⌋, lib/table/shard.ts) for `ionfield merge` and `ionfield slurm`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PredictOptions, PredictReport, predictTrajectory } from '../model/predict';
import { predictShard, predictShardOptions } from '../model/predict-shard';
import type { SharedPredictReport } from '../model/predict-shared';
import { parseShard, saveShardPartial } from '../shard/partial-file';
import { tableRows, TrajectoryRow } from '../table/rows';
import { tablePartial, tableShard } from '../table/shard';
import { textTable } from '../table/text';
import { UsageError } from './command';
import { runTable } from './table-run';
import { selectedFramesPerRow } from './transport-table';

/** A row's options: its field goes to DIR/<name>.npy under --out-dir, else nowhere. */
function rowOptions(options: PredictOptions, row: TrajectoryRow, outDir: string | undefined): PredictOptions {
  return { ...options, out: outDir ? path.join(path.resolve(outDir), `${row.name}.npy`) : undefined };
}

export async function runPredictTable(positionals: string[], options: PredictOptions, values: Record<string, string | boolean | undefined>, centres: Record<string, unknown>): Promise<number> {
  if (values.out !== undefined) throw new UsageError('--out names one field: with several trajectories, give --out-dir DIR (a DIR/<name>.npy per row)');
  const rows = tableRows(positionals, values.list as string | undefined);
  if (rows.some((r) => r.temperature !== undefined)) throw new UsageError('predict takes no temperature: remove temperature= from the --list file');
  const outDir = values['out-dir'] as string | undefined;
  if (outDir) fs.mkdirSync(outDir, { recursive: true });
  if (values.shard !== undefined) {
    if (options.molecules) throw new UsageError('--shard is not available yet with molecules (a topology with molecules)');
    const global = parseShard(values.shard as string);
    const { row, shard } = tableShard(rows.length, global);
    const known = selectedFramesPerRow(values['selected-frames'] as string | undefined, rows.length)[row];
    const inner = await predictShard(rows[row].path, rowOptions(options, rows[row], outDir), shard, known);
    const file = (values.partial as string | undefined) ?? `predict.shard-${global.index}-of-${global.count}.json`;
    saveShardPartial(file, tablePartial('predict', rows, { ...predictShardOptions(options), outDir: outDir ? path.resolve(outDir) : null }, global, row, inner));
    console.error(`ionfield predict: shard ${global.index}/${global.count}: row ${row} (${rows[row].name}), shard ${shard.index}/${shard.count} of it → ${file}`);
    return 0;
  }
  if (values.partial !== undefined || values['selected-frames'] !== undefined) throw new UsageError('--partial and --selected-frames are for --shard');
  return runTable('predict', rows, Boolean(values.json), async (row, progress) => ({ result: { ...(await predictTrajectory(row.path, { ...rowOptions(options, row, outDir), onProgress: progress.report })), ...centres } }), describePredictTable);
}

/** The text table: a row per trajectory, Λ_ML ± error, frames, ions, domain, the field written. */
export function describePredictTable(rows: { name: string; result: unknown; error?: string }[]): string {
  const cells = rows.map((row) => {
    const r = row.result as (PredictReport & Partial<SharedPredictReport>) | null;
    if (!r) return [row.name, `failed: ${row.error}`];
    const domain = r.inDomain === undefined ? '' : r.inDomain ? 'in' : 'OUT';
    return [row.name, `${r.lambdaMl.value.toPrecision(4)} ± ${r.lambdaMl.error.toPrecision(2)}`, String(r.frames), String(r.ions), domain, r.field?.path ?? ''];
  });
  const first = rows.map((r) => r.result as PredictReport | null).find((r) => r);
  const lines = [textTable(['name', 'Λ_ML', 'frames', 'ions', 'domain', 'field'], cells)];
  if (first) lines.push('', `Λ_ML in ${first.lambdaMl.units} (τ = ${first.lambdaMl.tau})`);
  return lines.join('\n');
}
