// Shards of a trajectory table (`transport --table`, `predict` of several trajectories): R rows,
// k shards per row, N = R·k shards in all, numbered row by row (shard t is shard t mod k of row
// ⌊t/k⌋), so that `ionfield slurm` runs one job array of N tasks and one merge.
//
// Each shard's partial (command "transport table" / "predict table") records every row (names,
// paths, temperatures, and each file's size and SHA-256 of its first and last MiB: a shard does
// not read every row's file whole) and the command's options; its one piece is the row's own
// shard partial, exactly what `--shard i/k` of that trajectory alone writes (full fingerprint).
// The merge groups the pieces by row and merges each row as that command's merge does: a row of
// the table is the single run of its trajectory.
import { badPartial, combineShardPartials, fingerprint, newShardPartial, ShardPartial, ShardSpec } from '../shard/partial-file';
import { TrajectoryRow } from './rows';

export interface TablePiece {
  row: number;
  partial: ShardPartial;
}

/** Row and in-row shard of global shard t of N (N must be a multiple of the row count). */
export function tableShard(rows: number, global: ShardSpec): { row: number; shard: ShardSpec } {
  if (global.count % rows !== 0)
    throw Object.assign(new Error(`--shard ${global.index}/${global.count}: a table of ${rows} rows takes a multiple of ${rows} shards (k per row, shards numbered row by row)`), { code: 'IONFIELD_USAGE' });
  const k = global.count / rows;
  return { row: Math.floor(global.index / k), shard: { index: global.index % k, count: k } };
}

/** The table's shard partial around one row's own shard partial. */
export function tablePartial(command: string, rows: TrajectoryRow[], options: Record<string, unknown>, global: ShardSpec, row: number, inner: ShardPartial): ShardPartial<TablePiece> {
  return newShardPartial(`${command} table`, rows.map((r) => fingerprint(r.path, 1 << 20)), { ...options, rows }, global, { row, partial: inner });
}

export interface TableRowResult {
  name: string;
  file: string;
  temperature?: number;
  result: unknown;
}

/** Each row's merged result, in row order: `finish` is the command's own merge of one trajectory's partials. */
export async function finishTable(partial: ShardPartial, finish: (rowPartial: ShardPartial & { file?: string }) => Promise<unknown>): Promise<{ schema: string; command: string; rows: TableRowResult[] }> {
  const rows = partial.options.rows as TrajectoryRow[];
  const byRow = rows.map(() => [] as (ShardPartial & { file: string })[]);
  for (const p of partial.pieces as TablePiece[]) {
    if (!(p.row >= 0 && p.row < rows.length)) throw badPartial(`a table piece names row ${p.row} of ${rows.length}`);
    byRow[p.row].push({ ...p.partial, file: `row ${p.row} (${rows[p.row].name})` });
  }
  const results: TableRowResult[] = [];
  for (const [k, row] of rows.entries()) results.push({ name: row.name, file: row.path, ...(row.temperature !== undefined ? { temperature: row.temperature } : {}), result: await finish(combineShardPartials(byRow[k])) });
  return { schema: 'ionfield.trajectory-table/1', command: partial.command.replace(/ table$/, ''), rows: results };
}
