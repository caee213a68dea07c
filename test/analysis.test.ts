// The field analyses on constructed fields with known answers: an ideal gas (g = 1, C = 0), a
// lattice (coordination numbers 6, 18, 26), clusters placed by hand, a field correlated by
// construction at one distance, known distributions, a model with one irrelevant feature.
import { strict as assert } from 'node:assert';
import {
  analyzeField, classifyClusters, pairCutoff, distributions, Field, fluctuationAgainstLambda, pairStructure, permutationImportance, readNpy, writeNpy,
} from '../lib/analysis';
import { gaussian, rng } from '../lib/analysis/stats';
import * as path from 'node:path';
import { tempDir } from './helpers/paths';

function cube(L: number): Float64Array {
  return Float64Array.from([L, 0, 0, 0, L, 0, 0, 0, L]);
}

function repeatBox(box: Float64Array, frames: number): Float64Array {
  const out = new Float64Array(frames * 9);
  for (let f = 0; f < frames; f++) out.set(box, 9 * f);
  return out;
}

/** Uniform random positions, half cations (+1) half anions (−1). */
function idealGas(n: number, frames: number, L: number, seed: number, values?: (f: number, i: number) => number): Field {
  const u = rng(seed);
  const positions = Float64Array.from({ length: frames * n * 3 }, () => u() * L);
  const species = Array.from({ length: n }, (_, i) => (i % 2 ? 'A' : 'C'));
  const charges = Float64Array.from(species, (s) => (s === 'C' ? 1 : -1));
  const g = gaussian(rng(seed + 1));
  const vals = Float64Array.from({ length: frames * n }, (_, k) => (values ? values(Math.floor(k / n), k % n) : 1 + g()));
  return { frames, natoms: n, values: vals, positions, boxes: repeatBox(cube(L), frames), species, charges };
}

describe('analysis: pair structure', () => {
  it('an ideal gas has g(r) = 1 within errors and an uncorrelated field has C(r) = 0 within errors', async () => {
    const f = idealGas(200, 60, 10, 7);
    const s = await pairStructure(f, { rMax: 5, bins: 10 });
    for (const c of s.curves) {
      for (let j = 2; j < c.r.length; j++) {
        assert.ok(Math.abs(c.g[j] - 1) < 4 * (c.gError[j] ?? 0) + 0.02, `g_${c.a}${c.b}(${c.r[j]}) = ${c.g[j]} ± ${c.gError[j]}`);
        assert.ok(Math.abs(c.correlation[j]!) < 4 * c.correlationError[j]! + 0.01, `C_${c.a}${c.b}(${c.r[j]}) = ${c.correlation[j]} ± ${c.correlationError[j]}`);
      }
      // Coordination number of an ideal gas: ρ_b 4π r³ / 3.
      const nb = c.a === c.b ? 99 : 100;
      assert.ok(Math.abs(c.coordination[9] - (nb / 1000) * (4 / 3) * Math.PI * 125) < 0.5, `n(5) = ${c.coordination[9]}`);
    }
  });

  it('a simple-cubic lattice in a triclinic cell has coordination numbers 6, 18, 26 and g peaks only at the shells', async () => {
    const m = 6;
    const pos: number[] = [];
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) for (let k = 0; k < m; k++) pos.push(i + 0.1 * 0, j, k);
    const n = m ** 3;
    const box = Float64Array.from([m, 0, 0, 1, m, 0, 0, 2, m]);  // sheared, same lattice
    const field: Field = { frames: 1, natoms: n, values: Float64Array.from({ length: n }, (_, i) => i % 3), positions: Float64Array.from(pos), boxes: box, species: new Array(n).fill('X'), charges: new Float64Array(n) };
    const s = await pairStructure(field, { rMax: 1.8, bins: 9 });  // bins of 0.2: shells at 1, 1.414, 1.732
    const c = s.curves[0];
    const at = (r: number) => c.coordination[Math.floor(r / 0.2)];
    assert.equal(at(0.9), 0);
    assert.equal(at(1.3), 6);
    assert.equal(at(1.5), 18);
    assert.equal(at(1.79), 26);
  });

  it('in a strongly skewed triclinic cell, pair counts equal a brute-force search over ±3 images', async () => {
    const u = rng(21);
    const h = [8, 0, 0, 5, 7, 0, -4, 3, 9];  // rows a, b, c: heavily sheared
    const n = 80;
    const frac = Array.from({ length: n * 3 }, () => u() * 3 - 1);  // positions also outside the cell
    const pos = Float64Array.from({ length: n * 3 }, (_, k) => {
      const i = Math.floor(k / 3);
      const d = k % 3;
      return frac[3 * i] * h[d] + frac[3 * i + 1] * h[3 + d] + frac[3 * i + 2] * h[6 + d];
    });
    const field: Field = { frames: 1, natoms: n, values: new Float64Array(n).fill(1), positions: pos, boxes: Float64Array.from(h), species: new Array(n).fill('X'), charges: new Float64Array(n) };
    const rMax = 2.5;
    const s = await pairStructure(field, { rMax, bins: 5 });
    const brute = new Array(5).fill(0);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        if (i === j) continue;
        for (let a = -3; a <= 3; a++) for (let b = -3; b <= 3; b++) for (let c = -3; c <= 3; c++) {
          let r2 = 0;
          for (let d = 0; d < 3; d++) {
            const x = pos[3 * j + d] - pos[3 * i + d] + a * h[d] + b * h[3 + d] + c * h[6 + d];
            r2 += x * x;
          }
          // Fractional differences lie in (−3, 3): shifts up to ±3 reach the image within rMax.
          const r = Math.sqrt(r2);
          if (r < rMax) brute[Math.floor(r / (rMax / 5))] += 1;
        }
      }
    assert.ok(brute.reduce((x, y) => x + y, 0) > 20, 'the test has pairs to count');
    assert.deepEqual(s.curves[0].pairs, brute);
  });

  it('a field correlated by construction at distance d gives C(r) peaking at d with the constructed value', async () => {
    // Pairs of ions at distance 2.0 share a random value s (variance 1) plus independent noise
    // (variance 1): the correlation at r = 2 is 1/2, elsewhere 0.
    const pairs = 60;
    const frames = 40;
    const L = 20;
    const u = rng(3);
    const g = gaussian(rng(4));
    const n = 2 * pairs;
    const positions = new Float64Array(frames * n * 3);
    const values = new Float64Array(frames * n);
    for (let f = 0; f < frames; f++)
      for (let p = 0; p < pairs; p++) {
        const x = [u() * L, u() * L, u() * L];
        const th = Math.acos(2 * u() - 1);
        const ph = 2 * Math.PI * u();
        const d = [2 * Math.sin(th) * Math.cos(ph), 2 * Math.sin(th) * Math.sin(ph), 2 * Math.cos(th)];
        const shared = g();
        for (let k = 0; k < 3; k++) {
          positions[(f * n + 2 * p) * 3 + k] = x[k];
          positions[(f * n + 2 * p + 1) * 3 + k] = x[k] + d[k];
        }
        values[f * n + 2 * p] = 5 + shared + g();
        values[f * n + 2 * p + 1] = 5 + shared + g();
      }
    const species = Array.from({ length: n }, (_, i) => (i % 2 ? 'A' : 'C'));
    const field: Field = { frames, natoms: n, values, positions, boxes: repeatBox(cube(L), frames), species, charges: Float64Array.from(species, (s) => (s === 'C' ? 1 : -1)) };
    const s = await pairStructure(field, { rMax: 8, bins: 16 });
    const pm = s.curves.find((c) => c.a !== c.b)!;
    const peak = pm.correlation.indexOf(Math.max(...pm.correlation.map((v) => v ?? -Infinity)));
    assert.equal(pm.r[peak], 2.25, 'peak in the bin [2, 2.5)');
    // The bin [2, 2.5) holds the constructed pairs (C = 1/2) and a few random pairs (C = 0).
    const random = (pairs * pairs - pairs) / (L ** 3) * (4 / 3) * Math.PI * (2.5 ** 3 - 8) * frames;
    const expected = 0.5 * (pairs * frames) / (pairs * frames + random);
    assert.ok(Math.abs(pm.correlation[peak]! - expected) < 4 * pm.correlationError[peak]! + 0.02, `C = ${pm.correlation[peak]} vs ${expected}`);
    for (let j = 6; j < 16; j++) assert.ok(Math.abs(pm.correlation[j]!) < 4 * pm.correlationError[j]! + 0.02, `C(${pm.r[j]}) = ${pm.correlation[j]}`);
    const pp = s.curves.find((c) => c.a === 'C' && c.b === 'C')!;
    for (let j = 1; j < 16; j++) if (pp.correlation[j] !== null) assert.ok(Math.abs(pp.correlation[j]!) < 4 * (pp.correlationError[j] ?? 0) + 0.05);
  });

  it('finds the pair cutoff at the first minimum of g_+-, or at the end of the contact peak when there is none', () => {
    const r = Array.from({ length: 100 }, (_, j) => 0.05 * (j + 0.5));
    // A liquid-like g: contact peak at 1.1, a depleted minimum at 1.6, a second shell at 2.1.
    const liquid = r.map((x) => (x < 0.9 ? 0 : 1 + 1.5 * Math.exp(-((x - 1.1) ** 2) / 0.02) - 0.4 * Math.exp(-((x - 1.6) ** 2) / 0.02) + 0.2 * Math.exp(-((x - 2.1) ** 2) / 0.05)));
    const c1 = pairCutoff(r, liquid)!;
    assert.equal(c1.rule, 'first minimum');
    assert.ok(Math.abs(c1.r - 1.6) < 0.08, `minimum at ${c1.r}`);
    // Weak pairing: a Debye–Hückel-like decay to 1, no minimum.
    const weak = r.map((x) => (x < 0.9 ? 0 : 1 + 2 * Math.exp(-(x - 1) / 0.5) / x));
    const c2 = pairCutoff(r, weak)!;
    assert.equal(c2.rule, 'end of contact peak');
    const peakExcess = Math.max(...weak) - 1;
    const j = r.indexOf(c2.r);
    assert.ok(weak[j] - 1 <= 0.12 * peakExcess && weak[j - 3] - 1 > 0.1 * peakExcess, `cutoff ${c2.r}`);
    assert.equal(pairCutoff(r, r.map(() => 1)), null);
  });

  it('refuses rMax beyond half the cell', async () => {
    await assert.rejects(pairStructure(idealGas(10, 1, 10, 1), { rMax: 6 }), /exceeds half the smallest cell width/);
  });
});

describe('analysis: ion pairs and clusters', () => {
  it('classifies hand-placed free ions, contact pairs and clusters, and averages λ per class', async () => {
    // Box 20; λ = 1 free, 2 in pairs, 3 in clusters. Two frames with different arrangements.
    const frame0 = [[1, 1, 1], [10, 10, 10], [19.5, 5, 5], [0.5, 5, 5], [10, 15, 3], [11, 15, 3], [12, 15, 3], [13, 15, 3]];
    const frame1 = [[1, 1, 1], [1.9, 1, 1], [5, 5, 5], [15, 5, 5], [10, 15, 3], [10, 16, 3], [3, 15, 15], [14, 15, 15]];
    const q = [1, -1, 1, -1, 1, -1, 1, -1];
    const lam = [[1, 1, 2, 2, 3, 3, 3, 3], [2, 2, 1, 1, 2, 2, 1, 1]];
    const field: Field = {
      frames: 2, natoms: 8,
      values: Float64Array.from(lam.flat()),
      positions: Float64Array.from([...frame0.flat(), ...frame1.flat()]),
      boxes: repeatBox(cube(20), 2),
      species: q.map((z) => (z > 0 ? 'C' : 'A')),
      charges: Float64Array.from(q),
    };
    const r = await classifyClusters(field, 1.2, 'test', { blocks: 1 });
    const get = (sp: string, c: string) => r.classes.find((x) => x.species === sp && x.class === c)!;
    // Cations: frame 0: free 1, pair 1, cluster 2; frame 1: pair 2, free 2  → free 3, pair 3, cluster 2 of 8
    assert.equal(get('C', 'free').samples, 3);
    assert.equal(get('C', 'pair').samples, 3);
    assert.equal(get('C', 'cluster').samples, 2);
    assert.equal(get('C', 'free').mean, 1);
    assert.equal(get('C', 'pair').mean, 2);
    assert.equal(get('C', 'cluster').mean, 3);
    assert.deepEqual(r.sizeHistogram, { 1: 6, 2: 3, 4: 1 });
    const byCount = (sp: string, c: string) => r.byCounterIons.find((x) => x.species === sp && x.counterIons === c)!;
    // Cations: frame 0 → atom 0: 0, atom 2: 1, atom 4: 1, atom 6: 2; frame 1 → atom 0: 1, atom 2: 0, atom 4: 1, atom 6: 0.
    assert.equal(byCount('C', '0').samples, 3);
    assert.equal(byCount('C', '1').samples, 4);
    assert.equal(byCount('C', '2').samples, 1);
    assert.equal(byCount('C', '2').mean, 3);
    assert.equal(r.largestClusterFraction, (4 / 8 + 2 / 8) / 2);  // frame 0: 2 free, 1 pair, 1 of four; frame 1: 4 free, 2 pairs
  });
});

describe('analysis: distributions, fluctuation, importance, npy', () => {
  it('recovers the moments and tail of a known distribution (exponential: skewness 2)', () => {
    const u = rng(11);
    const f = idealGas(100, 200, 10, 5, () => -Math.log(1 - u()));
    const d = distributions(f);
    for (const s of d) {
      assert.ok(Math.abs(s.mean.value - 1) < 4 * s.mean.error! + 0.01);
      assert.ok(Math.abs(s.std.value - 1) < 0.05);
      assert.ok(Math.abs(s.skewness - 2) < 0.3, `skewness ${s.skewness}`);
      assert.ok(Math.abs(s.quantiles.q50 - Math.LN2) < 0.03);
      assert.equal(s.fractionBelow[0].fraction, 0);
      assert.equal(s.lowTailRatio, 0, 'an exponential has no ions below mean − 2 std');
    }
    const gauss = distributions(idealGas(100, 200, 10, 6));
    for (const s of gauss) assert.ok(Math.abs(s.lowTailRatio - 1) < 0.15, `Gaussian tail ratio ${s.lowTailRatio}`);
  });

  it('splits the spread into the within-frame part and the frame means (known sds; exact variance identity)', () => {
    // λ = 1 + a_f + e_fi: a frame-level offset (sd 0.2, as a model reading the whole frame's
    // structure gives) and a per-ion part (sd 0.05). The within-frame spread must see only e.
    const frames = 400, n = 200;
    const ga = gaussian(rng(21)), ge = gaussian(rng(22));
    const offset = Array.from({ length: frames }, () => 0.2 * ga());
    const noise = Array.from({ length: frames * n }, () => 0.05 * ge());
    const f = idealGas(n, frames, 10, 3, (fr, i) => 1 + offset[fr] + noise[fr * n + i]);
    for (const s of distributions(f)) {
      // Per species 100 ions a frame: the rms deviation from the frame mean is σ √(99/100).
      const expected = 0.05 * Math.sqrt(0.99);
      assert.ok(Math.abs(s.withinFrameStd.value - expected) < 4 * s.withinFrameStd.error! + 1e-4, `within ${s.withinFrameStd.value} ± ${s.withinFrameStd.error}`);
      assert.ok(Math.abs(s.withinFrameStd.value - expected) / expected < 0.02);
      assert.ok(s.std.value > 0.18, `total ${s.std.value}: carries the frame offsets`);
      assert.ok(Math.abs(s.withinFrameRelativeStd.value - s.withinFrameStd.value / s.mean.value) < 1e-12);
      // std² = within² + Σ_f c_f (m_f − m)² / n, from the frame means computed here independently.
      const cols = f.species.map((x, i) => (x === s.species ? i : -1)).filter((i) => i >= 0);
      let between = 0;
      for (let fr = 0; fr < frames; fr++) {
        const m = cols.reduce((a, i) => a + f.values[fr * n + i], 0) / cols.length;
        between += cols.length * (m - s.mean.value) ** 2;
      }
      between /= frames * cols.length;
      assert.ok(Math.abs(s.std.value ** 2 - (s.withinFrameStd.value ** 2 + between)) < 1e-12, 'variance decomposition');
    }
    // No frame-level part: the within-frame spread is the whole spread (up to the √(99/100)).
    for (const s of distributions(idealGas(n, 50, 10, 4))) assert.ok(Math.abs(s.withinFrameStd.value / s.std.value - Math.sqrt(0.99)) < 0.01);
  });

  it('correlates spread with Λ across systems (rank correlation −1 for a monotone decreasing set)', () => {
    const r = fluctuationAgainstLambda([1, 2, 3, 4].map((L) => ({ system: `s${L}`, molarConductivity: L, molarConductivityError: null, std: 10 / L, relativeStd: 10 / L ** 2 })));
    assert.equal(r.spearmanStd, -1);
    assert.ok(r.pearsonStd! < -0.9);
    assert.equal(fluctuationAgainstLambda([]).pearsonStd, null);
  });

  it('permutation importance ranks the feature the model uses first and gives an unused one ~0', async () => {
    const u = rng(9);
    const n = 2000;
    const X = Float64Array.from({ length: n * 3 }, () => u());
    const y = Array.from({ length: n }, (_, i) => 3 * X[i * 3] + 0.5 * X[i * 3 + 1]);
    const predict = (M: Float64Array | Float32Array) => Array.from({ length: n }, (_, i) => 3 * M[i * 3] + 0.5 * M[i * 3 + 1]);
    const r = await permutationImportance(X, y, ['strong', 'weak', 'unused'], predict, { repeats: 3 });
    assert.deepEqual(r.features.map((f) => f.feature), ['strong', 'weak', 'unused']);
    assert.equal(r.features[2].increase, 0);
    // Shuffling a uniform feature with weight w adds 2 w² var(U) = w²/6 to the MSE.
    assert.ok(Math.abs(r.features[0].increase - 9 / 6) < 0.1);
  });

  it('writes .npy that reads back, and analyzeField + writeAnalysis produce curves and JSON', async () => {
    const dir = tempDir();
    writeNpy(path.join(dir, 'a.npy'), { shape: [2, 3], data: Float64Array.from([1, 2, 3, 4, 5, 6]) });
    const back = readNpy(path.join(dir, 'a.npy'));
    assert.deepEqual(back.shape, [2, 3]);
    assert.deepEqual(Array.from(back.data), [1, 2, 3, 4, 5, 6]);
    const result = await analyzeField(idealGas(60, 10, 10, 2), { bins: 20, pairCutoff: 1.0 });
    assert.equal(result.schema, 'ionfield.analysis/2');
    assert.equal(result.structure.curves.length, 3);
    assert.ok(result.clusters);
  });
});
