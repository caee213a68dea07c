// Running a run's shards: through Slurm (sbatch a job array, then the merge job after it) or as
// local processes, k at a time, on a workstation. Both leave the same files in DIR.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { logPath, RunManifest, shardArgv, Submission } from './run-dir';

function fail(message: string): Error {
  return Object.assign(new Error(message), { code: 'IONFIELD_BAD_INPUT' });
}

/** Runs a Slurm client command; its stdout, or an error naming the command and what it said. */
export function slurmCommand(args: string[]): string {
  const r = spawnSync(args[0], args.slice(1), { encoding: 'utf8' });
  if (r.error) throw fail(`${args[0]}: ${(r.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found (is this a Slurm login node? use --executor local on a workstation)' : r.error.message}`);
  if (r.status !== 0) throw fail(`${args.join(' ')} failed (exit ${r.status}): ${(r.stderr || r.stdout).trim().split('\n').pop()}`);
  return r.stdout.trim();
}

/** `sbatch --parsable` prints "jobid" or "jobid;cluster". */
const jobId = (out: string) => out.split(';')[0].trim();

/** The sbatch command lines for these shards (printed by --dry-run, run by submit). */
export function sbatchCommands(dir: string, shards: number[], m: RunManifest): { array: string[]; merge: (arrayJob: string) => string[] } {
  const all = shards.length === m.shards;
  return {
    array: ['sbatch', '--parsable', ...(all ? [] : [`--array=${shards.join(',')}`]), path.join(dir, 'shard.sh')],
    merge: (arrayJob) => ['sbatch', '--parsable', `--dependency=afterok:${arrayJob}`, '--kill-on-invalid-dep=yes', path.join(dir, 'merge.sh')],
  };
}

export function submitSlurm(dir: string, shards: number[], m: RunManifest): Submission {
  const commands = sbatchCommands(dir, shards, m);
  const arrayJob = jobId(slurmCommand(commands.array));
  const mergeJob = jobId(slurmCommand(commands.merge(arrayJob)));
  return { at: new Date().toISOString(), shards, arrayJob, mergeJob };
}

/** Slurm states of the tasks of array jobs still known to squeue, by shard index. */
export function queuedStates(arrayJobs: string[]): Map<number, string> {
  const states = new Map<number, string>();
  if (!arrayJobs.length) return states;
  let out = '';
  try {
    out = slurmCommand(['squeue', '-h', '-r', '-j', arrayJobs.join(','), '-o', '%i %T']);
  } catch {
    return states; // squeue gone or the jobs forgotten: the partials on disk still tell
  }
  for (const line of out.split('\n')) {
    const m = /^\d+_(\d+)\s+(\S+)/.exec(line.trim());
    if (m) states.set(Number(m[1]), m[2]);
  }
  return states;
}

/** Runs the shards as local processes, `jobs` at a time; resolves with the shards that failed. */
export async function runLocal(dir: string, shards: number[], m: RunManifest, jobs: number, onDone: (i: number, ok: boolean) => void): Promise<number[]> {
  const queue = [...shards];
  const failed: number[] = [];
  const worker = async () => {
    for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
      const argv = shardArgv(m, dir, i);
      const log = fs.openSync(logPath(dir, i), 'w');
      const code = await new Promise<number>((resolve) => {
        const child = spawn(argv[0], argv.slice(1), { cwd: m.cwd, stdio: ['ignore', log, log], env: { ...process.env, IONFIELD_NO_PROGRESS: '1' } });
        child.on('error', () => resolve(-1));
        child.on('exit', (c) => resolve(c ?? -1));
      });
      fs.closeSync(log);
      if (code !== 0) failed.push(i);
      onDone(i, code === 0);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, shards.length)) }, worker));
  return failed.sort((a, b) => a - b);
}
