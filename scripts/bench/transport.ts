// Benchmark: transport correlations (per-species MSD, ⟨|J|²⟩, ⟨ΔR_a·ΔR_b⟩) for 1,000 ions, ionfield's
// multiple-tau correlator against MDAnalysis (EinsteinMSD) and an FFT all-origins NumPy peer, in one
// run on the same machine; and ionfield's peak memory at two trajectory lengths.
//   node --import tsx scripts/bench/transport.ts [--frames 100000] [--atoms 1000] [--mda-frames 1000,2000]
// Each measurement runs in its own process so that peak RSS belongs to it alone.
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { feedRandomWalk } from '../../lib/bench/transport';
import { peakRssMiB } from './peak-rss';

interface Result {
  tool: string;
  atoms: number;
  frames: number;
  seconds: number;
  framesPerS: number;
  peakRssMb: number;
  threads?: number;
  correlatorMb?: number;
}

/** Child: feeds a random walk to the correlator in batches of 256 frames (lib/bench/transport.ts); times the whole loop. */
async function child(frames: number, atoms: number, threads: number): Promise<void> {
  const w = await feedRandomWalk(frames, atoms, threads);
  if (!(w.framesSeen === frames)) throw new Error('frame count mismatch');
  const result: Result = {
    tool: 'ionfield',
    atoms,
    frames,
    seconds: w.seconds,
    framesPerS: frames / w.seconds,
    peakRssMb: peakRssMiB(),
    threads,
    correlatorMb: w.correlatorBytes / 2 ** 20,
  };
  console.log(JSON.stringify(result));
}

function run(cmd: string, args: string[]): Result {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stderr}`);
  const line = r.stdout.trim().split('\n').pop()!;
  return JSON.parse(line) as Result;
}

async function main() {
  const arg = (name: string, fallback: string) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1] : fallback;
  };
  if (process.argv.includes('--child')) {
    await child(Number(arg('--frames', '1000')), Number(arg('--atoms', '1000')), Number(arg('--threads', '0')));
    return;
  }
  const frames = Number(arg('--frames', '100000')), atoms = Number(arg('--atoms', '1000'));
  const mdaFrames = arg('--mda-frames', '1000,2000').split(',').map(Number);
  const fftFrames = arg('--fft-frames', `${frames / 10},${frames}`).split(',').map(Number);
  const self = path.resolve(__filename);
  const results: Result[] = [];
  const ionfield = (n: number, threads: number) => run(process.execPath, ['--import', 'tsx', self, '--child', '--frames', String(n), '--atoms', String(atoms), '--threads', String(threads)]);
  const peer = (n: number, method: string) => run('/usr/bin/python3', [path.join(__dirname, 'transport_peer.py'), '--frames', String(n), '--atoms', String(atoms), '--method', method]);
  console.error(`machine: ${os.cpus().length} × ${os.cpus()[0].model}, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  for (const n of [frames / 10, frames]) for (const t of [1, os.cpus().length]) results.push(ionfield(n, t));
  for (const n of fftFrames) results.push(peer(n, 'numpy-fft'));
  for (const n of mdaFrames) results.push(peer(n, 'mdanalysis'));
  console.log('| tool | threads | atoms | frames | seconds | frames/s | peak RSS (MB) |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of results)
    console.log(`| ${r.tool} | ${r.threads ?? 1} | ${r.atoms} | ${r.frames} | ${r.seconds.toFixed(2)} | ${r.framesPerS.toFixed(0)} | ${r.peakRssMb.toFixed(0)} |`);
  const best = results.filter((r) => r.tool === 'ionfield' && r.frames === frames).sort((a, b) => b.framesPerS - a.framesPerS)[0];
  const mda = results.filter((r) => r.tool === 'mdanalysis').sort((a, b) => b.frames - a.frames)[0];
  if (best && mda) {
    // MDAnalysis without FFT costs ∝ T² N: its time for T frames scales from the largest run measured.
    const extrapolated = mda.seconds * (frames / mda.frames) ** 2;
    console.log(`\nMDAnalysis EinsteinMSD (fft=False) extrapolated to ${frames} frames (∝ T²): ${(extrapolated / 3600).toFixed(1)} h; ionfield ${best.seconds.toFixed(1)} s (${(extrapolated / best.seconds).toFixed(0)}× faster)`);
  }
  const fft = results.filter((r) => r.tool === 'numpy-fft' && r.frames === frames)[0];
  if (best && fft) console.log(`NumPy FFT all-origins at ${frames} frames: ${fft.seconds.toFixed(1)} s, ${fft.peakRssMb.toFixed(0)} MB; ionfield ${best.seconds.toFixed(1)} s, ${best.peakRssMb.toFixed(0)} MB`);
  console.log(JSON.stringify(results));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
