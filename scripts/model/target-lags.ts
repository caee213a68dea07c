// Chooses the lags of the local-conductivity target by measured bias and noise (issue 13,
// docs/dataset.md "Choosing the lags"). For every packed family system and every candidate target —
// the single lag λ = K N z_i Δr_i·J(τ)/τ and two-lag differences λ = K N z_i [Δr_i·J(τb) −
// Δr_i·J(τa)]/(τb − τa) — it computes, over every origin of the trajectory:
//   - the system mean Λ_target (the exact mean of the per-ion targets), its ratio to Λ_EH (the
//     manifest's 3–12 τ least-squares slope of the whole raw run) and the ratio's error (blocks of
//     the trajectory, combined in quadrature with Λ_EH's own error);
//   - the per-ion noise: the standard deviation of single λ_i(t0) over the mean, and the standard
//     error of Λ_target from blocking (what training on that target can resolve per system).
//   npx tsx scripts/model/target-lags.ts [--family data/family] [--candidates 10,2:10,4:12,...] [--out docs/model/target-lags]
// Writes DIR/target-lags.json and DIR/target-lags.md (the table quoted in docs/dataset.md).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { readTopology, topologyPathFor } from '../../lib/dataset/topology';
import { lambdaPrefactor } from '../../lib/dataset';
import { native } from '../../lib/native';
import { openTrajectory } from '../../lib/trajectory';
import { formulaUnits } from '../../lib/transport/formula';

const { values } = parseArgs({
  options: {
    family: { type: 'string', default: 'data/family' },
    candidates: { type: 'string', default: '10,12,2:10,4:12,2:12,4:16,6:20,8:24' },
    blocks: { type: 'string', default: '20' },
    systems: { type: 'string' },
    out: { type: 'string', default: 'docs/model/target-lags' },
  },
});

interface Candidate { label: string; a: number; b: number } // a = 0: single lag b
const candidates: Candidate[] = (values.candidates as string).split(',').map((c) => {
  const [x, y] = c.split(':').map(Number);
  return y === undefined ? { label: `τ=${x}`, a: 0, b: x } : { label: `${x}–${y}`, a: x, b: y };
});

interface Acc { sum: number; sumSq: number; n: number; blockSums: number[]; blockCounts: number[] }

async function studySystem(file: string, manifestEntry: { name: string; transport?: { lambdaEh?: { value: number; error: number } }; parameters: { temperature?: number } }) {
  const topo = readTopology(topologyPathFor(file));
  const traj = openTrajectory(file, { types: topo.types, charges: topo.charges, unwrap: topo.coordinates !== 'continuous', batchSize: 64 });
  const frames: Float64Array[] = [];
  let dt = NaN, t0 = NaN, q: Float64Array | null = null, K = NaN, natoms = 0;
  for await (const b of traj.batches()) {
    if (!q) {
      natoms = b.natoms;
      q = Float64Array.from(b.charges!);
      const labels = [...new Set(b.types!)];
      const nf = formulaUnits(labels, labels.map((s) => b.types!.filter((t) => t === s).length), labels.map((s) => b.charges![b.types!.indexOf(s)]));
      K = lambdaPrefactor(manifestEntry.parameters.temperature ?? 1, nf.value!);
    }
    for (let k = 0; k < b.frames; k++) {
      if (Number.isNaN(t0)) t0 = b.times[k];
      else if (Number.isNaN(dt)) dt = b.times[k] - t0;
      frames.push(Float64Array.from(b.positions.subarray(k * natoms * 3, (k + 1) * natoms * 3)));
    }
  }
  const nBlocks = Number(values.blocks);
  const out: Record<string, unknown>[] = [];
  for (const c of candidates) {
    const fa = Math.round(c.a / dt), fb = Math.round(c.b / dt);
    if (Math.abs(fb * dt - c.b) > 1e-6 || (c.a > 0 && Math.abs(fa * dt - c.a) > 1e-6)) throw new Error(`${file}: lag ${c.label} is not a whole number of frames (${dt})`);
    const origins = frames.length - fb;
    const acc: Acc = { sum: 0, sumSq: 0, n: 0, blockSums: new Array(nBlocks).fill(0), blockCounts: new Array(nBlocks).fill(0) };
    for (let t = 0; t < origins; t++) {
      const r = c.a > 0
        ? native().localConductivityDifference(frames[t], frames[t + fa], frames[t + fb], q!, K, fa * dt, fb * dt)
        : native().localConductivity(frames[t], frames[t + fb], q!, K, fb * dt);
      let s = 0, s2 = 0;
      for (let i = 0; i < natoms; i++) {
        s += r.lambda[i];
        s2 += r.lambda[i] * r.lambda[i];
      }
      acc.sum += s;
      acc.sumSq += s2;
      acc.n += natoms;
      const blk = Math.min(nBlocks - 1, Math.floor((t * nBlocks) / origins));
      acc.blockSums[blk] += s / natoms;
      acc.blockCounts[blk] += 1;
    }
    const mean = acc.sum / acc.n;
    const std = Math.sqrt(acc.sumSq / acc.n - mean * mean);
    const bm = acc.blockSums.map((s, k) => s / acc.blockCounts[k]);
    const bMean = bm.reduce((a, b) => a + b, 0) / nBlocks;
    const stderr = Math.sqrt(bm.reduce((a, b) => a + (b - bMean) ** 2, 0) / (nBlocks - 1) / nBlocks);
    const eh = manifestEntry.transport?.lambdaEh;
    const ratio = eh ? mean / eh.value : null;
    // The target's blocks and Λ_EH's jackknife come from the same trajectory (the packed file is a
    // subsample of the raw run) and are strongly correlated; quadrature over-states the ratio's
    // error, so both parts are kept apart in the JSON.
    out.push({
      candidate: c.label, tauA: c.a, tauB: c.b, origins, lambdaTarget: mean, stderr, perIonStdOverMean: std / Math.abs(mean),
      ratioToEh: ratio, ratioStatError: eh ? stderr / eh.value : null, ehRelativeError: eh ? eh.error / eh.value : null,
    });
  }
  return { name: manifestEntry.name, frameInterval: dt, frames: frames.length, lambdaEh: manifestEntry.transport?.lambdaEh ?? null, candidates: out };
}

async function main() {
  const family = values.family as string;
  const manifest = JSON.parse(fs.readFileSync(path.join(family, 'manifest.json'), 'utf8'));
  const only = values.systems ? new Set((values.systems as string).split(',')) : null;
  const rows = [];
  for (const s of manifest.systems) {
    if (only && !only.has(s.name)) continue;
    const file = path.join(family, `${s.name}.xtc`);
    if (!fs.existsSync(file)) continue;
    const started = Date.now();
    rows.push(await studySystem(file, s));
    console.error(`${s.name}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  // Summary per candidate: bias (median and worst |ratio − 1|), how many systems agree with Λ_EH
  // within 2 Λ_EH errors, and noise (median per-ion std/mean, median stderr/mean).
  const summary = candidates.map((c) => {
    const per = rows.map((r) => r.candidates.find((x) => x.candidate === c.label)!);
    const dev = per.filter((p) => p.ratioToEh !== null).map((p) => Math.abs((p.ratioToEh as number) - 1));
    const within = per.filter((p) => p.ratioToEh !== null && Math.abs((p.ratioToEh as number) - 1) <= 2 * (p.ehRelativeError as number)).length;
    const med = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
    const signed = per.filter((p) => p.ratioToEh !== null).map((p) => (p.ratioToEh as number) - 1);
    return {
      candidate: c.label, medianAbsBias: med(dev), worstAbsBias: Math.max(...dev), meanBias: signed.reduce((a, b) => a + b, 0) / signed.length,
      within2EhErrors: `${within}/${per.length}`, medianPerIonNoise: med(per.map((p) => p.perIonStdOverMean as number)),
      medianRelativeStderr: med(per.map((p) => (p.stderr as number) / Math.abs(p.lambdaTarget as number))),
    };
  });
  fs.mkdirSync(values.out as string, { recursive: true });
  fs.writeFileSync(path.join(values.out as string, 'target-lags.json'), JSON.stringify({ schema: 'ionfield.target-lags/1', family, candidates: candidates.map((c) => c.label), summary, systems: rows }, null, 1) + '\n');
  const pct = (v: number) => `${(100 * v).toFixed(1)} %`;
  const md = [
    '| target | mean bias vs Λ_EH | median abs bias | worst abs bias | systems within 2 σ_EH | per-ion std / mean | stat. error of Λ_target |',
    '|---|---|---|---|---|---|---|',
    ...summary.map((s) => `| ${s.candidate} | ${pct(s.meanBias)} | ${pct(s.medianAbsBias)} | ${pct(s.worstAbsBias)} | ${s.within2EhErrors} | ${s.medianPerIonNoise.toFixed(1)} | ${pct(s.medianRelativeStderr)} |`),
    '',
    `| system | Λ_EH (3–12 τ) | ${candidates.map((c) => c.label).join(' | ')} |`,
    `|---|---|${candidates.map(() => '---|').join('')}`,
    ...rows.map((r) => `| ${r.name} | ${r.lambdaEh ? `${r.lambdaEh.value.toPrecision(3)} ± ${r.lambdaEh.error.toPrecision(2)}` : '—'} | ${r.candidates.map((c) => (c.ratioToEh === null ? '—' : `${(c.ratioToEh as number).toFixed(3)}`)).join(' | ')} |`),
  ];
  fs.writeFileSync(path.join(values.out as string, 'target-lags.md'), md.join('\n') + '\n');
  console.log(md.join('\n'));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
