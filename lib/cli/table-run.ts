// Runs a table's rows one after another (each as its command alone would run it) and prints the
// table: a row that fails keeps its place with its error, the others still run, and the exit code
// says whether any failed. Usage errors stop the whole table (they would fail every row alike).
import { printJson, UsageError } from './command';
import { Progress } from './progress';
import { TrajectoryRow } from '../table/rows';

export interface TableRow {
  name: string;
  file: string;
  temperature?: number;
  result: unknown;
  error?: string;
}

/** runOne returns the row's result, and an error to record beside it (a result that is not acceptable). */
export async function runTable(command: string, rows: TrajectoryRow[], json: boolean, runOne: (row: TrajectoryRow, progress: Progress) => Promise<{ result: unknown; error?: string }>, describe: (rows: TableRow[]) => string): Promise<number> {
  const results: TableRow[] = [];
  for (const row of rows) {
    const progress = new Progress(`${command} ${row.name}`, null, !json);
    const base = { name: row.name, file: row.path, ...(row.temperature !== undefined ? { temperature: row.temperature } : {}) };
    try {
      const { result, error } = await runOne(row, progress);
      results.push({ ...base, result, ...(error ? { error } : {}) });
    } catch (err) {
      if (err instanceof UsageError) throw err;
      results.push({ ...base, result: null, error: (err as Error).message });
    } finally {
      progress.done();
    }
  }
  if (json) printJson({ schema: 'ionfield.trajectory-table/1', command, rows: results });
  else console.log(describe(results));
  const failed = results.filter((r) => r.error).length;
  if (failed) console.error(`ionfield ${command}: error: ${failed} of ${rows.length} rows failed (see the table)`);
  return failed ? 1 : 0;
}
