// Peak memory of `analyze` and `train` as the per-frame data grow (issue 15 item 5): synthetic
// inputs at 1× and N× the frames, each case in a child process of its own (its peak RSS from
// getrusage), streamed (what the CLI does now) and whole-array (the library's in-memory path, what
// the CLI did before), with a check that both give the same result.
//
//   npx tsx scripts/bench/stream-memory.ts [--atoms 500] [--field-frames 1000] [--train-frames 200]
//       [--train-ions 256] [--features 16] [--scale 10] [--json]
//
// Prints a Markdown table (and with --json the raw numbers). Inputs go to a temporary folder,
// removed at the end.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFieldInputs, writeTrainingSet } from './stream-memory-inputs';

const args = process.argv.slice(2);
const opt = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const root = path.resolve(__dirname, '..', '..');

interface Measured {
  maxRssMB: number;
  seconds: number;
  result: string;
}

function measure(argv: string[]): Measured {
  const p = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, 'stream-memory-child.ts'), ...argv], { cwd: root, encoding: 'utf8' });
  if (p.status !== 0) throw new Error(`stream-memory-child ${argv.join(' ')}: ${p.stderr}`);
  return JSON.parse(p.stdout.trim().split('\n').pop()!) as Measured;
}

function bytesUnder(dir: string): number {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) n += e.isDirectory() ? bytesUnder(path.join(dir, e.name)) : fs.statSync(path.join(dir, e.name)).size;
  return n;
}

function main(): void {
  const atoms = opt('atoms', 500), fieldFrames = opt('field-frames', 1000), trainFrames = opt('train-frames', 200);
  const trainIons = opt('train-ions', 256), features = opt('features', 16), scale = opt('scale', 10);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ionfield-bench-stream-'));
  const rows: { work: string; size: number; dataMB: number; stream: Measured; whole: Measured }[] = [];
  try {
    for (const size of [1, scale]) {
      const fdir = path.join(dir, `field-${size}`);
      fs.mkdirSync(fdir);
      const f = writeFieldInputs(fdir, atoms, fieldFrames * size);
      const fieldArgs = ['analyze', f.trajectory, f.topology, f.field];
      // The whole-array path holds the field (float64) and the positions of its ions (3 × float64).
      const fieldMB = (atoms * fieldFrames * size * (8 + 24)) / 1e6;
      rows.push({ work: `analyze ${atoms} ions × ${fieldFrames * size} frames`, size, dataMB: fieldMB, stream: measure([...fieldArgs, 'stream']), whole: measure([...fieldArgs, 'whole']) });
      const tdir = path.join(dir, `train-${size}`);
      fs.mkdirSync(tdir);
      const ds = writeTrainingSet(tdir, trainFrames * size, trainIons, features);
      rows.push({ work: `train 3 systems × ${trainFrames * size} frames × ${2 * trainIons} ions × ${features} features`, size, dataMB: bytesUnder(ds) / 1e6, stream: measure(['train', ds, 'held', 'stream']), whole: measure(['train', ds, 'held', 'whole']) });
      for (const r of rows.slice(-2)) if (r.stream.result !== r.whole.result) throw new Error(`${r.work}: streamed and whole-array results differ`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const mb = (v: number) => v.toFixed(0);
  console.log(`| work | data (MB) | streamed peak RSS (MB) | whole-array peak RSS (MB) | streamed / whole-array wall (s) |`);
  console.log(`|---|---|---|---|---|`);
  for (const r of rows) console.log(`| ${r.work} | ${mb(r.dataMB)} | ${mb(r.stream.maxRssMB)} | ${mb(r.whole.maxRssMB)} | ${r.stream.seconds.toFixed(1)} / ${r.whole.seconds.toFixed(1)} |`);
  for (const work of ['analyze', 'train']) {
    const [a, b] = rows.filter((r) => r.work.startsWith(work));
    console.log(`${work}: data ×${(b.dataMB / a.dataMB).toFixed(1)}; streamed peak RSS ×${(b.stream.maxRssMB / a.stream.maxRssMB).toFixed(2)} (+${mb(b.stream.maxRssMB - a.stream.maxRssMB)} MB), whole-array ×${(b.whole.maxRssMB / a.whole.maxRssMB).toFixed(2)} (+${mb(b.whole.maxRssMB - a.whole.maxRssMB)} MB); results identical`);
  }
  if (args.includes('--json')) console.log(JSON.stringify({ schema: 'ionfield.bench-stream-memory/1', rows }, null, 1));
}

main();
