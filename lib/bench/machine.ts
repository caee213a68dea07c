// What ran a benchmark: the record that makes two JSONs comparable (same code? same hardware? same
// build?). Everything is read, never assumed; what cannot be read is null, not a guess.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { native, packageRoot } from '../native';
import { cudaProviderInstalled } from '../model/inference';

export interface MachineRecord {
  hostname: string;
  platform: string;
  arch: string;
  cpu_model: string;
  /** Logical CPUs this process may use (os.availableParallelism). */
  logical_cpus: number;
  memory_gib: number;
  /** 1-minute load average when the run started and ended: > 0 on an idle machine means a shared one. */
  load_average: { start: number; end: number | null };
  /** NVIDIA kernel driver version (from /proc/driver/nvidia/version), null where none is loaded. */
  nvidia_driver: string | null;
  gpus: { index: number; name: string; compute_capability: string; memory_gib: number }[];
  /** Why no GPU is used, '' when one is. */
  gpu_note: string;
}

export interface SoftwareRecord {
  ionfield: string;
  node: string;
  onnxruntime_node: string | null;
  /** onnxruntime-node's CUDA execution provider library is installed beside its binding. */
  onnxruntime_cuda_provider: boolean;
  compiler: string;
  built_with_cuda: boolean;
  cuda_compiler: string | null;
  /** 'major.minor', null without CUDA (runtime) or without a driver (driver). */
  cuda_runtime: string | null;
  cuda_driver: string | null;
  /** Commit of the checkout the package runs from; null for an installed package (no .git). */
  git_commit: string | null;
  /** Uncommitted changes to tracked files in that checkout (null when git_commit is null). */
  git_dirty: boolean | null;
}

const cudaVersion = (v: number) => (v > 0 ? `${Math.floor(v / 1000)}.${Math.floor((v % 1000) / 10)}` : null);

function packageVersion(dir: string): string | null {
  try {
    return (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return null;
  }
}

function git(args: string[]): string | null {
  const root = packageRoot();
  if (!fs.existsSync(path.join(root, '.git'))) return null;
  const r = spawnSync('git', ['-C', root, ...args], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

function nvidiaDriver(): string | null {
  try {
    const text = fs.readFileSync('/proc/driver/nvidia/version', 'utf8');
    return /Kernel Module\s+(?:for \S+\s+)?([\d.]+)/.exec(text)?.[1] ?? text.split('\n')[0].trim();
  } catch {
    return null;
  }
}

export function machineRecord(): MachineRecord {
  const d = native().queryDevices();
  return {
    hostname: os.hostname(),
    platform: `${os.type()} ${os.release()}`,
    arch: os.arch(),
    cpu_model: os.cpus()[0]?.model.trim() ?? 'unknown',
    logical_cpus: os.availableParallelism(),
    memory_gib: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    load_average: { start: os.loadavg()[0], end: null },
    nvidia_driver: nvidiaDriver(),
    gpus: d.gpus.map((g) => ({ index: g.index, name: g.name, compute_capability: g.computeCapability, memory_gib: g.memoryGiB })),
    gpu_note: d.gpus.length ? '' : d.note,
  };
}

export function softwareRecord(): SoftwareRecord {
  const d = native().queryDevices();
  let ort: string | null = null;
  try {
    ort = packageVersion(path.dirname(require.resolve('onnxruntime-node/package.json')));
  } catch {
    ort = null;
  }
  const commit = git(['rev-parse', 'HEAD']);
  return {
    ionfield: packageVersion(packageRoot()) ?? 'unknown',
    node: process.version,
    onnxruntime_node: ort,
    onnxruntime_cuda_provider: cudaProviderInstalled(),
    compiler: d.compiler ?? 'unknown (an addon built before issue 16)',
    built_with_cuda: d.builtWithCuda,
    cuda_compiler: d.cudaCompiler || null,
    cuda_runtime: cudaVersion(d.cudaRuntimeVersion ?? 0),
    cuda_driver: cudaVersion(d.cudaDriverVersion ?? 0),
    git_commit: commit,
    git_dirty: commit === null ? null : (git(['status', '--porcelain', '--untracked-files=no']) ?? '') !== '',
  };
}
