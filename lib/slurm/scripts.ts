// The two batch scripts of a run: DIR/shard.sh (a job array, one task per shard; resume submits it
// again with --array naming the missing shards, which overrides the #SBATCH line) and DIR/merge.sh
// (`ionfield slurm collect DIR`, submitted to start after the whole array succeeded).
import * as path from 'node:path';
import { logPath, RunManifest, shardArgv } from './run-dir';

/** Quotes one word for bash (single quotes; $i is left to the shell where asked). */
export function shellWord(word: string): string {
  if (/^[\w@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

function header(m: RunManifest, name: string, output: string): string[] {
  const s = m.scheduler;
  return [
    '#!/bin/bash',
    `# Written by ionfield slurm (run description: run.json beside this script).`,
    `#SBATCH --job-name=${name}`,
    `#SBATCH --output=${output}`,
    `#SBATCH --chdir=${m.cwd}`,
    ...(s.partition ? [`#SBATCH --partition=${s.partition}`] : []),
    ...(s.time ? [`#SBATCH --time=${s.time}`] : []),
    ...(s.cpusPerTask ? [`#SBATCH --cpus-per-task=${s.cpusPerTask}`] : []),
    ...(s.gpus ? [`#SBATCH --gpus=${s.gpus}`] : []),
    ...(s.account ? [`#SBATCH --account=${s.account}`] : []),
  ];
}

export function shardScript(m: RunManifest, dir: string): string {
  const argv = shardArgv(m, dir, '$i').map((w) => (w.includes('$i') ? `"${w.replace(/"/g, '\\"')}"` : shellWord(w)));
  return [
    ...header(m, `ionfield-${m.command[0]}`, logPath(dir, 0).replace(/shard-0\.out$/, 'shard-%a.out')),
    `#SBATCH --array=0-${m.shards - 1}`,
    'set -eu',
    'i=${SLURM_ARRAY_TASK_ID:?run this script with sbatch (it is one task of a job array)}',
    // Native threads follow the CPUs Slurm gave the task, not the node's core count.
    'if [ -n "${SLURM_CPUS_PER_TASK:-}" ]; then export OMP_NUM_THREADS=$SLURM_CPUS_PER_TASK; fi',
    `exec ${argv.join(' ')}`,
    '',
  ].join('\n');
}

export function mergeScript(m: RunManifest, dir: string): string {
  const s = { ...m, scheduler: { ...m.scheduler, gpus: undefined } };
  return [...header(s, 'ionfield-merge', logPath(dir, 'merge')), 'set -eu', `exec ${[m.node, m.ionfield, 'slurm', 'collect', path.resolve(dir)].map(shellWord).join(' ')}`, ''].join('\n');
}
