// The run directory of `ionfield slurm`: DIR/run.json says what runs (the ionfield command, its
// shard count, the scheduler options and every submission); shard i writes DIR/partials/shard-i.json
// (atomically, so a file there is a finished shard) and logs to DIR/logs/shard-i.out. Status,
// collect and resume read nothing else, so they work from any machine that sees DIR.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeJsonAtomic } from '../atomic-file';
import { loadShardPartial } from '../shard/partial-file';
import { upgradeLegacyDocument } from '../legacy-document';

export const RUN_SCHEMA = 'ionfield.slurm-run/2';

/** The commands `ionfield slurm` can shard, by their leading words. */
export const SHARDABLE = [['transport'], ['kinosons', 'kmc'], ['kinosons', 'report'], ['kinosons', 'generate'], ['kinosons', 'fit'], ['predict'], ['descriptors'], ['dataset'], ['analyze']];

/** Commands whose own --out is what they write (an array, a dataset or analysis folder): the shard's partial file is then --partial. */
export const OWN_OUT = ['predict', 'descriptors', 'dataset', 'analyze', 'kinosons generate'];

/** Whether the command (one word, or two: 'kinosons generate') is one of OWN_OUT. */
export const ownsOut = (command: string[]) => OWN_OUT.includes(command[0]) || OWN_OUT.includes(command.slice(0, 2).join(' '));

/** Commands that take the shard's partial as --partial: they write into a folder of their own
 * (--out-dir), or their --out is the single run's result (kinosons fit: refused with --shard). */
const OWN_DIR = ['kinosons report', 'kinosons fit'];

/** The option that names a shard's partial file. */
const partialOption = (command: string[]) => (ownsOut(command) || OWN_DIR.includes(command.slice(0, 2).join(' ')) ? '--partial' : '--out');

export interface SchedulerOptions {
  partition?: string;
  time?: string;
  cpusPerTask?: number;
  gpus?: number;
  account?: string;
}

export interface Submission {
  at: string;
  shards: number[];
  /** Slurm job ids (absent for the local executor and for --dry-run). */
  arrayJob?: string;
  mergeJob?: string;
}

export interface RunManifest {
  schema: typeof RUN_SCHEMA;
  /** The ionfield command line to shard, without --shard/--out (e.g. ["transport", "a.xtc", ...]). */
  command: string[];
  shards: number;
  executor: 'slurm' | 'local';
  /** Working directory of the shards (relative input paths are relative to it). */
  cwd: string;
  node: string;
  ionfield: string;
  /** Where collect writes the merged result. */
  out: string;
  scheduler: SchedulerOptions;
  submissions: Submission[];
}

export const manifestPath = (dir: string) => path.join(dir, 'run.json');
export const partialPath = (dir: string, i: number) => path.join(dir, 'partials', `shard-${i}.json`);
export const logPath = (dir: string, i: number | 'merge') => path.join(dir, 'logs', i === 'merge' ? 'merge.out' : `shard-${i}.out`);

export function shardableCommand(command: string[]): string {
  const match = SHARDABLE.find((words) => words.every((w, k) => command[k] === w));
  if (!match)
    throw Object.assign(new Error(`cannot shard '${command.slice(0, 2).join(' ')}': ionfield slurm runs ${SHARDABLE.map((w) => w.join(' ')).join(', ')}`), { code: 'IONFIELD_USAGE' });
  return match.join(' ');
}

export function saveManifest(dir: string, manifest: RunManifest): void {
  fs.mkdirSync(path.join(dir, 'partials'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'logs'), { recursive: true });
  writeJsonAtomic(manifestPath(dir), manifest);
}

export function loadManifest(dir: string): RunManifest {
  const file = manifestPath(dir);
  let m: RunManifest;
  try {
    m = upgradeLegacyDocument(JSON.parse(fs.readFileSync(file, 'utf8')));
  } catch (err) {
    throw Object.assign(new Error(`${file}: not a readable ionfield slurm run (${(err as Error).message})`), { code: 'IONFIELD_BAD_INPUT' });
  }
  if (m?.schema !== RUN_SCHEMA) throw Object.assign(new Error(`${file}: expected schema ${RUN_SCHEMA}, got ${JSON.stringify(m?.schema)}`), { code: 'IONFIELD_BAD_INPUT' });
  return m;
}

/** The argv of shard i (node and ionfield first). */
export function shardArgv(m: RunManifest, dir: string, i: number | '$i'): string[] {
  return [m.node, m.ionfield, ...m.command, '--shard', `${i}/${m.shards}`, partialOption(m.command), i === '$i' ? path.join(dir, 'partials', 'shard-$i.json') : partialPath(dir, i)];
}

/** Shards whose partial is on disk and is that shard of this run; the others are missing. */
export function finishedShards(dir: string, m: RunManifest): { done: number[]; missing: number[] } {
  const done: number[] = [], missing: number[] = [];
  for (let i = 0; i < m.shards; i++) {
    let ok = false;
    if (fs.existsSync(partialPath(dir, i))) {
      try {
        const p = loadShardPartial(partialPath(dir, i));
        ok = p.shards.count === m.shards && p.shards.indices.length === 1 && p.shards.indices[0] === i;
      } catch {
        ok = false;
      }
    }
    (ok ? done : missing).push(i);
  }
  return { done, missing };
}
