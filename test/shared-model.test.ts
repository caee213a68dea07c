// The shared model's parts against independent computations and known answers (issue 13):
// the charge fold against a brute-force sum, its invariance under charge conjugation; the
// moment-based readout against a row-by-row ridge; the calibration of the error bar on residuals
// drawn with a known error model; and the nested study on a synthetic family whose Λ is known.
import { strict as assert } from 'node:assert';
import { fitLinear, linearSystemLambda } from '../lib/model/baselines';
import { calibrate, conformalFactor, domainReference, domainScore, innerFoldsOption, likelihoodCalibration, Residual, selectCommittee, TrainingSystem } from '../lib/model/committee';
import type { Dataset, DatasetColumn, LoadedSystem } from '../lib/model/dataset';
import { nestedEvaluation } from '../lib/model/nested';
import { fitLogReadout, fitReadout, momentsOf, readoutLambda } from '../lib/model/readout';
import { exportSharedOnnx } from '../lib/model/shared-model';
import type { ModelMetadata } from '../lib/model/onnx-export';
import * as ort from 'onnxruntime-node';
import { toSharedDataset } from '../lib/model/shared-dataset';
import { foldFrames, groupASign, sharedLayout, speciesFold } from '../lib/model/shared-features';
import { gaussian, rng } from './helpers/synthetic-dataset';

const g2 = (centre: string, nb: string, rs: number): DatasetColumn => ({ name: `G2[${centre}<-${nb}](rs=${rs})`, type: 'G2', centre, neighbours: [nb], eta: 2, rs, cutoff: 6 });
const g5 = (centre: string, a: string, b: string): DatasetColumn => ({ name: `G5[${centre}<-${a},${b}]`, type: 'G5', centre, neighbours: [a, b], eta: 0.02, zeta: 1, lambda: 1, rs: 0, cutoff: 4 });
const columnsFor = (centre: string, species: string[]): DatasetColumn[] => {
  const cols = species.flatMap((nb) => [g2(centre, nb, 1), g2(centre, nb, 2)]);
  for (let i = 0; i < species.length; i++) for (let j = i; j < species.length; j++) cols.push(g5(centre, species[i], species[j]));
  return cols;
};

describe('shared model: folded inputs', () => {
  const species = ['+2', '-1'];
  const charges = { '+2': 2, '-1': -1 };
  const layout = sharedLayout(species.map((s) => columnsFor(s, species)));

  it('has |z|, d, then N, Q, S and V per radial function, N and Q per angular function, then their frame means (all ions, group A, group B)', () => {
    assert.deepEqual(layout.radial, ['G2(eta=2,rs=1,cutoff=6)', 'G2(eta=2,rs=2,cutoff=6)']);
    assert.equal(layout.angular.length, 1);
    assert.equal(layout.own, 2 + 4 * 2 + 2 * 1);
    assert.equal(layout.size, 4 * layout.own);
    assert.equal(layout.names[1], 'd');
    assert.equal(layout.names[layout.own], 'frame:|z|');
    assert.equal(layout.names[2 * layout.own], 'frameA:|z|');
    assert.equal(layout.names[3 * layout.own], 'frameB:|z|');
  });

  it('group A is the sign of the larger |z|, then the larger diameter; a symmetric salt ties to +', () => {
    assert.equal(groupASign([{ charge: 2, size: 1 }, { charge: -1, size: 1 }]), 1);
    assert.equal(groupASign([{ charge: -2, size: 1 }, { charge: 1, size: 1 }]), -1);
    assert.equal(groupASign([{ charge: 1, size: 1 }, { charge: -1, size: 2 }]), -1);
    assert.equal(groupASign([{ charge: 1, size: 1 }, { charge: -1, size: 1 }, { charge: 0, size: 3 }]), 1);
  });

  it('equals the brute-force sums and is unchanged when every charge flips sign', () => {
    const random = rng(5);
    const frames = 3, ions = { '+2': 2, '-1': 4 };
    const parts = species.map((s) => ({ ions: ions[s as '+2'], features: Float32Array.from({ length: frames * ions[s as '+2'] * columnsFor(s, species).length }, () => Math.round(100 * random()) / 10) }));
    const folds = species.map((s) => speciesFold(layout, columnsFor(s, species), s, charges, { '+2': 1, '-1': 1.5 }));
    const x = foldFrames(layout, folds, parts, frames);
    // Row of the first anion (species '-1', ion 0) in frame 1, by hand.
    const cols = columnsFor('-1', species);
    const f = parts[1].features.subarray((1 * 4 + 0) * cols.length, (1 * 4 + 1) * cols.length);
    const row = x.subarray((1 * 6 + 2) * layout.size, (1 * 6 + 3) * layout.size);
    const near = (a: number, b: number) => Math.abs(a - b) <= 1e-5 * (1 + Math.abs(b));
    assert.ok(near(row[0], 1));
    assert.ok(near(row[1], 1.5), 'd: the anion diameter');
    assert.ok(near(row[2], f[0] + f[2]), 'N at rs = 1: both neighbour species');
    assert.ok(near(row[4], -1 * 2 * f[0] + -1 * -1 * f[2]), 'Q at rs = 1: sgn(z_i) z_b weights');
    assert.ok(near(row[6], 0) && near(row[7], 0), 'S: no neutral neighbour');
    assert.ok(near(row[8], 1 * f[0] + 1.5 ** 3 * f[2]), 'V at rs = 1: neighbour volumes');
    assert.ok(near(row[10], f[4] + f[5] + f[6]), 'N angular');
    assert.ok(near(row[11], 4 * f[4] - 2 * f[5] + 1 * f[6]), 'Q angular: z_b z_c weights');
    // Frame means: the mean of the own features over the frame's six ions.
    for (let k = 0; k < layout.own; k++) {
      let m = 0, a = 0, b = 0;
      for (let i = 0; i < 6; i++) m += x[(1 * 6 + i) * layout.size + k];
      for (let i = 0; i < 2; i++) a += x[(1 * 6 + i) * layout.size + k]; // the two '+2' ions: group A
      for (let i = 2; i < 6; i++) b += x[(1 * 6 + i) * layout.size + k];
      assert.ok(near(row[layout.own + k], m / 6));
      assert.ok(near(row[2 * layout.own + k], a / 2), 'frameA: the divalent cations');
      assert.ok(near(row[3 * layout.own + k], b / 4), 'frameB: their counter-ions');
    }
    // Conjugate salt: '-2' and '+1' with the same features give the same inputs.
    const conj = ['-2', '+1'];
    const cc = { '-2': -2, '+1': 1 };
    const layoutC = sharedLayout(conj.map((s) => columnsFor(s, conj)));
    const foldsC = conj.map((s) => speciesFold(layoutC, columnsFor(s, conj), s, cc, { '-2': 1, '+1': 1.5 }));
    const xc = foldFrames(layoutC, foldsC, parts, frames);
    assert.deepEqual(Array.from(xc), Array.from(x));
  });
});

/** A synthetic family: per-ion μ = a + b·(density feature) + noise, systems at several densities. */
function syntheticFamily(noise: number, count = 9): Dataset {
  const species = ['+1', '-1'];
  const normal = gaussian(rng(11));
  const random = rng(12);
  const featureColumns = Object.fromEntries(species.map((s) => [s, columnsFor(s, species)]));
  const systems: LoadedSystem[] = [];
  for (let k = 0; k < count; k++) {
    const rho = 0.05 + 0.05 * k;
    const frames = 40, ions = 16, F = featureColumns['+1'].length;
    const info = {
      name: `sys${k}`, frames, ions: { '+1': ions, '-1': ions }, charges: { '+1': 1, '-1': -1 }, formulaUnits: ions, atoms: 2 * ions,
      parameters: { rho, lb: 1 }, lambdaEh: null as null | { value: number; error: number },
    };
    let total = 0;
    const sp = species.map(() => {
      const features = new Float32Array(frames * ions * F);
      const lambda = new Float64Array(frames * ions);
      for (let r = 0; r < frames * ions; r++) {
        for (let c = 0; c < F; c++) features[r * F + c] = rho * (1 + c) + 0.2 * random();
        const density = features[r * F + 0] + features[r * F + 2]; // N at rs = 1
        const mu = 2 - 0.5 * density;
        lambda[r] = (mu + noise * normal()) * 2; // λ = μ N / n_f, N/n_f = 2
        total += lambda[r];
      }
      return { ions, features, lambda };
    });
    // Λ of the system from its own targets (what its "Einstein–Helfand" reference would be).
    info.lambdaEh = { value: total / (2 * frames * ions), error: 0.01 };
    systems.push({ name: info.name, frames, species: sp, info, folder: '' } as unknown as LoadedSystem);
  }
  return { manifest: { schema: 'ionfield.dataset/2', descriptorSet: {}, featureColumns, species, speciesLabels: 'charge', tau: 12, tauFrames: 6, units: 'lj', systems: systems.map((s) => s.info) }, folders: [], systems };
}

describe('shared model: readout, calibration, nested study', () => {
  it('the readout from per-system moments equals a row-by-row ridge (an independent implementation)', () => {
    const data = syntheticFamily(0.5);
    const { layout, systems } = toSharedDataset(data);
    const cols = Array.from({ length: layout.own }, (_, k) => k);
    const readout = fitReadout(systems.map((s) => momentsOf(s, cols)), 1e-3);
    // fitLinear works on rows: give it the same own columns.
    const rows = systems.map((s) => {
      const d = s.species[0];
      const n = d.lambda.length;
      const f = new Float32Array(n * cols.length);
      for (let r = 0; r < n; r++) for (let k = 0; k < cols.length; k++) f[r * cols.length + k] = d.features[r * layout.size + k];
      return { ...s, species: [{ ions: d.ions, features: f, lambda: d.lambda }] };
    });
    const ridge = fitLinear(rows, 1e-3);
    for (let k = 0; k < systems.length; k++) {
      const a = readoutLambda(readout, momentsOf(systems[k], cols));
      const b = linearSystemLambda(ridge, rows[k]) * systems[k].conversion;
      assert.ok(Math.abs(a - b) <= 1e-9 * Math.abs(b), `${systems[k].name}: ${a} vs ${b}`);
    }
  });

  it('calibration recovers the error model that drew the residuals', () => {
    const normal = gaussian(rng(3));
    const random = rng(4);
    const truth = { k: 3, f: 0.08 };
    const rs: Residual[] = Array.from({ length: 3000 }, (_, i) => {
      const predicted = 0.5 + 2 * random(), spread = 0.01 + 0.05 * random(), stat = 0.01, referenceError = 0.03;
      const sd = Math.sqrt((truth.k * spread) ** 2 + (truth.f * predicted) ** 2 + stat ** 2 + referenceError ** 2);
      return { name: `s${i}`, predicted, spread, stat, reference: predicted + sd * normal(), referenceError };
    });
    const ml = likelihoodCalibration(rs);
    assert.ok(Math.abs(ml.k - truth.k) < 0.35, `k ${ml.k}`);
    assert.ok(Math.abs(ml.f - truth.f) < 0.01, `f ${ml.f}`);
    // Gaussian residuals: ±2σ of the likelihood fit already holds 95.45 %, the conformal step keeps it.
    const c = calibrate(rs);
    assert.ok(c.conformalFactor! >= 1 && c.conformalFactor! < 1.05, `factor ${c.conformalFactor}`);
    assert.ok(Math.abs(c.f - truth.f) < 0.012, `f ${c.f}`);
  });

  it('the conformal size: ±2σ covers ⌈(n+1)·0.9545⌉/(n+1) of fresh residuals whatever their law; the rms alone does not', () => {
    // Laplace residuals of known sd: ±2 sd holds 1 − exp(−2√2) = 94.1 %, short of the Gaussian 95.45 %.
    // Sized on n calibration residuals, the next one falls inside with probability exactly
    // ⌈(n+1)·0.9545⌉/(n+1) (a continuous law: every rank of it among the n+1 is equally likely).
    const random = rng(21);
    const laplace = (b: number) => (random() < 0.5 ? -1 : 1) * -b * Math.log(1 - random());
    const b = 0.05, sd = Math.SQRT2 * b;
    const residual = (): Residual => ({ name: '', predicted: 1, spread: 0, stat: 0, referenceError: 0, reference: 1 + laplace(b) });
    for (const n of [31, 200]) {
      const replicates = 20000;
      let conformal = 0, rms = 0;
      for (let t = 0; t < replicates; t++) {
        const cal = Array.from({ length: n }, residual);
        const fresh = residual();
        const f = conformalFactor(cal, { k: 0, f: 1 }, 0);
        if (Math.abs(fresh.reference - 1) <= 2 * f) conformal++;
        if (Math.abs(fresh.reference - 1) <= 2 * sd) rms++;
      }
      const expected = Math.ceil((n + 1) * 0.9545) / (n + 1);
      const tol = 4 * Math.sqrt((expected * (1 - expected)) / replicates);
      assert.ok(Math.abs(conformal / replicates - expected) < tol, `n = ${n}: conformal coverage ${conformal / replicates} vs ${expected}`);
      const gaussianSized = 1 - Math.exp(-2 * Math.SQRT2);
      assert.ok(Math.abs(rms / replicates - gaussianSized) < 0.006 && rms / replicates < 0.95, `±2 sd holds ${rms / replicates}`);
    }
    // The factor never narrows a fitted bar, and it is the largest need when n is too small for the level.
    const few: Residual[] = [0.1, -0.3, 0.2].map((r) => ({ name: '', predicted: 1, spread: 0, stat: 0, referenceError: 0, reference: 1 + r }));
    assert.ok(Math.abs(conformalFactor(few, { k: 0, f: 0.1 }) - 1.5) < 1e-12);
    assert.equal(conformalFactor(few, { k: 0, f: 1 }), 1);
    assert.ok(Math.abs(conformalFactor(few, { k: 0, f: 1 }, 0) - 0.15) < 1e-12);
  });

  it('nested leave-one-system-out: inner selection, committee, calibrated coverage and the domain flag', async () => {
    const report = await nestedEvaluation(syntheticFamily(0.3), { innerFolds: 4 });
    assert.equal(report.rows.length, 9);
    for (const r of report.rows) {
      // Interior systems interpolate the linear truth; the two ends extrapolate a little.
      assert.ok(Math.abs(r.lambdaMl / r.reference.value - 1) < 0.05, `${r.system}: ${r.lambdaMl} vs ${r.reference.value}`);
      assert.ok(r.totalError >= r.statError && Math.abs(r.totalError - Math.hypot(r.modelError, r.statError)) < 1e-12);
      assert.ok(r.domain.inDomain, `${r.system} in its own fold's domain (score ${r.domain.score})`);
    }
    assert.ok(report.summary.sharedModel.median < 0.02, `median ${report.summary.sharedModel.median}`);
    assert.ok(report.coverage.within2 >= 0.75, `coverage ${JSON.stringify(report.coverage)}`);
  });

  it('inner selection leaves one training system out by default (the outer task), K stratified folds on request', () => {
    const dataset = syntheticFamily(0);
    const { systems } = toSharedDataset(dataset);
    const cols = [0, 2];
    const train: TrainingSystem[] = systems.map((s, i) => ({ name: s.name, moments: { f: momentsOf(s, cols) }, speciesMeans: { f: [] }, reference: 1 + i, stratum: ['1:1', 1, i] }));
    const loo = selectCommittee(train, [{ features: 'f', alpha: 1e-3 }]);
    assert.equal(loo.folds.length, train.length);
    assert.deepEqual(loo.folds.map((f) => f.length), train.map(() => 1));
    assert.equal(loo.members.length, train.length);
    const five = selectCommittee(train, [{ features: 'f', alpha: 1e-3 }], 5);
    assert.equal(five.folds.length, 5);
    assert.deepEqual(five.folds.flat().sort(), train.map((t) => t.name).sort());
    assert.equal(innerFoldsOption('loo'), 'loo');
    assert.equal(innerFoldsOption('7'), 7);
    assert.throws(() => innerFoldsOption('1'), /integer ≥ 2/);
    assert.throws(() => selectCommittee(train, [{ features: 'f', alpha: 1 }], 1), /integer ≥ 2/);
  });

  it('the domain score is the worst species: one feature far out is enough', () => {
    const points = [{ name: 'a:+1', x: [1, 0, 0] }, { name: 'b:+1', x: [1, 1, 0] }, { name: 'c:+2', x: [2, 0.5, 1] }];
    const ref = domainReference(points, { mean: Float64Array.from([1.3, 0.5, 0.3]), scale: Float64Array.from([0.5, 0.5, 0.5]) });
    assert.ok(domainScore(ref, [{ label: '+1', x: [1, 0.5, 0] }]).score <= 1);
    const far = domainScore(ref, [{ label: '+1', x: [1, 0.5, 0] }, { label: "+3", x: [5, 0.5, 1] }]);
    assert.equal(far.species, '+3');
    assert.equal(far.nearest, 'c:+2');
    assert.ok(far.score > 2, `score ${far.score}`);
  });
});

/** Per-ion μ_i = exp(1 − 3·ρ̄)·(1 + 0.3·(x_i − x̄)) + noise: a multiplicative law in the frame's density. */
function multiplicativeFamily(count = 8): Dataset {
  const data = syntheticFamily(0, count);
  const normal = gaussian(rng(21));
  for (const s of data.systems) {
    const F = data.manifest.featureColumns['+1'].length;
    let total = 0;
    for (const sp of s.species) {
      const n = sp.lambda.length;
      const x = (r: number) => sp.features[r * F + 0] + sp.features[r * F + 2];
      let mean = 0;
      for (let r = 0; r < n; r++) mean += x(r) / n;
      for (let r = 0; r < n; r++) {
        sp.lambda[r] = 2 * (Math.exp(1 - 3 * mean) * (1 + 0.3 * (x(r) - mean)) + 0.002 * normal());
        total += sp.lambda[r];
      }
    }
    s.info.lambdaEh = { value: total / (2 * s.frames * s.species[0].ions), error: 0.01 };
  }
  return data;
}

describe('shared model: the log-linear readout', () => {
  it('recovers a multiplicative law that a linear readout can only approximate', () => {
    const data = multiplicativeFamily();
    const { layout, systems } = toSharedDataset(data);
    const cols = Array.from({ length: layout.own }, (_, k) => k);
    const moments = systems.map((s) => momentsOf(s, cols));
    const log = fitLogReadout(moments.slice(1, -1), 1e-4), linear = fitReadout(moments.slice(1, -1), 1e-4);
    // Extrapolate to the two systems left out at either end of the density range.
    for (const k of [0, systems.length - 1]) {
      const truth = data.systems[k].info.lambdaEh!.value;
      const a = readoutLambda(log, moments[k]), b = readoutLambda(linear, moments[k]);
      assert.ok(Math.abs(a / truth - 1) < 0.02, `${systems[k].name}: log readout ${a} vs ${truth}`);
      assert.ok(Math.abs(b / truth - 1) > Math.abs(a / truth - 1), `the linear readout (${b}) does worse than the log readout (${a}) on ${truth}`);
    }
  });

  it('its ONNX graph gives the readout\'s μ̂ per ion, and Λ = conversion × mean μ̂ (ONNX Runtime)', async () => {
    const data = multiplicativeFamily(6);
    const { layout, systems } = toSharedDataset(data);
    const cols = Array.from({ length: layout.own }, (_, k) => k);
    const moments = systems.map((s) => momentsOf(s, cols));
    const members = [fitLogReadout(moments, 1e-3), fitLogReadout(moments.slice(1), 1e-2)];
    const committee = { candidate: { features: 'own', alpha: 1e-3, kind: 'log' as const }, members, scores: [], folds: [] };
    const bytes = exportSharedOnnx(layout, committee, { version: 'test' } as unknown as ModelMetadata);
    const session = await ort.InferenceSession.create(bytes);
    const s = systems[2];
    const d = s.species[0];
    const out = await session.run({ features: new ort.Tensor('float32', d.features, [d.lambda.length, layout.size]) });
    const mu = out.mu.data as Float32Array, perMember = out.mu_members.data as Float32Array;
    // Per ion, member 0 by hand: exp(c + u⁺·x̄ᴬ + u⁻·x̄ᴮ)·(1 + v·(x_i − x̄)).
    const r0 = members[0], own = layout.own, P = layout.size;
    for (const row of [0, 7, d.lambda.length - 1]) {
      const x = d.features.subarray(row * P, (row + 1) * P);
      let arg = r0.logScale!.intercept, local = 1;
      cols.forEach((c, k) => {
        arg += r0.logScale!.plus[k] * x[2 * own + c] + r0.logScale!.minus[k] * x[3 * own + c];
        local += r0.weights[k] * (x[c] - x[own + c]);
      });
      const want = Math.exp(arg) * local;
      assert.ok(Math.abs(perMember[row * 2] - want) <= 1e-4 * Math.abs(want), `row ${row}: ${perMember[row * 2]} vs ${want}`);
    }
    const lambda = (s.conversion * mu.reduce((a, v) => a + v, 0)) / mu.length;
    const expected = (readoutLambda(members[0], moments[2]) + readoutLambda(members[1], moments[2])) / 2;
    assert.ok(Math.abs(lambda / expected - 1) < 2e-3, `Λ from the graph ${lambda} vs from the moments ${expected}`);
  });
});
