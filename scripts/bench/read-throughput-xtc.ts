// XTC read throughput: ionfield (native reader through the JS batch API) vs MDAnalysis
// (Debian python3-mdanalysis, C xdrfile underneath) on the same files in the same run, plus
// peak memory at two file sizes to show it stays flat as the file grows.
//   npx tsx scripts/bench/read-throughput-xtc.ts [--atoms 1000] [--frames 20000] [--small-frames 5000] [--repeats 3]
// Each reader runs in its own process so its peak RSS is its own. Prints a Markdown table and
// writes build/bench/read-throughput-xtc.json.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { peakRssMiB } from './peak-rss';

const root = path.resolve(__dirname, '..', '..');
const args = process.argv.slice(2);
const opt = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};

// ------------------------------------------------------------------ child modes
async function readWithIonfield(file: string, unwrap: boolean) {
  const { openTrajectory } = require(path.join(root, 'dist', 'lib', 'index.js'));
  const t0 = process.hrtime.bigint();
  let frames = 0;
  let checksum = 0;
  for await (const b of openTrajectory(file, { unwrap, batchSize: 64 }).batches()) {
    frames += b.frames;
    checksum += b.positions[0];
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(JSON.stringify({ frames, seconds, checksum, peakRssMiB: peakRssMiB() }));
}

function writeWithIonfield(file: string, natoms: number, nframes: number) {
  const { native } = require(path.join(root, 'dist', 'lib', 'index.js'));
  // Ions diffusing in a 5 nm box: a random walk per atom, rms step 0.01 nm per frame.
  const positions = new Float64Array(3 * natoms);
  let seed = 1;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let i = 0; i < positions.length; i++) positions[i] = rand() * 5;
  const box = Float64Array.from([5, 0, 0, 0, 5, 0, 0, 0, 5]);
  const w = new (native().NativeTrajectoryWriter)(file, 'xtc');
  for (let k = 0; k < nframes; k++) {
    for (let i = 0; i < positions.length; i++) positions[i] += (rand() - 0.5) * 0.035;
    w.write({ positions, box, step: 10 * k, time: 0.02 * k });
  }
  w.close();
}

const mdaScript = `
import sys, time, resource, warnings
warnings.filterwarnings("ignore")
from MDAnalysis.coordinates.XTC import XTCReader
cached = sys.argv[2] == "cached"
if cached:  # a previous open has built and saved the frame-offset index
    XTCReader(sys.argv[1]).close()
t0 = time.perf_counter()
r = XTCReader(sys.argv[1], refresh_offsets=not cached)
n = 0
s = 0.0
for ts in r:
    s += float(ts.positions[0, 0])
    n += 1
dt = time.perf_counter() - t0
print('{"frames": %d, "seconds": %.6f, "checksum": %r, "peakRssMiB": %.1f}' % (n, dt, s, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
`;

// ------------------------------------------------------------------ driver
function run(cmd: string, argv: string[]) {
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed: ${r.stderr}`);
  const last = r.stdout.trim().split('\n').pop() ?? '{}';
  return JSON.parse(last) as { frames: number; seconds: number; peakRssMiB: number };
}

function main() {
  const natoms = opt('atoms', 1000);
  const big = opt('frames', 20000);
  const small = opt('small-frames', 5000);
  const repeats = opt('repeats', 3);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ionfield-bench-xtc-'));
  const self = [path.join(root, 'node_modules', '.bin', 'tsx'), __filename];
  const rows: Record<string, unknown>[] = [];
  try {
    for (const nframes of [small, big]) {
      const file = path.join(dir, `walk-${nframes}.xtc`);
      const t0 = Date.now();
      spawnSync(self[0], [self[1], '--write', file, String(natoms), String(nframes)], { stdio: 'inherit' });
      const mb = fs.statSync(file).size / 1e6;
      console.error(`wrote ${file} (${mb.toFixed(1)} MB) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      const readers: [string, string, string[]][] = [
        ['ionfield (no unwrapping)', self[0], [self[1], '--read', file, 'raw']],
        ['ionfield (default: minimum-image unwrapping)', self[0], [self[1], '--read', file, 'unwrap']],
        ['MDAnalysis (first open: builds its offset index)', '/usr/bin/python3', ['-c', mdaScript, file, 'fresh']],
        ['MDAnalysis (offset index already cached)', '/usr/bin/python3', ['-c', mdaScript, file, 'cached']],
      ];
      for (const [reader, cmd, argv] of readers) {
        // best of `repeats` runs (the machine is shared), peak RSS of the worst
        let best = Infinity, rss = 0;
        for (let rep = 0; rep < repeats; rep++) {
          const r = run(cmd, argv);
          if (r.frames !== nframes) throw new Error(`${reader} read ${r.frames} of ${nframes} frames`);
          best = Math.min(best, r.seconds);
          rss = Math.max(rss, r.peakRssMiB);
        }
        rows.push({ reader, atoms: natoms, frames: nframes, fileMB: mb, seconds: best, MBps: mb / best, framesPerSecond: nframes / best, peakRssMiB: rss });
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log('| reader | atoms | frames | file MB | s | MB/s | frames/s | peak RSS MiB |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows as { reader: string; atoms: number; frames: number; fileMB: number; seconds: number; MBps: number; framesPerSecond: number; peakRssMiB: number }[])
    console.log(`| ${r.reader} | ${r.atoms} | ${r.frames} | ${r.fileMB.toFixed(1)} | ${r.seconds.toFixed(2)} | ${r.MBps.toFixed(1)} | ${r.framesPerSecond.toFixed(0)} | ${r.peakRssMiB.toFixed(0)} |`);
  const outDir = path.join(root, 'build', 'bench');
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'read-throughput-xtc.json'), JSON.stringify({ host: os.cpus()[0]?.model, rows }, null, 2));
}

if (args[0] === '--read') readWithIonfield(args[1], args[2] === 'unwrap');
else if (args[0] === '--write') writeWithIonfield(args[1], Number(args[2]), Number(args[3]));
else main();
