// Scaling of the neighbour list (NL) and the symmetry functions (SF, the `benchmark` set) with the
// number of ions at fixed density (uniform random frames at ρ = 0.38, lib/bench/frames.ts), and
// briefly with the cutoff; one thread, wall time and peak memory (issue 16).
//   npx tsx scripts/bench/scaling.ts [--sizes 1e3,1e4,1e5,1e6] [--cutoffs 4,6,8,10|none] [--cutoff-ions 1e4]
//                                    [--repeats 3] [--svg docs/benchmarks/scaling.svg] [--cases nl,sf]
//                                    [--addons old=/path/ionfield.node,new=build/Release/ionfield.node]
// Each (case, size) runs in its own process under /usr/bin/time, so its peak RSS (and its page
// faults) are its own; a `frame` run (the frame made, no work) gives the baseline that NL and SF add
// to. The calls are the ones `ionfield bench` times: native().neighborList (pairs + shifts handed to
// JS, no distances) and computeBatch (float32, neighbour search included). The child drops each
// result and collects garbage before the next repeat, so the peak is that of one call. --addons
// runs every case with each addon in turn (IONFIELD_ADDON), alternating their order from size to
// size, and adds bytes per half pair at the peak.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { bindSet, loadSet, parseSetJson } from '../../lib/descriptor-sets';
import { computeBatch, rowMap } from '../../lib/descriptors';
import { native } from '../../lib/native';
import { randomBatch } from '../../lib/bench/frames';
import { dropGarbage, summarise } from '../../lib/bench/timing';
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
  // fn returns what is kept (a count, not the arrays): each call's result is garbage before the next.
  let last = await fn();
  const wall: number[] = [], cpu: number[] = [], sys: number[] = [];
  for (let k = 0; k < repeats; k++) {
    await dropGarbage();
    const c0 = process.cpuUsage(), t0 = process.hrtime.bigint();
    last = await fn();
    wall.push(Number(process.hrtime.bigint() - t0) / 1e9);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1e6);
    sys.push(c.system / 1e6);
  }
  return { timing: summarise(wall), cpu: summarise(cpu), sys: summarise(sys), last };
}

async function child(kase: string, n: number, rc: number, repeats: number) {
  const b = randomBatch(n, 1, 7);
  if (kase === 'frame') return console.log(JSON.stringify({}));
  // Large frames: one repeat after the warm-up (each is many seconds).
  const reps = n >= 500_000 ? 1 : repeats;
  // Diagnostic: the same ions renumbered in the order of 6 Å cells (x slowest), so that consecutive
  // centres share neighbour cells; same pairs, other order. Shows how much of the list's cost at
  // large sizes is cache misses from visiting centres in spatially random order.
  if (kase === 'nl-sorted') {
    const L = b.boxes![0], m = Math.max(1, Math.floor(L / 6));
    const cell = (i: number) => [0, 1, 2].reduce((c, k) => c * m + Math.min(m - 1, Math.floor((b.positions[3 * i + k] / L) * m)), 0);
    const keys = Int32Array.from({ length: n }, (_, i) => cell(i));
    const order = Int32Array.from({ length: n }, (_, i) => i).sort((i, j) => keys[i] - keys[j] || i - j);
    const sorted = new Float64Array(3 * n);
    order.forEach((i, k) => sorted.set(b.positions.subarray(3 * i, 3 * i + 3), 3 * k));
    b.positions = sorted;
  }
  if (kase === 'nl' || kase === 'nl-sorted') {
    const call = async () => (await native().neighborList({ positions: b.positions, boxes: b.boxes, origins: b.origins, periodic: b.periodic }, { cutoff: rc, full: false, threads: 1, distances: false, vectors: false })).first.length;
    const { timing, cpu, sys, last } = await repeatTimed(call, reps);
    console.log(JSON.stringify({ timing, cpu, sys, pairs: last }));
  } else {
    const bound = benchSet(rc);
    const map = rowMap(bound, b.types!);
    const { timing, cpu, sys } = await repeatTimed(async () => (await computeBatch(bound, b, map, { threads: 1, device: 'cpu', precision: 'float32' })).length, reps);
    console.log(JSON.stringify({ timing, cpu, sys }));
  }
}

function measure(kase: string, n: number, rc: number, repeats: number, addon?: Addon) {
  const env = addon ? { ...process.env, IONFIELD_ADDON: addon.path } : process.env;
  const r = spawnSync('/usr/bin/time', ['-f', 'peakRssKb %M minorFaults %R', process.execPath, '--import', 'tsx', __filename, '--child', kase, String(n), String(rc), String(repeats)], { encoding: 'utf8', maxBuffer: 1 << 24, env });
  if (r.status !== 0) throw new Error(`${kase} ${n} failed:\n${r.stderr}`);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
  const peakMb = Number(/peakRssKb (\d+)/.exec(r.stderr)![1]) / 1024;
  const minorFaults = Number(/minorFaults (\d+)/.exec(r.stderr)![1]);
  console.error(`${addon ? `${addon.label} ` : ''}${kase} n=${n} rc=${rc}: wall ${JSON.stringify(out.timing ?? {})} cpu ${JSON.stringify(out.cpu ?? {})} sys ${JSON.stringify(out.sys ?? {})} peak ${peakMb.toFixed(0)} MB, ${minorFaults} minor faults, load ${os.loadavg()[0].toFixed(1)}`);
  return { ...out, peakMb, minorFaults, load: os.loadavg()[0] };
}

interface Addon { label: string; path: string }

async function main() {
  if (args[0] === '--child') return child(args[1], Number(args[2]), Number(args[3]), Number(args[4]));
  const sizes = opt('--sizes', '1e3,1e4,1e5,1e6').split(',').map(Number);
  const cutoffsArg = opt('--cutoffs', '4,6,8,10');
  const cutoffs = cutoffsArg === 'none' ? [] : cutoffsArg.split(',').map(Number);
  const cutoffIons = Number(opt('--cutoff-ions', '1e4'));
  const repeats = Number(opt('--repeats', '3'));
  const svg = opt('--svg', 'docs/benchmarks/scaling.svg');
  const cases = opt('--cases', 'nl,sf').split(',');
  const addonsArg = opt('--addons', '');
  const addons: (Addon | undefined)[] = addonsArg
    ? addonsArg.split(',').map((a) => { const [label, p] = a.split('='); return { label, path: fs.realpathSync(p) }; })
    : [undefined];
  const load0 = os.loadavg()[0].toFixed(1);
  const none = { timing: undefined, cpu: undefined, sys: undefined, pairs: undefined, peakMb: undefined };
  const rows = sizes.flatMap((n, k) => {
    const frame = measure('frame', n, 6, 1, addons[0]);
    const order = k % 2 === 0 ? addons : [...addons].reverse(); // alternate which addon goes first
    const byAddon = order.map((addon) => ({
      n, addon: addon?.label, frame,
      nl: cases.includes('nl') ? measure('nl', n, 6, repeats, addon) : none,
      sf: cases.includes('sf') ? measure('sf', n, 6, repeats, addon) : none,
    }));
    return addons.map((a) => byAddon.find((r) => r.addon === a?.label)!);
  });
  const cut = cutoffs.map((rc) => ({ rc, nl: measure('nl', cutoffIons, rc, repeats, addons[0]), sf: measure('sf', cutoffIons, rc, repeats, addons[0]) }));
  const ms = (s: number) => (s < 0.01 ? (s * 1e3).toFixed(2) : s < 10 ? (s * 1e3).toFixed(1) : (s * 1e3).toFixed(0));
  type Timed = { timing?: ReturnType<typeof summarise>; cpu?: ReturnType<typeof summarise>; sys?: ReturnType<typeof summarise>; peakMb?: number; pairs?: number };
  // CPU time min / median / max, then the wall median: on a shared machine the two differ by the waiting.
  const t = (x: Timed) => (x.cpu ? `${ms(x.cpu.min)} / ${ms(x.cpu.median)} / ${ms(x.cpu.max)} (wall ${ms(x.timing!.median)})` : '–');
  const perIon = (x: Timed, n: number) => (x.cpu ? ((x.cpu.median / n) * 1e6).toFixed(2) : '–');
  const above = (x: Timed, frame: Timed) => (x.peakMb !== undefined ? (x.peakMb - frame.peakMb!).toFixed(0) : '–');
  const perPair = (x: Timed, frame: Timed) => (x.peakMb !== undefined && x.pairs ? (((x.peakMb - frame.peakMb!) * 2 ** 20) / x.pairs).toFixed(1) : '–');
  const multi = addons.length > 1;
  const lines = [
    `Reproduce: \`npx tsx scripts/bench/scaling.ts ${args.map((a) => (a === '' ? "''" : a)).join(' ')}\`; ${new Date().toISOString().slice(0, 16)} UTC, ${os.cpus()[0].model}, one thread, 1-minute load average ${load0} at the start and ${os.loadavg()[0].toFixed(1)} at the end (shared machine: ± ~2× on wall times).`,
    '',
    `| ions |${multi ? ' addon |' : ''} NL rc 6: CPU ms (min / median / max) | NL system CPU ms (median; page faults) | half pairs | NL µs per ion | NL peak MB above the frame | NL bytes per half pair at the peak | SF 34 features: CPU ms | SF µs per ion | SF peak MB above the frame | process with the frame only, MB |`,
    `|---:|${multi ? '---|' : ''}---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|`,
    ...rows.map((r) => `| ${r.n.toLocaleString('en')} |${multi ? ` ${r.addon} |` : ''} ${t(r.nl)} | ${r.nl.sys ? ms(r.nl.sys.median) : '–'} | ${r.nl.pairs?.toLocaleString('en') ?? '–'} | ${perIon(r.nl, r.n)} | ${above(r.nl, r.frame)} | ${perPair(r.nl, r.frame)} | ${t(r.sf)} | ${perIon(r.sf, r.n)} | ${above(r.sf, r.frame)} | ${r.frame.peakMb.toFixed(0)} |`),
  ];
  if (cut.length)
    lines.push(
      '',
      `| cutoff (NL; SF's radial G2 cutoff, angular stays 4), ${cutoffIons.toLocaleString('en')} ions | NL: CPU ms | half pairs | SF: CPU ms |`,
      '|---:|---:|---:|---:|',
      ...cut.map((c) => `| ${c.rc} | ${t(c.nl)} | ${c.nl.pairs.toLocaleString('en')} | ${t(c.sf)} |`),
    );
  console.log(lines.join('\n'));
  if (svg && cases.includes('nl') && cases.includes('sf') && !multi) fs.writeFileSync(svg, scalingSvg(rows.map((r) => ({ n: r.n, nl: r.nl.cpu!.median, sf: r.sf.cpu!.median }))));
  console.log(JSON.stringify({ rows, cut }));
}

main().catch((e) => { console.error(e); process.exit(1); });
