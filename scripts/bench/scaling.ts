// Scaling of the neighbour list (NL) and the symmetry functions (SF, the `benchmark` set) with the
// number of ions at fixed density (uniform random frames at ρ = 0.38, lib/bench/frames.ts), and
// briefly with the cutoff; one thread, wall time and peak memory (issue 16).
//   npx tsx scripts/bench/scaling.ts [--sizes 1e3,1e4,1e5,1e6] [--cutoffs 4,6,8,10] [--cutoff-ions 1e4]
//                                    [--repeats 3] [--svg docs/benchmarks/scaling.svg]
// Each (case, size) runs in its own process under /usr/bin/time, so its peak RSS is its own; a
// `frame` run (the frame made, no work) gives the baseline that NL and SF add to. The calls are the
// ones `ionfield bench` times: native().neighborList (pairs + shifts copied to JS, no distances)
// and computeBatch (float32, neighbour search included).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { bindSet, loadSet, parseSetJson } from '../../lib/descriptor-sets';
import { computeBatch, rowMap } from '../../lib/descriptors';
import { native } from '../../lib/native';
import { randomBatch } from '../../lib/bench/frames';
import { summarise } from '../../lib/bench/timing';
import { scalingSvg } from './scaling_svg';

const args = process.argv.slice(2);
const opt = (name: string, fallback: string) => { const k = args.indexOf(name); return k >= 0 ? args[k + 1] : fallback; };

/** The benchmark set with its radial (G2) cutoff replaced; the angular part stays at 4. */
function benchSet(radialCutoff: number) {
  const def = loadSet('benchmark');
  const doc = JSON.parse(fs.readFileSync(def.source, 'utf8'));
  for (const f of doc.functions) if (f.type === 'G2') f.cutoff = radialCutoff;
  return bindSet(parseSetJson(JSON.stringify(doc), def.source), ['1', '2']);
}

/**
 * Warm-up, then wall and process CPU seconds per repeat. One thread: CPU time is the steadier
 * measure on a shared machine (wall time waits for the core whenever another job holds it).
 */
async function repeatTimed<T>(fn: () => Promise<T>, repeats: number) {
  let last = await fn();
  const wall: number[] = [], cpu: number[] = [];
  for (let k = 0; k < repeats; k++) {
    const c0 = process.cpuUsage(), t0 = process.hrtime.bigint();
    last = await fn();
    wall.push(Number(process.hrtime.bigint() - t0) / 1e9);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1e6);
  }
  return { timing: summarise(wall), cpu: summarise(cpu), last };
}

async function child(kase: string, n: number, rc: number, repeats: number) {
  const b = randomBatch(n, 1, 7);
  if (kase === 'frame') return console.log(JSON.stringify({}));
  // Large frames: one repeat after the warm-up (each is many seconds).
  const reps = n >= 500_000 ? 1 : repeats;
  if (kase === 'nl') {
    const call = () => native().neighborList({ positions: b.positions, boxes: b.boxes, origins: b.origins, periodic: b.periodic }, { cutoff: rc, full: false, threads: 1, distances: false, vectors: false });
    const { timing, cpu, last } = await repeatTimed(call, reps);
    console.log(JSON.stringify({ timing, cpu, pairs: last.first.length }));
  } else {
    const bound = benchSet(rc);
    const map = rowMap(bound, b.types!);
    const { timing, cpu } = await repeatTimed(() => computeBatch(bound, b, map, { threads: 1, device: 'cpu', precision: 'float32' }), reps);
    console.log(JSON.stringify({ timing, cpu }));
  }
}

function measure(kase: string, n: number, rc: number, repeats: number) {
  const r = spawnSync('/usr/bin/time', ['-f', 'peakRssKb %M', process.execPath, '--import', 'tsx', __filename, '--child', kase, String(n), String(rc), String(repeats)], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${kase} ${n} failed:\n${r.stderr}`);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
  const peakMb = Number(/peakRssKb (\d+)/.exec(r.stderr)![1]) / 1024;
  console.error(`${kase} n=${n} rc=${rc}: wall ${JSON.stringify(out.timing ?? {})} cpu ${JSON.stringify(out.cpu ?? {})} peak ${peakMb.toFixed(0)} MB, load ${os.loadavg()[0].toFixed(1)}`);
  return { ...out, peakMb };
}

async function main() {
  if (args[0] === '--child') return child(args[1], Number(args[2]), Number(args[3]), Number(args[4]));
  const sizes = opt('--sizes', '1e3,1e4,1e5,1e6').split(',').map(Number);
  const cutoffs = opt('--cutoffs', '4,6,8,10').split(',').map(Number);
  const cutoffIons = Number(opt('--cutoff-ions', '1e4'));
  const repeats = Number(opt('--repeats', '3'));
  const svg = opt('--svg', 'docs/benchmarks/scaling.svg');
  const load0 = os.loadavg()[0].toFixed(1);
  const rows = sizes.map((n) => ({ n, frame: measure('frame', n, 6, 1), nl: measure('nl', n, 6, repeats), sf: measure('sf', n, 6, repeats) }));
  const cut = cutoffs.map((rc) => ({ rc, nl: measure('nl', cutoffIons, rc, repeats), sf: measure('sf', cutoffIons, rc, repeats) }));
  const ms = (s: number) => (s < 0.01 ? (s * 1e3).toFixed(2) : s < 10 ? (s * 1e3).toFixed(1) : (s * 1e3).toFixed(0));
  type Timed = { timing: ReturnType<typeof summarise>; cpu: ReturnType<typeof summarise> };
  // CPU time min / median / max, then the wall median: on a shared machine the two differ by the waiting.
  const t = (x: Timed) => `${ms(x.cpu.min)} / ${ms(x.cpu.median)} / ${ms(x.cpu.max)} (wall ${ms(x.timing.median)})`;
  const lines = [
    `Reproduce: \`npx tsx scripts/bench/scaling.ts ${args.join(' ')}\`; ${new Date().toISOString().slice(0, 16)} UTC, ${os.cpus()[0].model}, one thread, 1-minute load average ${load0} at the start and ${os.loadavg()[0].toFixed(1)} at the end (shared machine: ± ~2× on wall times).`,
    '',
    '| ions | NL rc 6: CPU ms (min / median / max) | half pairs | NL µs per ion | NL peak MB above the frame | SF 34 features: CPU ms | SF µs per ion | SF peak MB above the frame | process with the frame only, MB |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.n.toLocaleString('en')} | ${t(r.nl)} | ${r.nl.pairs.toLocaleString('en')} | ${((r.nl.cpu.median / r.n) * 1e6).toFixed(2)} | ${(r.nl.peakMb - r.frame.peakMb).toFixed(0)} | ${t(r.sf)} | ${((r.sf.cpu.median / r.n) * 1e6).toFixed(2)} | ${(r.sf.peakMb - r.frame.peakMb).toFixed(0)} | ${r.frame.peakMb.toFixed(0)} |`),
    '',
    `| cutoff (NL; SF's radial G2 cutoff, angular stays 4), ${cutoffIons.toLocaleString('en')} ions | NL: CPU ms | half pairs | SF: CPU ms |`,
    '|---:|---:|---:|---:|',
    ...cut.map((c) => `| ${c.rc} | ${t(c.nl)} | ${c.nl.pairs.toLocaleString('en')} | ${t(c.sf)} |`),
  ];
  console.log(lines.join('\n'));
  if (svg) fs.writeFileSync(svg, scalingSvg(rows.map((r) => ({ n: r.n, nl: r.nl.cpu.median, sf: r.sf.cpu.median }))));
  console.log(JSON.stringify({ rows, cut }));
}

main().catch((e) => { console.error(e); process.exit(1); });
