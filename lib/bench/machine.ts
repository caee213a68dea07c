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
  cpuModel: string;
  /** Logical CPUs this process may use (os.availableParallelism). */
  logicalCpus: number;
  memoryGib: number;
  /** 1-minute load average when the run started and ended: > 0 on an idle machine means a shared one. */
  loadAverage: { start: number; end: number | null };
  /** NVIDIA kernel driver version (from /proc/driver/nvidia/version), null where none is loaded. */
  nvidiaDriver: string | null;
  gpus: { index: number; name: string; computeCapability: string; memoryGib: number }[];
  /** Why no GPU is used, '' when one is. */
  gpuNote: string;
}

export interface SoftwareRecord {
  ionfield: string;
  node: string;
  onnxruntimeNode: string | null;
  /** onnxruntime-node's CUDA execution provider library is installed beside its binding. */
  onnxruntimeCudaProvider: boolean;
  compiler: string;
  builtWithCuda: boolean;
  cudaCompiler: string | null;
  /** 'major.minor', null without CUDA (runtime) or without a driver (driver). */
  cudaRuntime: string | null;
  cudaDriver: string | null;
  /** Commit of the checkout the package runs from; null for an installed package (no .git). */
  gitCommit: string | null;
  /** Uncommitted changes to tracked files in that checkout (null when gitCommit is null). */
  gitDirty: boolean | null;
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
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    logicalCpus: os.availableParallelism(),
    memoryGib: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    loadAverage: { start: os.loadavg()[0], end: null },
    nvidiaDriver: nvidiaDriver(),
    gpus: d.gpus.map((g) => ({ index: g.index, name: g.name, computeCapability: g.computeCapability, memoryGib: g.memoryGiB })),
    gpuNote: d.gpus.length ? '' : d.note,
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
    onnxruntimeNode: ort,
    onnxruntimeCudaProvider: cudaProviderInstalled(),
    compiler: d.compiler ?? 'unknown (an addon built before issue 16)',
    builtWithCuda: d.builtWithCuda,
    cudaCompiler: d.cudaCompiler || null,
    cudaRuntime: cudaVersion(d.cudaRuntimeVersion ?? 0),
    cudaDriver: cudaVersion(d.cudaDriverVersion ?? 0),
    gitCommit: commit,
    gitDirty: commit === null ? null : (git(['status', '--porcelain', '--untracked-files=no']) ?? '') !== '',
  };
}
