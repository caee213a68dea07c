// `ionfield bench`: the standard benchmark suite (lib/bench/), as a table or JSON a suite runner
// on any node can call and compare across machines.
import * as os from 'node:os';
import { CASES, CaseName, CaseResult } from '../bench/cases';
import { availableDevices, BenchRecord, runSuite, setCutoff } from '../bench/suite';
import { writeJsonAtomic } from '../atomic-file';
import { Command, integerOption, numberOption, parse, printJson, UsageError } from './command';

const FULL_SIZES = [1e3, 1e4, 1e5];
const QUICK_SIZES = [1e3, 1e4];

function list<T>(text: string, what: string, each: (s: string) => T): T[] {
  const items = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (!items.length) throw new UsageError(`--${what}: expected a comma-separated list, got '${text}'`);
  return items.map(each);
}

function size(s: string): number {
  const v = Number(s); // accepts 1e6 and 1000000
  if (!Number.isInteger(v) || v < 2 || v > 1e8) throw new UsageError(`--sizes: '${s}' is not an ion count between 2 and 1e8`);
  return v;
}

const fmt = (s: number) => (s >= 1 ? `${s.toFixed(2)} s` : s >= 1e-3 ? `${(s * 1e3).toFixed(s >= 0.1 ? 0 : 1)} ms` : `${(s * 1e6).toFixed(0)} µs`);

function row(r: CaseResult): string {
  const head = `${r.case.padEnd(9)} ${String(r.size).padStart(8)} ${r.device.padEnd(4)} ${String(r.threads).padStart(3)}`;
  if (r.error !== null || !r.seconds || !r.throughput) return `${head}  FAILED: ${r.error}`;
  const t = r.seconds;
  return `${head} ${String(t.repeats).padStart(3)} ${fmt(t.median).padStart(9)} ${`${fmt(t.min)}–${fmt(t.max)}`.padStart(20)}  ${r.throughput.value.toExponential(2)} ${r.throughput.unit}`;
}

const HEADER = `${'case'.padEnd(9)} ${'ions'.padStart(8)} ${'dev'.padEnd(4)} ${'thr'.padStart(3)} ${'rep'.padStart(3)} ${'median'.padStart(9)} ${'min–max'.padStart(20)}  throughput`;

function summaryLines(rec: BenchRecord): string[] {
  const m = rec.machine, s = rec.software;
  return [
    `machine: ${m.cpuModel}, ${m.logicalCpus} logical CPUs, ${m.memoryGib} GiB; load ${m.loadAverage.start.toFixed(2)} at start, ${m.loadAverage.end?.toFixed(2)} at end`,
    `GPU: ${m.gpus.length ? m.gpus.map((g) => `${g.name} (sm ${g.computeCapability}, ${g.memoryGib.toFixed(0)} GiB)`).join(', ') + `, driver ${m.nvidiaDriver ?? 'unknown'}, CUDA runtime ${s.cudaRuntime}` : `none used — ${m.gpuNote}`}`,
    `ionfield ${s.ionfield} (${s.gitCommit ? `commit ${s.gitCommit.slice(0, 12)}${s.gitDirty ? ', modified' : ''}` : 'installed package'}), ${s.compiler}${s.cudaCompiler ? `, ${s.cudaCompiler}` : ''}, Node ${s.node}, onnxruntime-node ${s.onnxruntimeNode ?? 'missing'}${s.onnxruntimeCudaProvider ? ' (CUDA provider installed)' : ' (CPU provider only)'}`,
  ];
}

export const benchCommand: Command = {
  name: 'bench',
  summary: 'time the standard suite (neighbour list, descriptors, predict, transport, KMC) on CPU and GPU',
  usage: `ionfield bench [--quick] [--sizes 1e3,1e4,1e5,1e6] [--device cpu|cuda|all] [--json] [--out FILE]
ionfield bench --input FILE [--cutoff RC] [--set NAME|FILE] [options]

Times each case over repeats (after one warm-up) and prints min, median and max wall seconds and a
throughput; JSON schema ionfield.bench/2 (docs/bench.md) records the machine, GPU, driver,
compiler, versions, git commit and this command line, so JSONs from two nodes compare.
Synthetic inputs: uniform random ions at the W1 density (0.38 per diameter³), two species.

  --quick          sizes 1e3,1e4, fewer frames and steps, ≤ 1 s of repeats a case (fits in a minute)
  --sizes LIST     ion counts (default 1e3,1e4,1e5; 1e6 is welcome on a big node)
  --cases LIST     any of ${CASES.join(',')} (default: all)
  --device D       cpu | cuda | all (default: all = CPU, plus CUDA when the addon reports a GPU)
  --threads LIST   CPU thread counts (default: 1 and all, here 1,${os.availableParallelism()})
  --repeats N      timed repeats a case (default 5; 3 with --quick), cut to fit --budget
  --budget S       seconds of repeats a case may take after its warm-up (default 20; 1 with --quick)
  --frames N       frames of the predict case (default 16; 4 with --quick): a few hundred show the
                   pipeline's steady state, beyond the model's load time
  --input FILE     time NL and SF on the first frame of FILE instead (its size, its species)
  --cutoff RC      neighbour-list cutoff (default 6; with --input: the set's largest cutoff)
  --set NAME|FILE  descriptor set for SF (default: benchmark, 34 features for two species)
  --json           print the JSON record instead of the table
  --out FILE       also write the JSON record to FILE (atomically)

Exit codes: 0 every case ran, 1 a case failed (its error is in the table/JSON), 2 bad usage.`,
  async run(argv) {
    const { values, positionals } = parse(argv, {
      quick: { type: 'boolean' },
      sizes: { type: 'string' },
      cases: { type: 'string' },
      device: { type: 'string' },
      threads: { type: 'string' },
      repeats: { type: 'string' },
      budget: { type: 'string' },
      frames: { type: 'string' },
      input: { type: 'string' },
      cutoff: { type: 'string' },
      set: { type: 'string' },
      json: { type: 'boolean' },
      out: { type: 'string' },
    }, false);
    void positionals;
    const quick = Boolean(values.quick);
    const cases = values.cases ? list(values.cases as string, 'cases', (c) => {
      if (!(CASES as readonly string[]).includes(c)) throw new UsageError(`--cases: unknown case '${c}' (cases: ${CASES.join(', ')})`);
      return c as CaseName;
    }) : [...CASES];
    const available = availableDevices();
    const want = (values.device ?? 'all') as string;
    if (!['cpu', 'cuda', 'all'].includes(want)) throw new UsageError(`--device must be cpu, cuda or all, got '${want}'`);
    if (want === 'cuda' && !available.devices.includes('cuda')) throw Object.assign(new Error(`--device cuda: ${available.note}`), { code: 'IONFIELD_BAD_INPUT' });
    const devices = want === 'all' ? available.devices : [want as 'cpu' | 'cuda'];
    const threads = values.threads ? list(values.threads as string, 'threads', (t) => integerOption(t, 'threads', 1)!) : [...new Set([1, os.availableParallelism()])];
    const set = (values.set as string | undefined) ?? 'benchmark';
    const input = values.input as string | undefined;
    const cutoff = numberOption(values.cutoff as string | undefined, 'cutoff', (v) => v > 0) ?? (input ? setCutoff(set) : 6);
    const log = (line: string) => (values.json ? process.stderr : process.stdout).write(line + '\n');
    if (!values.json) log(HEADER);
    const record = await runSuite({
      cases: input ? cases.filter((c) => c === 'nl' || c === 'sf') : cases,
      sizes: values.sizes ? list(values.sizes as string, 'sizes', size) : quick ? QUICK_SIZES : FULL_SIZES,
      devices,
      threads,
      repeats: integerOption(values.repeats as string | undefined, 'repeats', 1) ?? (quick ? 3 : 5),
      budget: numberOption(values.budget as string | undefined, 'budget', (v) => v > 0) ?? (quick ? 1 : 20),
      quick,
      predictFrames: integerOption(values.frames as string | undefined, 'frames', 1) ?? (quick ? 4 : 16),
      cutoff,
      set,
      input,
      argv: ['ionfield', 'bench', ...argv],
      onResult: values.json ? undefined : (r) => log(row(r)),
    });
    if (values.out) writeJsonAtomic(values.out as string, record);
    if (values.json) printJson(record);
    else {
      log('');
      for (const line of summaryLines(record)) log(line);
      if (!devices.includes('cuda')) log(`CUDA: not timed (${want === 'cpu' ? '--device cpu' : available.note})`);
    }
    return record.failures ? 1 : 0;
  },
};
