// ionfield beside its peers in one run (issue 16): the same inputs, measured back to back, round
// after round, so that the ratios survive a shared, noisy machine (each round's ratio uses that
// round's own ionfield time; min/median/max over rounds are reported).
//   npx tsx scripts/bench/peers.ts [--rounds 5] [--repeats 3] [--vesin-driver PATH --vesin-commit HASH]
//                                  [--out docs/benchmarks/peers.md] [--venv DIR] [--quick]
// Peers: MDAnalysis FastNS / self_capped_distance (neighbour list), MDAnalysis' LAMMPS dump reader,
// a NumPy FFT Einstein–Helfand correlator (scripts/bench/transport_peer.py), and vesin — its Python
// package when pip can install it (scripts/bench/peers_venv.ts), and/or a C++ driver built by hand
// from vesin's source (--vesin-driver: `driver frame.bin cutoff threads repeats` prints
// {"seconds": [...], "pairs": n}); this script never builds vesin itself.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { native } from '../../lib/native';
import { NpyWriter } from '../../lib/npy';
import { openTrajectory } from '../../lib/trajectory';
import { randomBatch } from '../../lib/bench/frames';
import { summarise, Timing } from '../../lib/bench/timing';
import { peerPython } from './peers_venv';

const args = process.argv.slice(2);
const opt = (name: string, fallback: string) => { const k = args.indexOf(name); return k >= 0 ? args[k + 1] : fallback; };
const quick = args.includes('--quick');
const rounds = Number(opt('--rounds', quick ? '2' : '5'));
const repeats = Number(opt('--repeats', '3'));
const ions = Number(opt('--ions', '4096'));
const cutoff = Number(opt('--cutoff', '6'));
const readAtoms = Number(opt('--read-atoms', '1000')), readFrames = Number(opt('--read-frames', quick ? '200' : '1000'));
const transportFrames = Number(opt('--transport-frames', quick ? '2000' : '10000'));
const vesinDriver = opt('--vesin-driver', ''), vesinCommit = opt('--vesin-commit', '');
const out = opt('--out', 'docs/benchmarks/peers.md');
const all = os.availableParallelism();
const here = __dirname;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ionfield-peers-'));
const load = () => os.loadavg()[0].toFixed(1);

function json(cmd: string, argv: string[]): any {
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

/**
 * `json` under /usr/bin/time: the child's own peak RSS. getrusage in a child spawned by this Node
 * process also counts the pages it inherited across fork (Linux keeps maxrss across exec), so a
 * child's self-reported peak reads at least this process's RSS (~170 MB); time(1) forks from a
 * small process.
 */
function jsonWithRss(cmd: string, argv: string[]): { value: any; peakRssMb: number } {
  const r = spawnSync('/usr/bin/time', ['-f', 'peakRssKb %M', cmd, ...argv], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed:\n${r.stderr}`);
  const kb = Number(/peakRssKb (\d+)/.exec(r.stderr)![1]);
  return { value: JSON.parse(r.stdout.trim().split('\n').pop()!), peakRssMb: kb / 1024 };
}

/** Wall seconds of `repeats` calls after a warm-up, and what the last call returned. */
async function times<T>(fn: () => Promise<T> | T): Promise<{ s: number[]; last: T }> {
  let last = await fn();
  const s: number[] = [];
  for (let k = 0; k < repeats; k++) {
    const t0 = process.hrtime.bigint();
    last = await fn();
    s.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return { s, last };
}

// Per series: every repeat's seconds (for the time columns) and each round's median (for ratios).
const series = new Map<string, { all: number[]; perRound: number[]; pairs?: number; peakRssMb?: number }>();
function record(key: string, s: number[], pairs?: number) {
  const e = series.get(key) ?? { all: [], perRound: [] };
  e.all.push(...s);
  e.perRound.push(summarise(s).median);
  if (pairs !== undefined) e.pairs = pairs;
  series.set(key, e);
}
/** Peer over ionfield, round by round: min/median/max over rounds. */
const ratio = (peer: string, mine: string): Timing | null => {
  const p = series.get(peer), m = series.get(mine);
  return p && m ? summarise(p.perRound.map((v, k) => v / m.perRound[k])) : null;
};

async function neighbourLists(python: string, haveVesinPy: boolean) {
  const b = randomBatch(ions, 1, 7);
  const L = b.boxes![0];
  const pos = new NpyWriter(path.join(work, 'positions.npy'), 'float64', [3]);
  pos.append(b.positions, ions);
  pos.close();
  const box = new NpyWriter(path.join(work, 'box.npy'), 'float64', []);
  box.append(Float64Array.from([L, L, L]), 3);
  box.close();
  // The same frame for a hand-built C++ peer: int64 n, the 3×3 box by rows, n×3 positions.
  const head = Buffer.alloc(8 + 72);
  head.writeBigInt64LE(BigInt(ions), 0);
  Buffer.from(b.boxes!.buffer, b.boxes!.byteOffset, 72).copy(head, 8);
  fs.writeFileSync(path.join(work, 'frame.bin'), Buffer.concat([head, Buffer.from(b.positions.buffer, b.positions.byteOffset, b.positions.byteLength)]));
  const frame = { positions: b.positions, boxes: b.boxes, origins: b.origins, periodic: b.periodic };
  for (let r = 0; r < rounds; r++) {
    for (const t of [1, all]) {
      for (const distances of [false, true]) {
        const { s, last } = await times(() => native().neighborList(frame, { cutoff, full: false, threads: t, distances, vectors: false }));
        record(`ionfield ${distances ? 'dist' : 'pairs'} ${t}`, s, last.first.length);
        // The native call alone (no copy of pairs to JavaScript): what a C++ peer's timing compares with.
        if (!distances) record(`ionfield native ${t}`, [(await native().neighborList(frame, { cutoff, full: false, threads: t, distances, vectors: false })).seconds]);
      }
    }
    const py = json(python, [path.join(here, 'peers_nl.py'), work, String(cutoff), String(repeats), String(all)]);
    record('MDAnalysis FastNS', py.mdanalysisFastNs.seconds, py.mdanalysisFastNs.pairs);
    record('MDAnalysis self_capped_distance', py.mdanalysisSelfCappedDistance.seconds, py.mdanalysisSelfCappedDistance.pairs);
    if (haveVesinPy && py.vesinPython.seconds) record('vesin (Python)', py.vesinPython.seconds, py.vesinPython.pairs);
    if (vesinDriver)
      for (const t of [1, all]) {
        const v = json(vesinDriver, [path.join(work, 'frame.bin'), String(cutoff), String(t), String(repeats)]);
        record(`vesin C++ ${t}`, v.seconds, v.pairs);
      }
    console.error(`neighbour lists: round ${r + 1}/${rounds} done, load ${load()}`);
  }
}

async function reading(python: string) {
  const file = path.join(work, 'dump.lammpstrj');
  const g = spawnSync(python, [path.join(here, 'make-large-dump.py'), file, String(readAtoms), String(readFrames), '1'], { encoding: 'utf8' });
  if (g.status !== 0) throw new Error(`make-large-dump.py failed:\n${g.stderr}`);
  for (let r = 0; r < Math.min(rounds, 3); r++) {
    const t0 = process.hrtime.bigint();
    let frames = 0;
    for await (const batch of openTrajectory(file, { unwrap: false, batchSize: 64 }).batches()) frames += batch.frames;
    record('ionfield read', [Number(process.hrtime.bigint() - t0) / 1e9]);
    const m = json(python, ['-W', 'ignore', path.join(here, 'read-mdanalysis.py'), file]);
    if (m.frames !== frames) throw new Error(`frames read differ: ionfield ${frames}, MDAnalysis ${m.frames}`);
    record('MDAnalysis read', [m.seconds]);
  }
  return fs.statSync(file).size;
}

async function transport(python: string) {
  for (let r = 0; r < Math.min(rounds, 3); r++) {
    for (const t of [1, all]) {
      // A child process per run, as scripts/bench/transport.ts does, so peak RSS is the run's own.
      const { value: c, peakRssMb } = jsonWithRss(process.execPath, ['--import', 'tsx', path.join(here, 'transport.ts'), '--child', '--frames', String(transportFrames), '--atoms', '1000', '--threads', String(t)]);
      record(`ionfield transport ${t}`, [c.seconds]);
      series.get(`ionfield transport ${t}`)!.peakRssMb = Math.max(peakRssMb, series.get(`ionfield transport ${t}`)!.peakRssMb ?? 0);
    }
    const { value: p, peakRssMb } = jsonWithRss(python, [path.join(here, 'transport_peer.py'), '--frames', String(transportFrames), '--atoms', '1000', '--method', 'numpy-fft']);
    record('NumPy FFT transport', [p.seconds]);
    series.get('NumPy FFT transport')!.peakRssMb = Math.max(peakRssMb, series.get('NumPy FFT transport')!.peakRssMb ?? 0);
  }
}

async function main() {
  const load0 = load();
  const log: string[] = [];
  const venv = opt('--venv', path.join(os.tmpdir(), 'ionfield-peers-venv'));
  const py = peerPython(venv, (s) => console.error(s));
  await neighbourLists(py.python, py.vesin !== null);
  const bytes = await reading(py.python);
  await transport(py.python);
  const load1 = load();

  const ms = (v: number) => (v * 1e3 < 10 ? (v * 1e3).toFixed(2) : (v * 1e3).toFixed(1));
  const range = (t: Timing, f: (v: number) => string) => `${f(t.min)} / ${f(t.median)} / ${f(t.max)}`;
  const x = (t: Timing | null) => (t ? range(t, (v) => v.toFixed(2)) + '×' : '—');
  const row = (what: string, key: string, ref: string | null, extra = '') => {
    const e = series.get(key);
    if (!e) return;
    log.push(`| ${what} | ${range(summarise(e.all), ms)} | ${e.pairs ?? (e.peakRssMb !== undefined ? e.peakRssMb.toFixed(0) : '')} | ${ref ? x(ratio(key, ref)) : ''} | ${extra} |`);
  };
  const cmd = `npx tsx scripts/bench/peers.ts ${args.join(' ')}`.trim();
  log.push('# ionfield beside its peers, one run', '');
  log.push(`Reproduce: \`${cmd}\`. Written by scripts/bench/peers.ts on ${new Date().toISOString().slice(0, 16)} UTC.`, '');
  log.push(`Machine: ${os.cpus()[0].model}, ${all} logical CPUs, **shared** (1-minute load average ${load0} at the start, ${load1} at the end). ` +
    `Peers: ${py.python} (venv over Debian's packages): MDAnalysis ${py.mdanalysis}, NumPy ${py.numpy}; vesin (Python): ${py.vesin ?? py.vesinNote}` +
    (vesinDriver ? `; vesin C++ ${vesinCommit ? `at commit ${vesinCommit}` : ''}, built by hand from source, through a timing driver (${vesinDriver})` : '') + '.', '');
  log.push('What the numbers mean (and what was not measured): BENCHMARKS.md, section "Issue 16".', '');
  log.push(`Each tool ran ${repeats} times after a warm-up in each of ${rounds} rounds, tools alternating within a round. Times: min / median / max over every repeat (ms). Ratio = peer ÷ ionfield (> 1: ionfield faster), one ratio per round from that round's medians, min / median / max over rounds.`, '');
  log.push(`## Neighbour half list: ${ions} uniform random ions at ρ = 0.38 (the W1 density), rc ${cutoff}`, '');
  log.push('| tool (output, threads) | ms | half pairs | ratio | compared with |', '|---|---:|---:|---:|---|');
  for (const t of [1, all]) {
    row(`ionfield, native call only (pairs + shifts, ${t})`, `ionfield native ${t}`, null);
    row(`ionfield through the addon (pairs + shifts to JS, ${t})`, `ionfield pairs ${t}`, null);
    row(`ionfield through the addon (+ distances, ${t})`, `ionfield dist ${t}`, null);
    row(`vesin C++ (pairs + shifts, ${t})`, `vesin C++ ${t}`, `ionfield native ${t}`, 'ionfield native call, same threads');
  }
  row('vesin Python (pairs + shifts, all)', 'vesin (Python)', `ionfield pairs ${all}`, 'ionfield addon, pairs');
  for (const t of [1, all]) {
    row(`MDAnalysis FastNS.self_search (pairs + distances, 1) vs ionfield at ${t}`, 'MDAnalysis FastNS', `ionfield dist ${t}`, `ionfield addon + distances, ${t} thread(s)`);
    row(`MDAnalysis self_capped_distance (pairs + distances, 1) vs ionfield at ${t}`, 'MDAnalysis self_capped_distance', `ionfield dist ${t}`, `ionfield addon + distances, ${t} thread(s)`);
  }
  log.push('', `MDAnalysis' grid search is serial, so its rows are one thread; they are compared with ionfield at one and at ${all} threads.`, '');
  log.push(`## Reading a LAMMPS text dump: ${readAtoms} atoms × ${readFrames} frames (${(bytes / 1e6).toFixed(0)} MB, scripts/bench/make-large-dump.py)`, '');
  log.push('| reader | ms | | ratio | |', '|---|---:|---:|---:|---|');
  row('ionfield (openTrajectory, batches of 64, in process)', 'ionfield read', null);
  row('MDAnalysis LAMMPSDUMP (Universe + iterate)', 'MDAnalysis read', 'ionfield read', 'ionfield read');
  log.push('', `## Transport correlations (MSD per species, ⟨|J|²⟩, ⟨ΔR_a·ΔR_b⟩): 1,000 ions × ${transportFrames} frames of a random walk`, '');
  log.push('| tool (threads) | ms | peak RSS (MB) | ratio | compared with |', '|---|---:|---:|---:|---|');
  for (const t of [1, all]) row(`ionfield multiple-tau correlator (${t})`, `ionfield transport ${t}`, null);
  for (const t of [1, all]) row('NumPy FFT all-origins (scripts/bench/transport_peer.py)', 'NumPy FFT transport', `ionfield transport ${t}`, `ionfield, ${t} thread(s)`);
  log.push('');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, log.join('\n') + '\n');
  const raw = Object.fromEntries([...series].map(([k, v]) => [k, { seconds: v.all, roundMedians: v.perRound, halfPairs: v.pairs ?? null, peakRssMb: v.peakRssMb ?? null }]));
  fs.writeFileSync(out.replace(/\.md$/, '.json'), JSON.stringify({ schema: 'ionfield.peers/1', command: cmd, loadAverage: { start: Number(load0), end: Number(load1) }, peers: py, vesinCommit: vesinCommit || null, series: raw }, null, 1) + '\n');
  console.log(log.join('\n'));
  fs.rmSync(work, { recursive: true, force: true });
}

main().catch((e) => { console.error(e); process.exit(1); });
