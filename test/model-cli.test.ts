// ionfield train / predict end to end on a real LAMMPS trajectory (the demo electrolyte): real
// symmetry functions, targets from a known function of them, the documented CLI and its --json.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bindSet, loadSet } from '../lib/descriptor-sets';
import { columnsDocument, computeBatch, rowMap } from '../lib/descriptors';
import { onnx } from 'onnx-proto';
import { native, NativeNnModel } from '../lib/native';
import { readNpy } from '../lib/npy';
import { openTrajectory } from '../lib/trajectory';
import { readModel } from '../lib/model/predict';
import { metadataProps } from '../lib/model/onnx-export';
import { encodeModel, floatTensor, floatValue, node } from '../lib/model/onnx-builder';
import { runCli } from './helpers/cli';
import { repoRoot, tempDir } from './helpers/paths';
import { NpyWriter } from '../lib/npy';
import { gaussian, rng } from './helpers/synthetic-dataset';

const demo = path.join(repoRoot, 'data', 'demo', 'electrolyte.lammpstrj.gz');
const FRAMES = 120;

interface Prepared {
  dir: string;
  features: Record<string, Float32Array>; // per species, [frames, n, F]
  ions: Record<string, number>;
  F: number;
}

// Descriptors of the first 120 frames; "systems" are three 40-frame windows (a, b, held). The target
// is a fixed smooth function of two standardised columns plus noise.
async function prepare(): Promise<Prepared> {
  const dir = path.join(tempDir('ionfield-model-cli-'), 'ds');
  const def = loadSet('compact');
  const traj = openTrajectory(demo, { stop: FRAMES, unwrap: false, batchSize: FRAMES });
  const batch = (await traj.batches().next()).value!;
  const bound = bindSet(def, ['1', '2']);
  const map = rowMap(bound, batch.types!);
  const desc = (await computeBatch(bound, batch, map, { device: 'cpu' })) as Float32Array;
  const R = map.rows.length;
  const F = bound.maxFeatures;
  const features: Record<string, Float32Array> = {};
  const ions: Record<string, number> = {};
  for (const s of ['1', '2']) {
    const rows = Array.from(map.rows.keys()).filter((r) => map.rowSpecies[r] === s);
    ions[s] = rows.length;
    const x = new Float32Array(FRAMES * rows.length * F);
    for (let t = 0; t < FRAMES; t++) rows.forEach((r, i) => x.set(desc.subarray((t * R + r) * F, (t * R + r + 1) * F), (t * rows.length + i) * F));
    features[s] = x;
  }
  const stats = (s: string, c: number) => {
    const x = features[s];
    let m = 0, q = 0;
    const n = x.length / F;
    for (let i = 0; i < n; i++) m += x[i * F + c];
    m /= n;
    for (let i = 0; i < n; i++) q += (x[i * F + c] - m) ** 2;
    return [m, Math.sqrt(q / n)];
  };
  const normal = gaussian(rng(5));
  const cols = columnsDocument(bound, map, { array: '', frames: 0, steps: [], source: '', scale: 1 }) as { columns: Record<string, unknown[]> };
  const windows = [['a', 0], ['b', 40], ['held', 80]] as const;
  for (const [name, start] of windows) {
    fs.mkdirSync(path.join(dir, name), { recursive: true });
    for (const s of ['1', '2']) {
      const [m0, s0] = stats(s, 0);
      const [m1, s1] = stats(s, 6);
      const n = ions[s];
      const fw = new NpyWriter(path.join(dir, name, `features-${s}.npy`), 'float32', [n, F]);
      const lw = new NpyWriter(path.join(dir, name, `lambda-${s}.npy`), 'float64', [n]);
      const x = features[s].slice(start * n * F, (start + 40) * n * F);
      const l = new Float64Array(40 * n);
      for (let i = 0; i < 40 * n; i++) {
        const u = (x[i * F] - m0) / s0, v = (x[i * F + 6] - m1) / s1;
        l[i] = (s === '1' ? 1.0 : 0.7) + 0.4 * Math.tanh(u) - 0.2 * v + 0.3 * normal();
      }
      fw.append(x, 40);
      lw.append(l, 40);
      fw.close();
      lw.close();
    }
  }
  const systems = windows.map(([name]) => ({
    name, source: demo, frames: 40, ions, charges: { '1': 1, '2': -1 }, temperature: 1, volumeMean: 1000, formulaUnits: 50, K: 1,
    lambdaMean: 0, ehAtTau: 0, sumRuleRelativeError: 0, lambdaEh: null, parameters: {},
  }));
  fs.writeFileSync(path.join(dir, 'dataset.json'), JSON.stringify({
    schema: 'ionfield.dataset/2', descriptorSet: JSON.parse(fs.readFileSync(path.join(repoRoot, 'data', 'descriptor-sets', 'compact.json'), 'utf8')), featureColumns: cols.columns, species: ['1', '2'], tau: 10, tauFrames: 20, units: 'lj', lengthScale: 1, systems,
  }));
  return { dir, features, ions, F };
}

// The native model from an exported graph's initializers (float32 weights), to check the pipeline.
function nativeFromOnnx(bytes: Uint8Array): NativeNnModel {
  const proto = onnx.ModelProto.decode(bytes);
  const t = (name: string) => {
    const x = proto.graph!.initializer!.find((i) => i.name === name);
    if (!x) throw new Error(`no initializer ${name}`);
    return { dims: (x.dims ?? []).map(Number), data: Float64Array.from(x.floatData ?? []) };
  };
  const meta = readModel(modelPath0).metadata;
  const features = meta.species.map((_, k) => t(`mean_${k}`).dims[0]);
  const hidden = meta.architecture.hidden;
  const params: number[] = [];
  features.forEach((_, k) => {
    for (let l = 0; l <= hidden.length; l++) params.push(...t(`W_${k}_${l}`).data, ...t(`b_${k}_${l}`).data);
  });
  return {
    features, hidden, activation: meta.architecture.activation, params: Float64Array.from(params),
    featureMean: features.map((_, k) => t(`mean_${k}`).data), featureScale: features.map((_, k) => t(`scale_${k}`).data),
    targetShift: t('target_shift').data[0], targetScale: t('target_scale').data[0],
  };
}
let modelPath0 = '';

describe('ionfield train / predict (CLI, demo electrolyte)', function () {
  this.timeout(120_000);
  let p: Prepared;
  let modelPath: string;
  before(async () => {
    p = await prepare();
    modelPath = path.join(path.dirname(p.dir), 'model.onnx');
    modelPath0 = modelPath;
  });

  it('trains with a held-out system, writes an ONNX model with its metadata, and recovers the held-out Λ', () => {
    const r = runCli(['train', p.dir, '--holdout', 'held', '--out', modelPath, '--epochs', '40', '--hidden', '16,16', '--lr', '3e-3', '--seed', '2', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const rep = JSON.parse(r.stdout);
    assert.equal(rep.schema, 'ionfield.train/2');
    assert.deepEqual(rep.holdoutSystems, ['held']);
    assert.deepEqual(rep.trainSystems, ['a', 'b']);
    assert.ok(rep.bestEpoch >= 1 && rep.history.length >= rep.bestEpoch);
    assert.ok(rep.holdout[0].relativeError < 0.05, `held-out Λ relative error ${rep.holdout[0].relativeError}`);
    const meta = readModel(modelPath).metadata;
    assert.deepEqual(meta.species, ['1', '2']);
    assert.equal(meta.target.units, 'lj');
    assert.equal(meta.target.tau, 10);
    assert.deepEqual(meta.charges, { '1': 1, '2': -1 });
    assert.equal((meta.training as { holdout: string[] }).holdout[0], 'held');
    assert.equal(meta.standardisation.features['1'].mean.length, p.F);
  });

  it('predicts per-ion λ̂ for every frame: the pipeline field equals the native forward pass to 1e-5, Λ_ML is the field mean, same seed gives the same model', () => {
    const field = path.join(path.dirname(p.dir), 'field.npy');
    const r = runCli(['predict', demo, '--model', modelPath, '--stop', String(FRAMES), '--batch', '25', '--out', field, '--json', '--provider', 'cpu']);
    assert.equal(r.status, 0, r.stderr);
    const rep = JSON.parse(r.stdout);
    assert.equal(rep.schema, 'ionfield.predict/2');
    assert.equal(rep.frames, FRAMES);
    assert.equal(rep.ions, 100);
    const { shape, data } = readNpy(field);
    assert.deepEqual(shape, [FRAMES, 100]);
    let sum = 0;
    for (const v of data) sum += v;
    assert.ok(Math.abs(rep.lambdaMl.value - sum / data.length) < 1e-6 * Math.abs(sum / data.length));
    assert.ok(rep.lambdaMl.error > 0 && rep.lambdaMl.error < 0.1 * Math.abs(rep.lambdaMl.value));
    // The same rows through the native forward pass (float64 weights) from the test's own descriptors.
    const trained = runCli(['train', p.dir, '--holdout', 'held', '--out', path.join(path.dirname(p.dir), 'again.onnx'), '--epochs', '40', '--hidden', '16,16', '--lr', '3e-3', '--seed', '2', '--json']);
    assert.equal(trained.status, 0);
    assert.deepEqual(fs.readFileSync(modelPath), fs.readFileSync(path.join(path.dirname(p.dir), 'again.onnx')), 'same seed, same model bytes');
    const atoms: number[] = rep.field.atoms;
    const species: string[] = rep.field.species;
    assert.deepEqual(atoms, Array.from({ length: 100 }, (_, i) => i));
    // The field row by row against the native forward pass of the exported weights on the test's own
    // descriptors: checks the pipeline's gathering of rows per species and scattering back.
    const model = nativeFromOnnx(fs.readFileSync(modelPath));
    let worst = 0;
    ['1', '2'].forEach((s, k) => {
      const n = p.ions[s];
      const ref = native().nnPredict(model, k, p.features[s], FRAMES * n);
      const rows = species.map((x, r) => [x, r] as const).filter(([x]) => x === s).map(([, r]) => r);
      for (let t = 0; t < FRAMES; t++) rows.forEach((r, i) => (worst = Math.max(worst, Math.abs(data[t * 100 + r] - ref[t * n + i]) / Math.max(1, Math.abs(ref[t * n + i])))));
    });
    assert.ok(worst < 1e-5, `field vs native forward: worst ${worst}`);
  });

  it('refuses a trajectory whose units or species do not fit the model, saying what differs', () => {
    const units = runCli(['predict', demo, '--model', modelPath, '--stop', '5', '--units', 'real']);
    assert.equal(units.status, 1);
    assert.match(units.stderr, /units: the model's targets are in 'lj', the trajectory is read as 'real'/);
    const species = runCli(['predict', demo, '--model', modelPath, '--stop', '5', '--type-map', '1:Na,2:Cl']);
    assert.equal(species.status, 1);
    assert.match(species.stderr, /the model has '1', '2' which the trajectory lacks/);
    assert.match(species.stderr, /the trajectory has 'Na', 'Cl' which the model does not know/);
    const notModel = runCli(['predict', demo, '--model', path.join(p.dir, 'dataset.json')]);
    assert.equal(notModel.status, 1);
  });

  it('runs a model built elsewhere that follows the documented signature (constant λ per species)', () => {
    // A hand-built graph: lambda_k = features_k · 0 + c_k, with the trained model's metadata.
    const meta = readModel(modelPath).metadata;
    const c = [2.5, -0.5];
    const nodes = [];
    const inits = [];
    for (let k = 0; k < 2; k++) {
      inits.push(floatTensor(`zero_${k}`, [p.F, 1], new Array(p.F).fill(0)), floatTensor(`c_${k}`, [1], [c[k]]));
      nodes.push(node('MatMul', [`features_${k}`, `zero_${k}`], [`m_${k}`]), node('Add', [`m_${k}`, `c_${k}`], [`col_${k}`]), node('Squeeze', [`col_${k}`], [`lambda_${k}`]));
    }
    const own = path.join(path.dirname(p.dir), 'own.onnx');
    fs.writeFileSync(own, encodeModel({
      name: 'constant', nodes, initializers: inits,
      inputs: [0, 1].map((k) => floatValue(`features_${k}`, ['rows', p.F])), outputs: [0, 1].map((k) => floatValue(`lambda_${k}`, ['rows'])),
      metadata: metadataProps(meta),
    }));
    const r = runCli(['predict', demo, '--model', own, '--stop', '10', '--json', '--provider', 'cpu']);
    assert.equal(r.status, 0, r.stderr);
    const rep = JSON.parse(r.stdout);
    const n1 = rep.species['1'].ions, n2 = rep.species['2'].ions;
    assert.ok(Math.abs(rep.lambdaMl.value - (c[0] * n1 + c[1] * n2) / (n1 + n2)) < 1e-6);
    // The same graph whose recorded descriptor columns differ from what its set gives is refused.
    const other = JSON.parse(JSON.stringify(meta));
    other.featureColumns['1'][0].name = 'G2[1<-1](eta=9,rs=0,rc=5)';
    const shifted = path.join(path.dirname(p.dir), 'shifted.onnx');
    fs.writeFileSync(shifted, encodeModel({
      name: 'constant', nodes, initializers: inits,
      inputs: [0, 1].map((k) => floatValue(`features_${k}`, ['rows', p.F])), outputs: [0, 1].map((k) => floatValue(`lambda_${k}`, ['rows'])),
      metadata: metadataProps(other),
    }));
    const cols = runCli(['predict', demo, '--model', shifted, '--stop', '5']);
    assert.equal(cols.status, 1);
    assert.match(cols.stderr, /descriptor columns of species '1' differ at column 0: model 'G2\[1<-1\]\(eta=9/);
    // A graph without the documented names is refused with the names it has.
    const bad = path.join(path.dirname(p.dir), 'bad.onnx');
    fs.writeFileSync(bad, encodeModel({
      name: 'bad', nodes: [node('Identity', ['x'], ['y'])], initializers: [], inputs: [floatValue('x', ['rows', p.F])], outputs: [floatValue('y', ['rows', p.F])], metadata: metadataProps(meta),
    }));
    const refused = runCli(['predict', demo, '--model', bad, '--stop', '5']);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /the graph lacks features_0, features_1, lambda_0, lambda_1/);
  });

  it('resumes from a checkpoint: 3 epochs, then 6, gives the same model as 6 at once', () => {
    const dir = path.dirname(p.dir);
    const common = [p.dir, '--holdout', 'held', '--hidden', '8', '--seed', '4', '--patience', '0', '--json'];
    const ck = path.join(dir, 'ck.bin');
    const first = runCli(['train', ...common, '--epochs', '3', '--checkpoint', ck, '--out', path.join(dir, 'part.onnx')]);
    assert.equal(first.status, 0, first.stderr);
    const resumed = runCli(['train', ...common, '--epochs', '6', '--checkpoint', ck, '--out', path.join(dir, 'resumed.onnx')]);
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.equal(JSON.parse(resumed.stdout).resumedFromEpoch, 3);
    const straight = runCli(['train', ...common, '--epochs', '6', '--out', path.join(dir, 'straight.onnx')]);
    assert.equal(straight.status, 0, straight.stderr);
    assert.deepEqual(fs.readFileSync(path.join(dir, 'resumed.onnx')), fs.readFileSync(path.join(dir, 'straight.onnx')));
    const usage = runCli(['train', p.dir, '--out', path.join(dir, 'x.onnx')]);
    assert.equal(usage.status, 2);
    const unknown = runCli(['train', p.dir, '--holdout', 'nope', '--out', path.join(dir, 'x.onnx')]);
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /no system named 'nope'/);
  });
});
