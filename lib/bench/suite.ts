// `ionfield bench`: runs the standard cases over sizes, devices and thread counts, or NL and SF on
// the user's own frame, and returns one record (schema "ionfield.bench/2", docs/bench.md).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadSet, bindSet } from '../descriptor-sets';
import { native } from '../native';
import { openTrajectory } from '../trajectory';
import { BenchDevice, BenchFrame, CaseContext, CaseName, CaseResult, kmcCase, nlCase, predictCase, sfCase, transportCase } from './cases';
import { frameOf, randomBatch } from './frames';
import { machineRecord, MachineRecord, softwareRecord, SoftwareRecord } from './machine';
import { writeSyntheticTrajectory } from './synthetic-file';

export interface SuiteOptions {
  cases: CaseName[];
  sizes: number[];
  devices: BenchDevice[];
  threads: number[];
  repeats: number;
  /** Seconds each case may spend in repeats after its warm-up. */
  budget: number;
  quick: boolean;
  /** Frames of the predict case (16; 4 with quick). */
  predictFrames: number;
  /** Neighbour-list cutoff (length unit of the frame). */
  cutoff: number;
  /** Descriptor set (shipped name or file). */
  set: string;
  /** A trajectory whose first frame replaces the synthetic ones (NL and SF only). */
  input?: string;
  /** The command line, as recorded. */
  argv: string[];
  onResult?: (r: CaseResult) => void;
}

export interface BenchRecord {
  schema: 'ionfield.bench/2';
  created: string;
  command: string[];
  options: Omit<SuiteOptions, 'argv' | 'onResult'>;
  machine: MachineRecord;
  software: SoftwareRecord;
  results: CaseResult[];
  failures: number;
  /** Wall seconds of the whole suite. */
  seconds: number;
}

/** Which devices can run: CPU always; CUDA when the addon reports a usable GPU. */
export function availableDevices(): { devices: BenchDevice[]; note: string } {
  const gpu = native().descriptorsGpu();
  return gpu.available ? { devices: ['cpu', 'cuda'], note: '' } : { devices: ['cpu'], note: gpu.reason };
}

async function userFrame(file: string): Promise<BenchFrame> {
  for await (const b of openTrajectory(file, { unwrap: false, batchSize: 1 }).batches()) {
    if (!b.types) throw Object.assign(new Error(`${file}: the file has no species labels, which the descriptor set needs; pass a file with types (or a topology beside it)`), { code: 'IONFIELD_BAD_INPUT' });
    const species = [...new Set(b.types)].sort((a, c) => a.localeCompare(c, undefined, { numeric: true }));
    return { batch: frameOf(b, 0), input: file, species };
  }
  throw Object.assign(new Error(`${file}: no frames; expected at least one frame to time`), { code: 'IONFIELD_BAD_INPUT' });
}

/** Cases that have a CUDA path (the others run on the CPU only and are listed once per thread count). */
const CUDA_CASES: CaseName[] = ['nl', 'sf', 'predict'];

export async function runSuite(o: SuiteOptions): Promise<BenchRecord> {
  const started = process.hrtime.bigint();
  const machine = machineRecord();
  const software = softwareRecord();
  if (o.input) loadSet(o.set); // a bad --set fails before any timing
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ionfield-bench-'));
  const files = new Map<string, string>();
  const ctx: CaseContext = {
    repeats: o.repeats,
    budget: o.budget,
    quick: o.quick,
    predictFrames: o.predictFrames,
    workDir,
    makeTrajectory: (natoms, frames) => {
      const key = `${natoms}x${frames}`;
      if (!files.has(key)) files.set(key, writeSyntheticTrajectory(workDir, natoms, frames));
      return files.get(key)!;
    },
  };
  const results: CaseResult[] = [];
  const run = async (name: CaseName, size: number, device: BenchDevice, threads: number, input: string, body: () => Promise<Partial<CaseResult>>) => {
    let r: CaseResult;
    try {
      r = { case: name, size, device, threads, input, work: '', seconds: null, throughput: null, checks: {}, error: null, ...(await body()) };
    } catch (err) {
      r = { case: name, size, device, threads, input, work: '', seconds: null, throughput: null, checks: {}, error: (err as Error).message.split('\n').join('; ') };
    }
    results.push(r);
    o.onResult?.(r);
  };
  try {
    const frames: BenchFrame[] = o.input
      ? [await userFrame(o.input)]
      : o.sizes.map((n) => ({ batch: randomBatch(n), input: 'synthetic', species: ['1', '2'] }));
    // One frame at a time in memory beyond the ones listed: 10⁶ ions are 24 MB of positions.
    for (const name of o.cases) {
      if (o.input && name !== 'nl' && name !== 'sf') continue;
      for (const [i, size] of (o.input ? [frames[0].batch.natoms] : o.sizes).entries()) {
        for (const device of CUDA_CASES.includes(name) ? o.devices : (['cpu'] as BenchDevice[])) {
          // On CUDA the thread count only drives the host's binning: one setting (the largest) suffices.
          for (const threads of device === 'cuda' ? [Math.max(...o.threads)] : o.threads) {
            const frame = frames[i];
            const input = frame?.input ?? 'synthetic';
            if (name === 'nl') await run(name, size, device, threads, input, () => nlCase(frame, o.cutoff, device, threads, ctx));
            else if (name === 'sf') await run(name, size, device, threads, input, () => sfCase(frame, o.set, device, threads, ctx));
            else if (name === 'predict') await run(name, size, device, threads, input, () => predictCase(size, device, threads, ctx));
            else if (name === 'transport') await run(name, size, device, threads, input, () => transportCase(size, threads, ctx));
            else await run(name, size, device, threads, input, () => kmcCase(size, threads, ctx));
          }
        }
      }
    }
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
  // Predict against descriptors alone, same size, device and threads, same run: how close the
  // pipeline comes to its slowest stage.
  for (const p of results.filter((r) => r.case === 'predict' && r.throughput)) {
    const sf = results.find((r) => r.case === 'sf' && r.size === p.size && r.device === p.device && r.threads === p.threads && r.throughput);
    p.checks.vs_sf_throughput = sf ? p.throughput!.value / sf.throughput!.value : null;
  }
  machine.loadAverage.end = os.loadavg()[0];
  const { argv, onResult, ...options } = o;
  void onResult;
  return {
    schema: 'ionfield.bench/2',
    created: new Date().toISOString(),
    command: argv,
    options,
    machine,
    software,
    results,
    failures: results.filter((r) => r.error !== null).length,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
  };
}

/** The largest cutoff of a set bound to two species: the default NL cutoff for --input. */
export function setCutoff(set: string): number {
  return Math.max(...bindSet(loadSet(set), ['1', '2']).functions.map((f) => f.cutoff));
}
