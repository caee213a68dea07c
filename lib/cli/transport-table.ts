// `transport --table` / `--list`: one transport run per trajectory, one row each (text table or
// --json, schema ionfield.trajectory-table/1), and its shards (`--shard t/N`, N = rows × k: shard
// t mod k of row ⌊t/k⌋, lib/table/shard.ts) for `ionfield merge` and `ionfield slurm`.
import { accumulateTransport, mergePartials, TransportOptions, TransportReport, transportReport } from '../transport';
import { accumulateTransportShard, transportShardOptions } from '../transport/shard';
import { parseShard, saveShardPartial } from '../shard/partial-file';
import { tableRows, TrajectoryRow } from '../table/rows';
import { tablePartial, tableShard } from '../table/shard';
import { textTable } from '../table/text';
import { integerOption, UsageError } from './command';
import { pm } from './numbers';
import { runTable } from './table-run';
import { negativeResults } from './transport';

/** A row's options: the command's, with the row's temperature where the list gives one. */
function rowOptions(options: TransportOptions, row: TrajectoryRow): TransportOptions {
  const temperature = row.temperature ?? options.temperature;
  if (!(temperature > 0)) throw new UsageError(`row ${row.name} (${row.path}) has no temperature: give --temperature, or temperature=T in the --list file`);
  return { ...options, temperature };
}

/** --selected-frames of a table: one count per row, comma-separated (ionfield slurm counts them). */
export function selectedFramesPerRow(text: string | undefined, rows: number): (number | undefined)[] {
  if (text === undefined) return Array(rows).fill(undefined);
  const counts = text.split(',').map((v) => integerOption(v, 'selected-frames', 1));
  if (counts.length !== rows) throw new UsageError(`--selected-frames: ${counts.length} counts for a table of ${rows} rows`);
  return counts;
}

export async function runTransportTable(positionals: string[], options: TransportOptions, values: Record<string, string | boolean | undefined>): Promise<number> {
  if (values['from-partials'] || values['save-partial'] || options.checkpoint) throw new UsageError('--table takes trajectories (no --from-partials, --save-partial or --checkpoint: shard a row instead)');
  const rows = tableRows(positionals, values.list as string | undefined);
  if (values.shard !== undefined) {
    const global = parseShard(values.shard as string);
    const { row, shard } = tableShard(rows.length, global);
    const known = selectedFramesPerRow(values['selected-frames'] as string | undefined, rows.length)[row];
    const inner = await accumulateTransportShard(rows[row].path, rowOptions(options, rows[row]), shard, known);
    const file = (values.out as string | undefined) ?? `transport.shard-${global.index}-of-${global.count}.json`;
    saveShardPartial(file, tablePartial('transport', rows, transportShardOptions(options), global, row, inner));
    console.error(`ionfield transport: shard ${global.index}/${global.count}: row ${row} (${rows[row].name}), shard ${shard.index}/${shard.count} of it → ${file}`);
    return 0;
  }
  if (values.out !== undefined || values['selected-frames'] !== undefined) throw new UsageError('--out and --selected-frames are for --shard (the table goes to stdout)');
  return runTable('transport', rows, Boolean(values.json), async (row, progress) => {
    // Each row as `transport FILE` alone runs it: one partial, its report.
    const o = rowOptions(options, row);
    const report = transportReport(mergePartials([await accumulateTransport(row.path, { ...o, onProgress: progress.report })]), o);
    const negative = negativeResults(report);
    if (negative.length && values['allow-negative']) report.warnings.push(`negative estimates kept (--allow-negative): ${negative.join(', ')}`);
    return { result: report, error: negative.length && !values['allow-negative'] ? `${negative.join(', ')} (negative: pass --allow-negative to accept)` : undefined };
  }, describeTransportTable);
}

/** The text table: a row per trajectory, D per species (all rows' species), σ, Λ, Λ_NE, ionicity. */
export function describeTransportTable(rows: { name: string; result: unknown; error?: string }[]): string {
  const reports = rows.map((r) => r.result as TransportReport | null);
  const species = [...new Set(reports.flatMap((r) => (r ? Object.keys(r.diffusion) : [])))];
  const units = reports.find((r) => r);
  const header = ['name', 'T', 'frames', ...species.map((s) => `D(${s})`), 'σ', 'Λ', 'Λ_NE', 'Λ/Λ_NE'];
  const cells = rows.map((row, k) => {
    const r = reports[k];
    if (!r) return [row.name, '', '', `failed: ${row.error}`];
    return [row.name, String(r.temperature), String(r.frames), ...species.map((s) => (r.diffusion[s] ? pm(r.diffusion[s]) : '')), pm(r.conductivity), r.molarConductivity ? pm(r.molarConductivity) : 'n/a', r.nernstEinstein ? pm(r.nernstEinstein) : 'n/a', r.ionicity.value !== null ? pm(r.ionicity) : 'n/a'];
  });
  const lines = [textTable(header, cells)];
  if (units) lines.push('', `units: D ${Object.values(units.diffusion)[0]?.units ?? ''}; σ ${units.conductivity.units}; Λ ${units.molarConductivity?.units ?? 'n/a'} (${units.units.description})`);
  for (const [k, row] of rows.entries()) {
    if (row.error && reports[k]) lines.push(`${row.name}: error: ${row.error}`);
    for (const w of reports[k]?.warnings ?? []) lines.push(`${row.name}: warning: ${w}`);
  }
  return lines.join('\n');
}

