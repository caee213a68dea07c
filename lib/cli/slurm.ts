// `ionfield slurm`: runs a shardable command (transport, kinosons kmc) as n shards — a Slurm job
// array plus a merge job that starts after it, or local processes — and checks on, finishes and
// resumes such runs from their directory (lib/slurm/run-dir.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../atomic-file';
import { packageRoot } from '../native';
import { combineShardPartials, loadShardPartial } from '../shard/partial-file';
import { finishShards } from '../shard/finish';
import { queuedStates, runLocal, sbatchCommands, slurmCommand, submitSlurm } from '../slurm/executors';
import { finishedShards, loadManifest, ownsOut, partialPath, RunManifest, saveManifest, shardableCommand, Submission } from '../slurm/run-dir';
import { mergeScript, shardScript, shellWord } from '../slurm/scripts';
import { Command, integerOption, parse, printJson, UsageError } from './command';
import { predictOptions } from './predict';
import { descriptorsOptions } from './descriptors';
import { datasetOptions } from './dataset';
import { analyzeCliOptions } from './analyze';
import { selectionFromValues } from './selection';
import { selectedFrames } from '../shard/frames';
import { parseTransportArgs } from './transport';
import { loadConfig } from '../kinosons/config';
import { checkShardableModels } from '../kinosons/fit-shard';
import { tableRows } from '../table/rows';

const usage = `ionfield slurm <command> <its arguments>... --shards n [options]
ionfield slurm status DIR [--json]
ionfield slurm collect DIR
ionfield slurm resume DIR [--executor local --jobs k]

Runs \`ionfield <command> ... --shard i/n\` for i = 0..n-1 as one Slurm job array (one task per
shard), and \`ionfield slurm collect DIR\` as a job that starts when every task has succeeded: it
merges the shards into the result the single-process run gives. <command> is transport,
kinosons kmc, kinosons report, kinosons generate, kinosons fit, predict (shared models), descriptors, dataset or analyze (for these four, --out
is the command's own array or folder, written there by the merge, and the report goes to
DIR/result.json).
Everything in DIR: run.json, shard.sh, merge.sh, partials/, logs/, the result.

  --shards n             number of shards (a trajectory table — transport --table/--list, predict
                         of several trajectories — runs n shards per row)              [required]
  --dir DIR              run directory (default: ionfield-<command>-<date>-<time>)
  --out FILE             the merged result (default: DIR/result.json; for predict, descriptors
                         and dataset, --out is their own .npy or folder, and the report goes to
                         DIR/result.json)
  --partition P  --time T  --cpus-per-task c  --gpus g  --account A
                         passed to Slurm as #SBATCH lines of both scripts (--gpus: shards only)
  --dry-run              write the scripts and print the sbatch commands, submit nothing
  --executor slurm|local run through sbatch (default) or as local processes
  --jobs k               local executor: shards at a time (default 1)

status   each shard: done (its partial is on disk), or its Slurm state, or missing (--json:
         schema ionfield.slurm-status/2: done, missing with their Slurm state or null, result)
collect  merges the partials into the result (fails naming the missing shards)
resume   resubmits only the missing shards (and a new merge job); finished shards are kept`;

const driverValues = ['shards', 'dir', 'out', 'partition', 'time', 'cpus-per-task', 'gpus', 'account', 'executor', 'jobs'];
const driverFlags = ['dry-run'];

/** Splits the driver's own options from the command's arguments (everything else passes through). */
function splitArgs(argv: string[]): { own: Record<string, string | boolean>; command: string[] } {
  const own: Record<string, string | boolean> = {};
  const command: string[] = [];
  // predict's and descriptors' own --out is the array they write: it passes through (the report
  // goes to DIR/result.json).
  const values = ownsOut(argv) ? driverValues.filter((v) => v !== 'out') : driverValues;
  for (let k = 0; k < argv.length; k++) {
    const m = /^--([\w-]+)(?:=(.*))?$/.exec(argv[k]);
    if (m && driverFlags.includes(m[1])) own[m[1]] = true;
    else if (m && values.includes(m[1])) {
      const value = m[2] ?? argv[++k];
      if (value === undefined) throw new UsageError(`--${m[1]} needs a value`);
      own[m[1]] = value;
    } else if (m && (m[1] === 'shard' || m[1] === 'json' || m[1] === 'partial')) throw new UsageError(`--${m[1]}: ionfield slurm sets it for each shard`);
    else command.push(argv[k]);
  }
  return { own, command };
}

function stamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

async function start(argv: string[]): Promise<number> {
  const { own, command } = splitArgs(argv);
  const name = shardableCommand(command);
  const str = (k: string) => own[k] as string | undefined;
  const shards = integerOption(str('shards'), 'shards', 1);
  if (shards === undefined) throw new UsageError('--shards n is required');
  const executor = str('executor') ?? 'slurm';
  if (executor !== 'slurm' && executor !== 'local') throw new UsageError(`--executor: '${executor}' is not slurm or local`);
  const jobs = integerOption(str('jobs'), 'jobs', 1) ?? 1;
  if (str('jobs') && executor !== 'local') throw new UsageError('--jobs is for --executor local (Slurm decides how many tasks run at once)');
  const dir = path.resolve(str('dir') ?? `ionfield-${name.replace(' ', '-')}-${stamp()}`);
  // A trajectory table runs --shards shards per row: rows × shards array tasks (lib/table/shard.ts).
  const rows = await checkCommand(name, command);
  if (fs.existsSync(path.join(dir, 'run.json'))) throw new UsageError(`--dir ${dir} already holds a run: use ionfield slurm resume ${dir}, or another --dir`);
  const manifest: RunManifest = {
    schema: 'ionfield.slurm-run/2',
    command,
    shards: shards * rows,
    executor,
    cwd: process.cwd(),
    node: process.execPath,
    ionfield: path.join(packageRoot(), 'bin', 'ionfield.js'),
    out: path.resolve(str('out') ?? path.join(dir, 'result.json')),
    scheduler: {
      partition: str('partition'),
      time: str('time'),
      cpusPerTask: integerOption(str('cpus-per-task'), 'cpus-per-task', 1),
      gpus: integerOption(str('gpus'), 'gpus', 1),
      account: str('account'),
    },
    submissions: [],
  };
  saveManifest(dir, manifest);
  writeFileAtomic(path.join(dir, 'shard.sh'), shardScript(manifest, dir));
  writeFileAtomic(path.join(dir, 'merge.sh'), mergeScript(manifest, dir));
  const all = Array.from({ length: shards * rows }, (_, i) => i);
  if (own['dry-run']) {
    const c = sbatchCommands(dir, all, manifest);
    console.log(`wrote ${path.join(dir, 'shard.sh')} and ${path.join(dir, 'merge.sh')}; to submit:\n  ${c.array.map(shellWord).join(' ')}\n  ${c.merge('<array job id>').map(shellWord).join(' ')}`);
    return 0;
  }
  return launch(dir, manifest, all, jobs);
}

/**
 * Checks the command's arguments here, before anything is queued (a typo fails now, not in n array
 * tasks), and counts the selected frames once, for every shard (--selected-frames). Returns the
 * number of rows: 1, or a trajectory table's rows (each gets its own --shards shards).
 */
async function checkCommand(name: string, command: string[]): Promise<number> {
  if (name === 'transport' || name === 'predict') {
    const table = await checkTable(name, command);
    if (table) return table;
  }
  if (name === 'transport') {
    const { positionals, options } = await parseTransportArgs(command.slice(1));
    if (positionals.length !== 1 || options.checkpoint) throw new UsageError('ionfield slurm transport takes one trajectory, or a table of them (--table, --list), and no --checkpoint (a shard is the unit of restart)');
    if (!command.includes('--selected-frames')) command.push('--selected-frames', String(await selectedFrames(positionals[0], options)));
  } else if (name === 'kinosons kmc') loadConfig(configArgument(command));
  else if (name === 'kinosons fit') checkShardableModels(loadConfig(configArgument(command)));
  else if (name === 'kinosons generate') {
    loadConfig(configArgument(command));
    if (!command.some((a) => a === '--out' || a.startsWith('--out='))) throw new UsageError('ionfield slurm kinosons generate needs --out FILE.npy (the states the merge writes)');
  }
  else if (name === 'kinosons report') {
    loadConfig(configArgument(command));
    if (!command.some((a) => a === '--out-dir' || a.startsWith('--out-dir='))) throw new UsageError('ionfield slurm kinosons report needs --out-dir DIR (where the merge writes the report)');
  }
  else if (name === 'analyze') {
    // The field file gives the frame count; the automatic pair cutoff needs every frame (refused).
    const { values, positionals } = parse(command.slice(1), analyzeCliOptions);
    if (positionals.length !== 1 || !values.field) throw new UsageError('ionfield slurm analyze takes one trajectory and --field F.npy');
    if (values['pair-cutoff'] === undefined) throw new UsageError('ionfield slurm analyze needs --pair-cutoff R (the automatic cutoff needs every frame before any shard can classify its frames)');
  } else if (name === 'dataset') {
    // Every trajectory's frame count, counted once here for every shard (--selected-frames a,b,...).
    const { values, positionals } = parse(command.slice(1), datasetOptions);
    if (!positionals.length) throw new UsageError('ionfield slurm dataset needs its trajectories');
    if (!values.out) throw new UsageError('ionfield slurm dataset needs --out DIR (the dataset folder the merge writes)');
    await appendFrameCounts(command, positionals, await selectionFromValues(values));
  } else {
    // predict, descriptors: their frame selection, counted once here for every shard.
    const { values, positionals } = parse(command.slice(1), name === 'predict' ? predictOptions : descriptorsOptions);
    if (positionals.length !== 1) throw new UsageError(`ionfield slurm ${name} takes one trajectory`);
    if (!values.out) throw new UsageError(`ionfield slurm ${name} needs --out FILE.npy (the array the merge writes)`);
    if (!command.includes('--selected-frames')) command.push('--selected-frames', String(await selectedFrames(positionals[0], await selectionFromValues(values))));
  }
  return 1;
}

/**
 * A trajectory table (transport --table/--list, predict of several trajectories or --table/--list):
 * its rows, each one's selected frames counted (--selected-frames a,b,...); 0 when not a table.
 */
async function checkTable(name: 'transport' | 'predict', command: string[]): Promise<number> {
  let positionals: string[], values: Record<string, unknown>, selection: Parameters<typeof selectedFrames>[1];
  if (name === 'transport') {
    const parsed = await parseTransportArgs(command.slice(1));
    ({ positionals, values } = parsed);
    if (!values.table && !values.list) return 0;
    selection = parsed.options;
  } else {
    ({ values, positionals } = parse(command.slice(1), predictOptions));
    if (positionals.length < 2 && !values.table && !values.list) return 0;
    selection = await selectionFromValues(values as Record<string, string | boolean | undefined>);
  }
  const rows = tableRows(positionals, values.list as string | undefined);
  await appendFrameCounts(command, rows.map((r) => r.path), selection);
  return rows.length;
}

/** Appends --selected-frames a,b,... (each file's selected frames) unless the command gives it. */
async function appendFrameCounts(command: string[], files: string[], selection: Parameters<typeof selectedFrames>[1]): Promise<void> {
  if (command.includes('--selected-frames')) return;
  const counts: number[] = [];
  for (const f of files) counts.push(await selectedFrames(f, selection));
  command.push('--selected-frames', counts.join(','));
}

function configArgument(command: string[]): string {
  const k = command.indexOf('--config');
  const inline = command.find((a) => a.startsWith('--config='));
  const file = inline ? inline.slice('--config='.length) : k >= 0 ? command[k + 1] : undefined;
  if (!file) throw new UsageError(`${command.slice(0, 2).join(' ')} needs --config FILE`);
  return file;
}

/** Submits (or runs locally) these shards and records the submission in run.json. */
async function launch(dir: string, m: RunManifest, shards: number[], jobs: number): Promise<number> {
  if (m.executor === 'slurm') {
    const s = submitSlurm(dir, shards, m);
    m.submissions.push(s);
    saveManifest(dir, m);
    console.log(`submitted job array ${s.arrayJob} (shards ${shards.join(',')} of ${m.shards}) and merge job ${s.mergeJob} (after ${s.arrayJob}); run directory ${dir}`);
    console.log(`follow it with: ionfield slurm status ${dir}`);
    return 0;
  }
  const submission: Submission = { at: new Date().toISOString(), shards };
  m.submissions.push(submission);
  saveManifest(dir, m);
  const failed = await runLocal(dir, shards, m, jobs, (i, ok) => console.error(`shard ${i}/${m.shards} ${ok ? 'done' : `failed (see ${path.join(dir, 'logs', `shard-${i}.out`)})`}`));
  if (failed.length) {
    console.error(`ionfield slurm: error: shards ${failed.join(', ')} failed; rerun them with: ionfield slurm resume ${dir}`);
    return 1;
  }
  return collect(dir);
}

async function collect(dir: string): Promise<number> {
  const m = loadManifest(dir);
  const { missing } = finishedShards(dir, m);
  if (missing.length) throw Object.assign(new Error(`${dir}: shards ${missing.join(', ')} of ${m.shards} have no partial yet (ionfield slurm status ${dir}; resume ${dir} resubmits them)`), { code: 'IONFIELD_BAD_INPUT' });
  const merged = combineShardPartials(Array.from({ length: m.shards }, (_, i) => loadShardPartial(partialPath(dir, i))));
  writeFileAtomic(m.out, JSON.stringify(await finishShards(merged), null, 2) + '\n');
  console.log(`merged ${m.shards} shards of ionfield ${m.command.slice(0, 2).join(' ')} → ${m.out}`);
  return 0;
}

function status(dir: string, json: boolean): number {
  const m = loadManifest(dir);
  const { done, missing } = finishedShards(dir, m);
  const arrays = m.executor === 'slurm' ? m.submissions.map((s) => s.arrayJob).filter((j): j is string => Boolean(j)) : [];
  const states = queuedStates(arrays);
  if (json) {
    printJson({ schema: 'ionfield.slurm-status/2', dir, command: m.command, shards: m.shards, done, missing: missing.map((i) => ({ shard: i, state: states.get(i) ?? null })), result: fs.existsSync(m.out) ? m.out : null, submissions: m.submissions });
    return 0;
  }
  console.log(`${dir}: ionfield ${m.command.join(' ')} — ${done.length} of ${m.shards} shards done${fs.existsSync(m.out) ? `; result: ${m.out}` : ''}`);
  for (const i of missing) console.log(`  shard ${i}: ${states.get(i) ?? 'missing (not queued: failed or cancelled? see logs/shard-' + i + '.out)'}`);
  const last = m.submissions[m.submissions.length - 1];
  if (last?.mergeJob) console.log(`  merge job ${last.mergeJob}${fs.existsSync(m.out) ? ' done' : ''}`);
  return 0;
}

async function resume(dir: string, argv: string[]): Promise<number> {
  const { own } = splitArgs(argv);
  const m = loadManifest(dir);
  if (own.executor) m.executor = own.executor === 'local' ? 'local' : 'slurm';
  const { missing } = finishedShards(dir, m);
  if (!missing.length) {
    console.log(`${dir}: every shard is done`);
    return fs.existsSync(m.out) ? 0 : collect(dir);
  }
  // The old merge job waits on tasks that will never succeed: cancel it (if Slurm still has it).
  const last = m.submissions[m.submissions.length - 1];
  if (m.executor === 'slurm' && last?.mergeJob) {
    try {
      slurmCommand(['scancel', last.mergeJob]);
    } catch {
      /* already gone */
    }
  }
  return launch(dir, m, missing, integerOption(own.jobs as string | undefined, 'jobs', 1) ?? 1);
}

export const slurmCliCommand: Command = {
  name: 'slurm',
  summary: 'run transport, kinosons kmc/report/generate/fit, predict, descriptors, dataset or analyze as shards on a Slurm job array (or local processes), then merge',
  usage,
  async run(argv) {
    const [sub, ...rest] = argv;
    if (!sub) throw new UsageError('expected a command to shard, or status|collect|resume DIR');
    if (sub === 'status' || sub === 'collect' || sub === 'resume') {
      const [dir, ...more] = rest;
      if (!dir || dir.startsWith('--')) throw new UsageError(`${sub} needs the run directory`);
      if (sub === 'resume') return resume(path.resolve(dir), more);
      const json = sub === 'status' && more.length === 1 && more[0] === '--json';
      if (more.length && !json) throw new UsageError(`${sub} takes only the run directory${sub === 'status' ? ' (and --json)' : ''}`);
      return sub === 'status' ? status(path.resolve(dir), json) : collect(path.resolve(dir));
    }
    return start(argv);
  },
};
