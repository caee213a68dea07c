// A/B timing of the half neighbour list through two (or more) addon builds, alternated in one run:
//   npx tsx scripts/bench/nl-ab.ts --addons old=/work/main/build/Release/ionfield.node,new=build/Release/ionfield.node \
//     [--sizes 4096,1e5] [--threads 1,2] [--rounds 4] [--repeats 7] [--out file.json]
// Each round spawns one child per addon (the order of the addons alternates from round to round);
// a child times, per size and thread count, one warm-up and `repeats` calls of the W1-like frame
// (uniform random ions at ρ = 0.38, rc 6, no distances or vectors), with a garbage collection
// between calls, and reports the wall time around the call (through the addon), the native call's
// own seconds and the process CPU time. It also reports an order-independent hash of the pair set
// (first, second, shifts), so that builds whose pair order differs can be compared for equality.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { randomBatch } from '../../lib/bench/frames';
import { native } from '../../lib/native';
import { dropGarbage, summarise } from '../../lib/bench/timing';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const k = args.indexOf(name);
  return k >= 0 ? args[k + 1] : dflt;
};

/** Order-independent 2 x 32-bit hash of the pair set: sums of a mix of each (i, j, S). */
function pairSetHash(nl: { first: Int32Array; second: Int32Array; shifts: Int32Array }): string {
  let a = 0, b = 0;
  for (let p = 0; p < nl.first.length; p++) {
    let h = Math.imul(nl.first[p] ^ 0x9e3779b9, 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13) ^ nl.second[p], 0xc2b2ae35);
    h = Math.imul(h ^ (h >>> 16) ^ (nl.shifts[3 * p] + 7), 0x27d4eb2f);
    h = Math.imul(h ^ (h >>> 15) ^ (nl.shifts[3 * p + 1] + 11), 0x165667b1);
    h = Math.imul(h ^ (h >>> 13) ^ (nl.shifts[3 * p + 2] + 13), 0x9e3779b1);
    h ^= h >>> 16;
    a = (a + h) >>> 0;
    b = (b + Math.imul(h, 0x2545f491)) >>> 0;
  }
  return `${a.toString(16)}:${b.toString(16)}`;
}

async function child(sizes: number[], threads: number[], repeats: number) {
  const out: unknown[] = [];
  for (const n of sizes) {
    const b = randomBatch(n, 1, 7);
    const frame = { positions: b.positions, boxes: b.boxes, origins: b.origins, periodic: b.periodic };
    for (const t of threads) {
      const call = () => native().neighborList(frame, { cutoff: 6, full: false, threads: t, distances: false, vectors: false });
      const first = await call();
      const pairs = first.first.length, hash = pairSetHash(first);
      const wall: number[] = [], nativeS: number[] = [], cpu: number[] = [];
      for (let k = 0; k < repeats; k++) {
        await dropGarbage();
        const c0 = process.cpuUsage(), t0 = process.hrtime.bigint();
        const r = await call();
        wall.push(Number(process.hrtime.bigint() - t0) / 1e9);
        const c = process.cpuUsage(c0);
        cpu.push((c.user + c.system) / 1e6);
        nativeS.push(r.seconds);
      }
      out.push({ n, threads: t, pairs, hash, wall, native: nativeS, cpu });
    }
  }
  console.log(JSON.stringify(out));
}

const stats = summarise;

async function main() {
  const sizes = opt('--sizes', '4096,1e5').split(',').map(Number);
  const threads = opt('--threads', '1,2').split(',').map(Number);
  const repeats = Number(opt('--repeats', '7'));
  if (args[0] === '--child') return child(sizes, threads, repeats);
  const rounds = Number(opt('--rounds', '4'));
  const addons = opt('--addons', '').split(',').filter(Boolean).map((a) => { const [label, p] = a.split('='); return { label, path: fs.realpathSync(p) }; });
  if (addons.length === 0) throw new Error('--addons label=path[,label=path...]');
  const all: Record<string, { pairs: number; hash: string; wall: number[]; native: number[]; cpu: number[] }> = {};
  const loads: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? addons : [...addons].reverse();
    for (const a of order) {
      const c = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--child', '--sizes', sizes.join(','), '--threads', threads.join(','), '--repeats', String(repeats)],
        { encoding: 'utf8', maxBuffer: 1 << 26, env: { ...process.env, IONFIELD_ADDON: a.path } });
      if (c.status !== 0) throw new Error(`${a.label} failed:\n${c.stderr}`);
      loads.push(os.loadavg()[0]);
      for (const row of JSON.parse(c.stdout.trim().split('\n').pop()!)) {
        const key = `${a.label} n=${row.n} t=${row.threads}`;
        const e = (all[key] ??= { pairs: row.pairs, hash: row.hash, wall: [], native: [], cpu: [] });
        if (e.pairs !== row.pairs || e.hash !== row.hash) throw new Error(`${key}: pair set changed between rounds`);
        e.wall.push(...row.wall);
        e.native.push(...row.native);
        e.cpu.push(...row.cpu);
      }
      console.error(`round ${r + 1}/${rounds} ${a.label} done, load ${os.loadavg()[0].toFixed(2)}`);
    }
  }
  const table = Object.entries(all).map(([key, e]) => ({ key, pairs: e.pairs, hash: e.hash, wallMs: stats(e.wall.map((x) => x * 1e3)), nativeMs: stats(e.native.map((x) => x * 1e3)), cpuMs: stats(e.cpu.map((x) => x * 1e3)) }));
  for (const t of table)
    console.log(`${t.key.padEnd(28)} pairs ${t.pairs} hash ${t.hash}  wall ms min ${t.wallMs.min.toFixed(1)} med ${t.wallMs.median.toFixed(1)} | native min ${t.nativeMs.min.toFixed(1)} med ${t.nativeMs.median.toFixed(1)} | cpu med ${t.cpuMs.median.toFixed(1)}`);
  const result = { schema: 'ionfield.nl-ab/1', date: new Date().toISOString(), command: process.argv.slice(1).join(' '), cpus: os.cpus()[0]?.model, ncpu: os.cpus().length, loadavg: { min: Math.min(...loads), max: Math.max(...loads) }, addons, sizes, threads, rounds, repeats, table, raw: all };
  const outPath = opt('--out', '');
  if (outPath) fs.writeFileSync(outPath, JSON.stringify(result, null, 1) + '\n');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
