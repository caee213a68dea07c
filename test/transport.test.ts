// Transport coefficients against known answers: Brownian walkers with known D (independent, and
// with imposed cation–anion correlation where σ, L_ab and t_a are known analytically), the exact
// sum rule, the correlator against a brute-force all-origins MSD on the LAMMPS demo, and the CLI.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { native } from '../lib/native';
import { openTrajectory } from '../lib/trajectory';
import { TransportCorrelator, TransportPartial, TransportReport, transportReport } from '../lib/transport';
import { TransportSums } from '../lib/transport/estimate';
import { detectWindow, fitLine, glsSlopeWeights, localSlopes, olsSlopeWeights, randomWalkSlopeRelativeError } from '../lib/transport/fit';
import { formulaUnits } from '../lib/transport/formula';
import { AVOGADRO, BOLTZMANN, ELEMENTARY_CHARGE } from '../lib/transport/units';
import { exact, normals, walkerAtoms, walkerBatches, Walkers } from '../scripts/validate/brownian-walkers';
import { runCli, runCliJson } from './helpers/cli';
import { repoRoot, tempDir } from './helpers/paths';

const demo = path.join(repoRoot, 'data', 'demo', 'electrolyte.lammpstrj.gz');

function partialFor(sums: TransportSums, w: Walkers, volume: number, units: 'lj' | 'real' = 'lj'): TransportPartial {
  return {
    schema: 'ionfield.transport-partial/2',
    meta: {
      file: 'synthetic',
      format: 'memory',
      units,
      species: ['+', '-'],
      counts: [w.pairs, w.pairs],
      charges: [1, -1],
      frameInterval: w.dt,
      frameIntervalSource: 'test',
      volumeOverride: volume,
      removeCom: false,
      masses: null,
      pointsPerLevel: 32,
      decimation: 2,
      start: 0,
      stride: 1,
      warnings: [],
    },
    sums,
  };
}

async function walkerReport(w: Walkers, frames: number, volume: number): Promise<TransportReport> {
  const c = new TransportCorrelator({ ...walkerAtoms(w.pairs), nspecies: 2 });
  for (const b of walkerBatches(w, frames, 1000)) await c.add(b.positions, b.frames);
  return transportReport(partialFor(await c.sums(), w, volume), { temperature: 1 });
}

/** |estimate − truth| within k standard errors, and the error small enough for the check to bite. */
function within(q: { value: number | null; error: number | null }, truth: number, what: string, maxRelError: number, k = 4) {
  assert.ok(q.value !== null && q.error !== null, `${what}: no value`);
  assert.ok(q.error! > 0, `${what}: zero error`);
  assert.ok(q.error! < maxRelError * Math.abs(truth), `${what}: error ${q.error} too large to test against ${truth}`);
  assert.ok(Math.abs(q.value! - truth) < k * q.error!, `${what}: ${q.value} ± ${q.error} vs exact ${truth}`);
}

describe('transport: known answers (Brownian walkers)', function () {
  this.timeout(120_000);
  const V = 1000;

  it('independent walkers: D per species, σ = σ_NE, ionicity 1, L+− = 0', async () => {
    const w: Walkers = { pairs: 100, Dc: 0, DrPlus: 0.1, DrMinus: 0.25, dt: 1, seed: 1 };
    const r = await walkerReport(w, 20000, V);
    within(r.diffusion['+'], 0.1, 'D+', 0.05);
    within(r.diffusion['-'], 0.25, 'D-', 0.05);
    const sigma = (w.pairs * (w.DrPlus + w.DrMinus)) / V;
    within(r.conductivity, sigma, 'σ', 0.3);
    within(r.molarConductivity!, sigma * V / w.pairs, 'Λ', 0.3);
    within(r.nernstEinstein!, (w.DrPlus + w.DrMinus), 'Λ_NE', 0.05);
    within(r.ionicity, 1, 'ionicity', 0.3);
    assert.ok(Math.abs(r.onsager.value[0][1]) < 4 * r.onsager.error[0][1], `L+- ${r.onsager.value[0][1]} ± ${r.onsager.error[0][1]} should vanish`);
    within(r.transference['+'], 0.1 / 0.35, 't+', 0.3);
    assert.equal(r.fitWindow.automatic, true);
    assert.equal(r.fitWindow.diffusive, true);
  });

  it('correlated cation–anion pairs: σ, L_ab, ionicity and t+ as derived analytically', async () => {
    const w: Walkers = { pairs: 100, Dc: 0.2, DrPlus: 0.05, DrMinus: 0.1, dt: 1, seed: 2 };
    const r = await walkerReport(w, 20000, V);
    within(r.diffusion['+'], 0.25, 'D+', 0.05);
    within(r.diffusion['-'], 0.3, 'D-', 0.05);
    const x = exact(w, V);
    within(r.conductivity, x.sigma, 'σ', 0.3);
    within({ value: r.onsager.value[0][1], error: r.onsager.error[0][1] }, x.lPlusMinus, 'L+-', 0.3);
    within({ value: r.onsager.value[0][0], error: r.onsager.error[0][0] }, x.lPlusPlus, 'L++', 0.3);
    within({ value: r.onsager.value[1][1], error: r.onsager.error[1][1] }, x.lMinusMinus, 'L--', 0.3);
    within(r.ionicity, x.ionicity, 'ionicity', 0.3);
    within(r.transference['+'], x.tPlus, 't+', 0.5);
    // The ionicity is far from 1: the estimator sees the correlation, not just self-diffusion.
    assert.ok(r.ionicity.value! < 0.5);
  });

  it('sum rule σ = e² Σ z_a z_b L_ab holds to round-off; transference numbers sum to one', async () => {
    const w: Walkers = { pairs: 30, Dc: 0.1, DrPlus: 0.3, DrMinus: 0.05, dt: 0.5, seed: 3 };
    const r = await walkerReport(w, 3000, V);
    const z = [1, -1];
    let s = 0;
    for (let a = 0; a < 2; a++) for (let b = 0; b < 2; b++) s += z[a] * z[b] * r.onsager.value[a][b];
    assert.ok(Math.abs(s - r.conductivity.value!) <= 1e-12 * Math.abs(r.conductivity.value!), `${s} vs ${r.conductivity.value}`);
    assert.ok(r.sumRule.relativeDifference < 1e-12);
    // Transference numbers add up to one.
    assert.ok(Math.abs(r.transference['+'].value! + r.transference['-'].value! - 1) < 1e-12);
  });

  it('merging partials of independent runs equals adding their sums; memory stays flat in frames', async () => {
    const w: Walkers = { pairs: 20, Dc: 0, DrPlus: 0.1, DrMinus: 0.1, dt: 1, seed: 4 };
    const { species, charges } = walkerAtoms(20);
    const run = async (frames: number, seed: number) => {
      const c = new TransportCorrelator({ species, nspecies: 2, charges, pointsPerLevel: 16 });
      for (const b of walkerBatches({ ...w, seed }, frames, 500)) await c.add(b.positions, b.frames);
      return { sums: await c.sums(), bytes: c.memoryBytes() };
    };
    const a = await run(4000, 5), b = await run(1000, 6);
    const m = native().mergeTransportPartials(a.sums, b.sums);
    assert.equal(m.frames, 5000);
    assert.equal(m.blockFrames.length, a.sums.blockFrames.length + b.sums.blockFrames.length);
    const nl = m.lags.length;
    for (const l of [0, 10, b.sums.lags.length - 1]) {
      let sum = 0;
      for (let k = 0; k < m.blockFrames.length; k++) sum += m.charge[k * nl + l];
      let expect = 0;
      for (let k = 0; k < a.sums.blockFrames.length; k++) expect += a.sums.charge[k * nl + l];
      const nb = b.sums.lags.length;
      for (let k = 0; k < b.sums.blockFrames.length; k++) expect += b.sums.charge[k * nb + l];
      assert.ok(Math.abs(sum - expect) <= 1e-12 * expect);
    }
    // 16x more frames: four more ring levels (17 slots × 40 atoms × 24 bytes each), not 16x the memory.
    const long = await run(64000, 7);
    assert.ok(long.bytes < 1.15 * a.bytes, `memory ${a.bytes} -> ${long.bytes}`);
  });
});

describe('transport: correlator against brute force on the LAMMPS demo', function () {
  this.timeout(120_000);
  it('the per-species MSD and ⟨|J|²⟩ equal an all-origins brute force written here', async () => {
    // Read the real trajectory with the project's reader; compute the reference in plain TS.
    const frames: Float64Array[] = [];
    let types: string[] = [], charges: Float64Array | null = null;
    for await (const f of openTrajectory(demo, { stop: 600 })) {
      frames.push(Float64Array.from(f.positions));
      types = f.types!;
      charges = f.charges;
    }
    const n = types.length, T = frames.length;
    const r = runCli(['transport', demo, '--units', 'lj', '--temperature', '1', '--stop', '600', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const rep = JSON.parse(r.stdout) as TransportReport;
    const check = (lag: number, spacing: number) => {
      const li = rep.curves.time.findIndex((t) => Math.abs(t - lag * rep.frameInterval.value) < 1e-9);
      assert.ok(li >= 0, `lag ${lag} not on the grid`);
      let msd1 = 0, cnt = 0, jj = 0, o = 0;
      for (let t0 = 0; t0 + lag < T; t0 += spacing) {
        const J = [0, 0, 0];
        for (let i = 0; i < n; i++)
          for (let d = 0; d < 3; d++) {
            const dx = frames[t0 + lag][3 * i + d] - frames[t0][3 * i + d];
            if (types[i] === '1') msd1 += dx * dx;
            J[d] += charges![i] * dx;
          }
        cnt += types.filter((t) => t === '1').length;
        jj += J[0] ** 2 + J[1] ** 2 + J[2] ** 2;
        o++;
      }
      assert.equal(rep.curves.origins[li], o);
      assert.ok(Math.abs(rep.curves.msd['1'][li] - msd1 / cnt) < 1e-9 * (msd1 / cnt), `MSD at lag ${lag}`);
      assert.ok(Math.abs(rep.curves.chargeMsd[li] - jj / o) < 1e-9 * (jj / o), `<|J|^2> at lag ${lag}`);
    };
    for (const lag of [1, 5, 17, 32]) check(lag, 1); // level 0: every origin
    check(40, 2); // level 1: origins every 2 frames
    check(128, 4);
    check(384, 16);
  });
});

describe('transport: diffusive-regime detection', () => {
  it('finds where the exact Langevin MSD 6D[t − τ(1 − e^(−t/τ))] turns diffusive, and the fit recovers D', () => {
    const D = 0.7, tau = 2;
    const t: number[] = [];
    for (let l = 1; l <= 32; l++) t.push(0.1 * l);
    for (let k = 1; k < 12; k++) for (let j = 17; j <= 32; j++) t.push(0.1 * j * 2 ** k);
    const msd = t.map((x) => 6 * D * (x - tau * (1 - Math.exp(-x / tau))));
    const slopes = localSlopes(t, msd);
    assert.ok(Math.abs(slopes[0] - 2) < 0.05, `ballistic start ${slopes[0]}`);
    const stop = t.length - 1;
    const w = detectWindow(t, [msd], stop, 0.1);
    assert.equal(w.diffusive, true);
    // Exact local slope at the chosen start is within tolerance, and a little earlier it is not.
    const exactSlope = (x: number) => (x * (1 - Math.exp(-x / tau))) / (x - tau * (1 - Math.exp(-x / tau)));
    assert.ok(exactSlope(t[w.start]) <= 1.1 + 0.02, `slope ${exactSlope(t[w.start])} at start ${t[w.start]}`);
    assert.ok(exactSlope(t[w.start] / 1.3) > 1.1 - 0.02);
    const fit = fitLine(t, msd, w.start, w.stop);
    assert.ok(Math.abs(fit.slope / 6 - D) < 0.01 * D, `D ${fit.slope / 6}`);
    // A curve that never turns diffusive is reported as such.
    const caged = t.map((x) => Math.sqrt(x));
    assert.equal(detectWindow(t, [caged], stop, 0.1).diffusive, false);
  });
});

describe('transport: slope estimators and the random-walk error model', () => {
  const lags: number[] = [];
  for (let l = 1; l <= 32; l++) lags.push(l);
  for (let k = 1; k < 8; k++) for (let j = 17; j <= 32; j++) lags.push(j << k);

  it('OLS and GLS weights return the exact slope of any straight line (and ignore its intercept)', () => {
    const i0 = lags.indexOf(6), i1 = lags.indexOf(200);
    const y = lags.map((t) => 3.7 * t - 11);
    for (const w of [olsSlopeWeights(lags, i0, i1), glsSlopeWeights(lags, lags, 8000, i0, i1)]) {
      const slope = w.reduce((a, wi, i) => a + wi * y[i0 + i], 0);
      assert.ok(Math.abs(slope - 3.7) < 1e-6 * 3.7, `slope ${slope}`);
    }
  });

  it('the random-walk relative error matches the spread of slopes of simulated single walks', () => {
    // 400 independent 3-D Gaussian random walks of 2000 steps; all-origin MSD at lags 1..20; OLS
    // slope over lags 2..20. The model's relative error must match the observed spread (±10 %).
    const frames = 2000, i0 = 1, i1 = 19, w = olsSlopeWeights(lags, i0, i1);
    const g = normals(77);
    const slopes: number[] = [];
    for (let r = 0; r < 400; r++) {
      const x = new Float64Array(3 * frames);
      for (let f = 1; f < frames; f++) for (let d = 0; d < 3; d++) x[3 * f + d] = x[3 * (f - 1) + d] + g();
      let slope = 0;
      for (let i = i0; i <= i1; i++) {
        const a = lags[i];
        let m = 0;
        for (let f = 0; f + a < frames; f++) for (let d = 0; d < 3; d++) m += (x[3 * (f + a) + d] - x[3 * f + d]) ** 2;
        slope += w[i - i0] * (m / (frames - a));
      }
      slopes.push(slope);
    }
    const mean = slopes.reduce((a, b) => a + b, 0) / slopes.length;
    const sd = Math.sqrt(slopes.reduce((a, b) => a + (b - mean) ** 2, 0) / (slopes.length - 1));
    assert.ok(Math.abs(mean / 3 - 1) < 0.02, `mean slope ${mean}, exact 3`);
    const model = randomWalkSlopeRelativeError(lags, w, i0, frames);
    assert.ok(Math.abs(sd / 3 / model - 1) < 0.1, `observed relative spread ${sd / 3} vs model ${model}`);
  });
});

describe('transport: n_f convention and reference frame', function () {
  this.timeout(60_000);
  it('n_f = N_+/a for the neutral salt C_aA_b with a z_+ = b |z_-|', () => {
    assert.equal(formulaUnits(['Na', 'Cl'], [50, 50], [1, -1]).value, 50);
    assert.equal(formulaUnits(['Mg', 'Cl'], [20, 40], [2, -1]).value, 20); // MgCl2: a = 1
    assert.equal(formulaUnits(['Li', 'SO4'], [40, 20], [1, -2]).value, 20); // Li2SO4: a = 2
    assert.equal(formulaUnits(['Al', 'SO4'], [20, 30], [3, -2]).value, 10); // Al2(SO4)3: a = 2
    assert.equal(formulaUnits(['A', 'B'], [30, 30], [0.8, -0.8]).value, 30); // scaled charges
    assert.equal(formulaUnits(['Na', 'K', 'Cl'], [10, 10, 20], [1, 1, -1]).value, null); // mixture
    assert.equal(formulaUnits(['Na', 'K', 'Cl'], [10, 10, 20], [1, 1, -1], 20).value, 20);
    assert.match(formulaUnits(['Mg', 'Cl'], [20, 40], [2, -1]).convention, /a = 1, b = 2/);
    assert.ok(formulaUnits(['Na', 'Cl'], [50, 49], [1, -1]).warning);
  });

  it('--remove-com: the barycentre does not move, so Σ_b L_ab = 0 for equal weights, and the frame is stated', () => {
    const r = runCli(['transport', demo, '--units', 'lj', '--temperature', '1', '--remove-com', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout) as TransportReport;
    const L = j.onsager.value;
    const scale = Math.abs(L[0][0]);
    assert.ok(Math.abs(L[0][0] + L[0][1]) < 1e-9 * scale && Math.abs(L[1][0] + L[1][1]) < 1e-9 * scale, JSON.stringify(L));
    assert.match(j.referenceFrame, /barycentre/);
    assert.equal(j.correlator.removeCom, true);
    // Mass weights: Σ_a m_a ΔR_a = 0 instead.
    const m = runCli(['transport', demo, '--units', 'lj', '--temperature', '1', '--remove-com', '--masses', '1:1,2:3', '--json']);
    assert.equal(m.status, 0, m.stderr);
    const Lm = (JSON.parse(m.stdout) as TransportReport).onsager.value;
    assert.ok(Math.abs(1 * Lm[0][0] + 3 * Lm[0][1]) < 1e-9 * Math.abs(Lm[0][0]));
  });
});

describe('ionfield transport (CLI)', function () {
  this.timeout(120_000);
  const dir = tempDir('ionfield-transport-');

  it('reports every documented field on the LAMMPS demo, with errors, units and the fit window', () => {
    const r = runCli(['transport', demo, '--units', 'lj', '--temperature', '1', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout) as TransportReport;
    assert.equal(j.schema, 'ionfield.transport/2');
    for (const key of ['conductivity', 'molarConductivity', 'nernstEinstein', 'ionicity'] as const) {
      const q = j[key]!;
      assert.ok(typeof q.value === 'number' && typeof q.error === 'number' && q.error > 0 && typeof q.units === 'string', key);
    }
    for (const s of ['1', '2']) {
      assert.ok(j.diffusion[s].value! > 0 && j.diffusion[s].error! > 0);
      assert.ok(j.transference[s].error! > 0);
    }
    assert.equal(j.onsager.value.length, 2);
    assert.ok(j.fitWindow.start < j.fitWindow.stop && j.fitWindow.units === 'tau');
    assert.equal(j.frameInterval.value, 0.5);
    assert.equal(j.formulaUnits.value, 50);
    assert.match(j.formulaUnits.convention, /n_f = N_\+ \/ a/);
    assert.match(j.referenceFrame, /frame/);
    assert.equal(j.volume.value, 1000);
    // Physically sensible for this model: attraction slows the ions (D below the bare 1/γ = 1) and
    // correlates them (ionicity below 1 within errors, σ positive).
    assert.ok(j.diffusion['1'].value! < 1 && j.conductivity.value! > 0);
    assert.ok(j.sumRule.relativeDifference < 1e-12);
    // A selection (e.g. ions without explicit solvent) needs charges only for what it selects; with
    // one species n_f is undefined, so the molar quantities are null and a warning says why.
    const sel = runCli(['transport', demo, '--units', 'lj', '--temperature', '1', '--species', '1', '--charges', '1:2', '--json']);
    assert.equal(sel.status, 0, sel.stderr);
    const js = JSON.parse(sel.stdout) as TransportReport;
    assert.equal(js.molarConductivity, null);
    assert.equal(js.species[0].charge, 2);
    assert.ok(js.warnings.some((w) => /formula units/.test(w)));
    // The human-readable report prints the convention.
    const text = runCli(['transport', demo, '--units', 'lj', '--temperature', '1', '--stop', '400']);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /n_f = N_\+ \/ a/);
    assert.match(text.stdout, /fit window/);
  });

  it('real units from a LAMMPS dump with steps only: --timestep, SI conversions, user fit window, partials', () => {
    // Walkers written as a real LAMMPS dump (Å; 10 steps of 2 fs per frame).
    const w: Walkers = { pairs: 40, Dc: 0, DrPlus: 0.002, DrMinus: 0.001, dt: 20, seed: 9 };
    const file = path.join(dir, 'walkers.lammpstrj');
    const writer = new (native().NativeTrajectoryWriter)(file, 'lammps-dump');
    const types = Array.from({ length: 80 }, (_, i) => (i < 40 ? '1' : '2'));
    const q = Float64Array.from(types, (t) => (t === '1' ? 1 : -1));
    let step = 0;
    for (const b of walkerBatches(w, 2000, 500))
      for (let k = 0; k < b.frames; k++, step += 10)
        writer.write({ positions: b.positions.subarray(k * 240, (k + 1) * 240), box: Float64Array.of(30, 0, 0, 0, 30, 0, 0, 0, 30), step, types, charges: q, unwrapped: true });
    writer.close();
    const missing = runCli(['transport', file, '--units', 'real', '--temperature', '300']);
    assert.equal(missing.status, 2, 'steps without time and no --timestep is a usage error');
    assert.match(missing.stderr, /--timestep/);
    const partial = path.join(dir, 'walkers.partial.json');
    const r = runCli(['transport', file, '--units', 'real', '--temperature', '300', '--timestep', '2', '--fit-start', '100', '--fit-stop', '2000', '--save-partial', partial, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout) as TransportReport;
    assert.equal(j.frameInterval.value, 20);
    assert.equal(j.fitWindow.automatic, false);
    assert.ok(j.fitWindow.start >= 100 && j.fitWindow.stop <= 2000);
    within(j.diffusion['1'], 0.002, 'D+ (Å²/fs)', 0.1);
    assert.equal(j.diffusion['1'].units, 'Å^2/fs');
    assert.ok(Math.abs(j.diffusion['1'].si!.value! - j.diffusion['1'].value! * 1e-5) < 1e-12 * 1e-5);
    // σ in S/m from the exact formula, independently of the code's factors.
    const Vm3 = 27000e-30, Dsum = (w.DrPlus + w.DrMinus) * 1e-5; // m²/s
    const sigmaSI = (ELEMENTARY_CHARGE ** 2 * w.pairs * Dsum) / (BOLTZMANN * 300 * Vm3);
    assert.equal(j.conductivity.units, 'S/m');
    within(j.conductivity, sigmaSI, 'σ (S/m)', 0.5);
    // Λ in S cm²/mol: σ / c with c = n_f / (N_A V).
    const lambda = (j.conductivity.value! / (w.pairs / (AVOGADRO * Vm3))) * 1e4;
    assert.ok(Math.abs(j.molarConductivity!.value! - lambda) < 1e-9 * lambda);
    assert.equal(j.molarConductivity!.units, 'S cm^2/mol');
    // Onsager in SI: σ = e² Σ z z L.
    const L = j.onsager.si!.value;
    const s = ELEMENTARY_CHARGE ** 2 * (L[0][0] + L[1][1] - 2 * L[0][1]);
    assert.ok(Math.abs(s - j.conductivity.value!) < 1e-9 * j.conductivity.value!);
    // The saved partial reproduces the report exactly; two copies merged give the same D.
    const again = runCli(['transport', '--from-partials', partial, partial, '--units', 'real', '--temperature', '300', '--fit-start', '100', '--fit-stop', '2000', '--json']);
    assert.equal(again.status, 0, again.stderr);
    const j2 = JSON.parse(again.stdout) as TransportReport;
    assert.ok(Math.abs(j2.diffusion['1'].value! - j.diffusion['1'].value!) < 1e-12 * j.diffusion['1'].value!);
    assert.equal(j2.uncertainty.blocks >= j.uncertainty.blocks, true);
  });

  it('diffusion only: without charges, D and L_ab with conductivity fields null and a note', () => {
    // The demo's first 600 frames without the q column.
    const text = zlib.gunzipSync(fs.readFileSync(demo)).toString('utf8').split('\n');
    const out: string[] = [];
    let frames = 0, inAtoms = false;
    for (const line of text) {
      if (line === 'ITEM: TIME' && ++frames > 600) break;
      if (line.startsWith('ITEM:')) inAtoms = line.startsWith('ITEM: ATOMS');
      if (line.startsWith('ITEM: ATOMS')) out.push('ITEM: ATOMS id type xu yu zu');
      else if (inAtoms && line) {
        const f = line.split(' ');
        out.push([f[0], f[1], ...f.slice(3)].join(' '));
      } else out.push(line);
    }
    const file = path.join(dir, 'neutral.lammpstrj');
    fs.writeFileSync(file, out.join('\n') + '\n');
    const args = ['--units', 'lj', '--temperature', '1', '--fit-start', '5', '--fit-stop', '15', '--json'];
    const r = runCli(['transport', file, ...args], { timeoutMs: 20000 });
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout) as TransportReport;
    const c = JSON.parse(runCli(['transport', demo, '--stop', '600', ...args]).stdout) as TransportReport;
    assert.equal(j.frames, 600);
    for (const s of ['1', '2']) assert.ok(Math.abs(j.diffusion[s].value! - c.diffusion[s].value!) < 1e-12 * c.diffusion[s].value!, `D(${s}) ${j.diffusion[s].value} vs ${c.diffusion[s].value}`);
    assert.ok(Math.abs(j.onsager.value[0][1] - c.onsager.value[0][1]) < 1e-9 * Math.abs(c.onsager.value[0][1]), `L+- ${j.onsager.value[0][1]} vs ${c.onsager.value[0][1]}`);
    assert.equal(j.conductivity.value, null);
    assert.equal(j.molarConductivity, null);
    assert.equal(j.nernstEinstein, null);
    assert.equal(j.ionicity.value, null);
    assert.equal(j.transference['1'].value, null);
    assert.ok(j.warnings.some((w) => /no charges/.test(w)), 'a note says why σ is null');
    const text2 = runCli(['transport', file, ...args.slice(0, -1)]);
    assert.equal(text2.status, 0, text2.stderr);
    assert.ok(!text2.stdout.includes('σ (EH)'), 'no σ line in the text report');
  });

  it('XTC, DCD and XYZ copies of the demo (ionfield convert) give the same D and σ', () => {
    const top = ['--topology', demo, '--charges', '1:1,2:-1', '--temperature', '1', '--json'];
    const ref = JSON.parse(runCli(['transport', demo, '--stop', '1000', '--units', 'lj', '--temperature', '1', '--fit-start', '5', '--fit-stop', '30', '--json']).stdout) as TransportReport;
    const convert = (name: string) => {
      const file = path.join(dir, name);
      const c = runCli(['convert', demo, file, '--stop', '1000']);
      assert.equal(c.status, 0, c.stderr);
      return file;
    };
    // convert reads dump times as fs and lengths as Å: XTC holds nm and ps (D × 10, and the
    // per-kelvin Onsager sum σ/(e²) × 10 / 10⁻³ = 10⁴), DCD holds Å and ps (D × 1000, σ × 1000).
    const cases: [string, string[], number, number, number][] = [
      ['demo.xtc', ['--units', 'gromacs', '--fit-start', '0.005', '--fit-stop', '0.03'], 10, 1e4, 2e-3],
      ['demo.dcd', ['--units', 'metal', '--fit-start', '0.005', '--fit-stop', '0.03'], 1000, 1000, 1e-5],
      ['demo.xyz', ['--units', 'lj', '--fit-start', '5', '--fit-stop', '30'], 1, 1, 1e-5],
    ];
    for (const [name, opts, dScale, sScale, tol] of cases) {
      const r = runCli(['transport', convert(name), ...opts, ...top]);
      assert.equal(r.status, 0, `${name}: ${r.stderr}`);
      const j = JSON.parse(r.stdout) as TransportReport;
      assert.equal(j.fitWindow.points, ref.fitWindow.points, `${name}: same fit window`);
      for (const s of ['1', '2']) {
        const rel = j.diffusion[s].value! / (dScale * ref.diffusion[s].value!) - 1;
        assert.ok(Math.abs(rel) < tol, `${name}: D(${s}) differs by ${rel}`);
      }
      const rel = j.sumRule.conductivity / (sScale * ref.sumRule.conductivity) - 1;
      assert.ok(Math.abs(rel) < 5 * tol, `${name}: σ differs by ${rel}`);
      if (name.endsWith('.xtc')) assert.equal(j.conductivity.units, 'S/m');
    }
  });

  it('convert --units lj to XTC keeps σ and τ and writes a topology: transport on it needs no --topology and gives the dump\'s Λ', () => {
    const ref = JSON.parse(runCli(['transport', demo, '--stop', '1000', '--units', 'lj', '--temperature', '1', '--fit-start', '5', '--fit-stop', '30', '--json']).stdout) as TransportReport;
    const file = path.join(dir, 'demo-lj.xtc');
    const c = runCliJson<{ lengthFactor: number; timeFactor: number; topology: { path: string } }>(['convert', demo, file, '--stop', '1000', '--units', 'lj']);
    assert.equal(c.lengthFactor, 1);
    assert.equal(c.timeFactor, 1);
    assert.equal(c.topology.path, path.join(dir, 'demo-lj.topology.json'));
    const j = runCliJson<TransportReport>(['transport', file, '--units', 'lj', '--temperature', '1', '--fit-start', '5', '--fit-stop', '30']);
    assert.deepEqual(j.species.map((s) => [s.label, s.count, s.charge]), ref.species.map((s) => [s.label, s.count, s.charge]));
    // XTC keeps 1e-3 length units: differences well under the statistical error.
    const rel = j.molarConductivity!.value! / ref.molarConductivity!.value! - 1;
    assert.ok(Math.abs(rel) < 2e-3, `Λ differs by ${rel}`);
    // A failed conversion leaves neither the trajectory nor a topology.
    const bad = path.join(dir, 'nothing.xtc');
    assert.equal(runCli(['convert', demo, bad, '--start', '999999', '--units', 'lj']).status, 1);
    assert.equal(fs.existsSync(bad) || fs.existsSync(path.join(dir, 'nothing.topology.json')), false);
  });

  it('checkpoint and resume: a resumed run equals its two segments merged', () => {
    const ck = path.join(dir, 'demo.checkpoint.json');
    const base = [demo, '--units', 'lj', '--temperature', '1', '--fit-start', '5', '--fit-stop', '30'];
    const first = runCli(['transport', ...base, '--stop', '1200', '--checkpoint', ck, '--checkpoint-every', '500', '--json']);
    assert.equal(first.status, 0, first.stderr);
    const saved = JSON.parse(fs.readFileSync(ck, 'utf8')) as { sums: { frames: number } };
    assert.equal(saved.sums.frames, 1200);
    const resumed = runCli(['transport', ...base, '--checkpoint', ck, '--resume', '--json']);
    assert.equal(resumed.status, 0, resumed.stderr);
    const a = path.join(dir, 'a.json'), b = path.join(dir, 'b.json');
    assert.equal(runCli(['transport', ...base, '--stop', '1200', '--save-partial', a]).status, 0);
    assert.equal(runCli(['transport', ...base, '--start', '1200', '--save-partial', b]).status, 0);
    const merged = runCli(['transport', '--from-partials', a, b, '--units', 'lj', '--temperature', '1', '--fit-start', '5', '--fit-stop', '30', '--json']);
    assert.equal(merged.status, 0, merged.stderr);
    const r = JSON.parse(resumed.stdout) as TransportReport, m = JSON.parse(merged.stdout) as TransportReport;
    assert.equal(r.frames, 3001);
    assert.ok(r.warnings.some((w) => /resumed from/.test(w)));
    for (const s of ['1', '2']) assert.ok(Math.abs(r.diffusion[s].value! - m.diffusion[s].value!) < 1e-12 * m.diffusion[s].value!);
    assert.ok(Math.abs(r.conductivity.value! - m.conductivity.value!) < 1e-12 * Math.abs(m.conductivity.value!));
    // A checkpoint from another selection is refused.
    const wrong = runCli(['transport', ...base, '--stride', '2', '--checkpoint', ck, '--resume']);
    assert.equal(wrong.status, 2);
  });

  it('bad input and usage give exit codes 1 and 2 with a clear message', () => {
    const noT = runCli(['transport', demo]);
    assert.equal(noT.status, 2);
    assert.match(noT.stderr, /--temperature/);
    const badUnits = runCli(['transport', demo, '--temperature', '1', '--units', 'cgs']);
    assert.equal(badUnits.status, 2);
    const broken = path.join(dir, 'broken.lammpstrj');
    fs.writeFileSync(broken, 'ITEM: TIMESTEP\n0\nITEM: NUMBER OF ATOMS\n2\nITEM: BOX BOUNDS pp pp pp\n0 10\n0 10\n0 10\nITEM: ATOMS id type q xu yu zu\n1 1 1 0 0 0\n2 1 x 0 0 0\n');
    const bad = runCli(['transport', broken, '--temperature', '1', '--units', 'lj']);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /broken\.lammpstrj/);
    const species = runCli(['transport', demo, '--temperature', '1', '--units', 'lj', '--species', 'Na']);
    assert.equal(species.status, 2);
    assert.match(species.stderr, /no species 'Na'/);
    // A frame repeated at a restart boundary is named, not silently mis-timed.
    const repeated = path.join(dir, 'repeated.lammpstrj');
    const writer = new (native().NativeTrajectoryWriter)(repeated, 'lammps-dump');
    for (const step of [0, 10, 20, 20, 30, 40])
      writer.write({ positions: Float64Array.of(step * 0.01, 0, 0, 1, 1, 1), box: Float64Array.of(10, 0, 0, 0, 10, 0, 0, 0, 10), step, types: ['1', '2'], charges: Float64Array.of(1, -1), unwrapped: true });
    writer.close();
    const rep = runCli(['transport', repeated, '--temperature', '1', '--units', 'lj', '--timestep', '0.005']);
    assert.equal(rep.status, 1);
    assert.match(rep.stderr, /frame 3 has step 20, expected 30/);
    const short = runCli(['transport', demo, '--temperature', '1', '--units', 'lj', '--stop', '2']);
    assert.equal(short.status, 1);
    assert.match(short.stderr, /at least 3/);
  });
});

describe('transport: independent implementation (MDAnalysis) on the LAMMPS demo', function () {
  this.timeout(180_000);
  it('D per species and σ agree with MDAnalysis EinsteinMSD / NumPy within the stated errors', function () {
    const probe = spawnSync('/usr/bin/python3', ['-c', 'import MDAnalysis, numpy'], { encoding: 'utf8' });
    if (probe.status !== 0) {
      console.log('      (skipped: /usr/bin/python3 with MDAnalysis not found; scripts/install-system-deps.sh installs it)');
      this.skip();
    }
    const r = spawnSync('/usr/bin/python3', [path.join(repoRoot, 'scripts', 'validate', 'transport-vs-mdanalysis.py')], { encoding: 'utf8', timeout: 170_000 });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /AGREE/);
  });
});
