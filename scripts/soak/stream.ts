// Soak test: streams a long synthetic trajectory (a random walk of a 1:1 salt, LAMMPS dump text)
// through a FIFO into `ionfield <command>` and samples the command's resident memory as it runs,
// so bounded memory is measured on a run far longer than any test fixture, with no disk used.
//   npx tsx scripts/soak/stream.ts --command transport --frames 1000000 [--atoms 64] [--out docs/benchmarks/soak-transport.json]
// Prints RSS at 10 %, 50 % and 100 % of the run and writes every sample as JSON.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { writeJsonAtomic } from '../../lib/atomic-file';

const { values } = parseArgs({ options: { command: { type: 'string', default: 'transport' }, frames: { type: 'string', default: '1000000' }, atoms: { type: 'string', default: '64' }, out: { type: 'string' } } });
const frames = Number(values.frames), atoms = Number(values.atoms), command = values.command!;
const root = path.resolve(__dirname, '..', '..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ionfield-soak-'));
const fifo = path.join(dir, 'stream.lammpstrj');
spawnSync('mkfifo', [fifo]);

const args: Record<string, string[]> = {
  transport: ['transport', fifo, '--temperature', '1', '--units', 'lj', '--timestep', '0.005', '--json'],
  predict: ['predict', fifo, '--out', path.join(dir, 'lambda.npy'), '--json'],
};
const child = spawn(process.execPath, [path.join(root, 'bin', 'ionfield.js'), ...args[command]], { env: { ...process.env, IONFIELD_NO_PROGRESS: '1' } });
let stdout = '', stderr = '';
child.stdout.on('data', (d) => (stdout += d));
child.stderr.on('data', (d) => (stderr += d));

let written = 0;
const started = Date.now();
const samples: { seconds: number; framesWritten: number; rssMb: number }[] = [];
const rss = () => {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
};
const timer = setInterval(() => samples.push({ seconds: (Date.now() - started) / 1000, framesWritten: written, rssMb: rss() }), 1000);

async function generate(): Promise<void> {
  const out = fs.createWriteStream(fifo, { highWaterMark: 1 << 22 });
  // Deterministic random walk: unit-variance Gaussian steps of 0.1 σ per frame, charges ±1.
  let seed = 12345;
  const uniform = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) + 0.5) / 4294967296;
  const x = Float64Array.from({ length: 3 * atoms }, () => 20 * uniform());
  for (let f = 0; f < frames; f++) {
    const lines = [`ITEM: TIMESTEP\n${f * 200}\nITEM: NUMBER OF ATOMS\n${atoms}\nITEM: BOX BOUNDS pp pp pp\n0 20\n0 20\n0 20\nITEM: ATOMS id type q xu yu zu\n`];
    for (let i = 0; i < atoms; i++) {
      for (let k = 0; k < 3; k++) x[3 * i + k] += 0.1 * Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
      lines.push(`${i + 1} ${1 + (i % 2)} ${i % 2 ? -1 : 1} ${x[3 * i].toFixed(4)} ${x[3 * i + 1].toFixed(4)} ${x[3 * i + 2].toFixed(4)}\n`);
    }
    if (!out.write(lines.join(''))) await new Promise((r) => out.once('drain', r));
    written = f + 1;
  }
  await new Promise((r) => out.end(r));
}

void (async () => {
  const code = await Promise.all([generate(), new Promise<number | null>((r) => child.on('exit', r))]).then(([, c]) => c);
  clearInterval(timer);
  const seconds = (Date.now() - started) / 1000;
  const at = (fraction: number) => samples.find((s) => s.framesWritten >= fraction * frames)?.rssMb ?? NaN;
  const peak = Math.max(...samples.map((s) => s.rssMb).filter(Number.isFinite));
  const result = { schema: 'ionfield.soak/1', command, frames, atoms, exitCode: code, seconds, framesPerSecond: frames / seconds, rssMb: { at10Percent: at(0.1), at50Percent: at(0.5), atEnd: samples[samples.length - 1]?.rssMb, peak }, samples, stderr: stderr.slice(-2000), result: command === 'transport' && code === 0 ? JSON.parse(stdout).diffusion : undefined };
  console.log(`${command}: ${frames} frames × ${atoms} atoms in ${seconds.toFixed(0)} s (exit ${code}); RSS ${result.rssMb.at10Percent.toFixed(0)} MB at 10 %, ${result.rssMb.at50Percent.toFixed(0)} MB at 50 %, ${result.rssMb.atEnd?.toFixed(0)} MB at the end, peak ${peak.toFixed(0)} MB`);
  if (values.out) writeJsonAtomic(values.out, result);
  fs.rmSync(dir, { recursive: true, force: true });
  process.exitCode = code === 0 ? 0 : 1;
})();
