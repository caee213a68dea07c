// Kinosons end to end through the real CLI, and the statistics helpers on inputs with known answers.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli, runCliJson } from './helpers/cli';
import { fixturesDir, tempDir } from './helpers/paths';
import { cumulativeShare, fitTemperatureModels, kBoltzmannEv, kinosonMean, linearFit, validateConfig } from '../lib/kinosons/index';

interface Correlation {
  schema: string;
  sites: number;
  infinite: number;
  kmc: { mean: number; error: number };
  variational: { complete: { mean: number }; nearestNeighbour: { mean: number }; uncorrelated: number };
  exact: { f: number };
  trend: { supercell: number; f: number }[];
  extrapolated: { f: number };
}

const known: Record<string, number> = { fcc: 0.78145, bcc: 0.72719, sc: 0.65311 };

describe('kinosons: correlation-factor self-check', function () {
  this.timeout(120_000);
  for (const lattice of ['fcc', 'bcc', 'sc']) {
    it(`${lattice}: KMC, variational and exact agree; the supercell trend reaches the literature value`, () => {
      const r = runCliJson<Correlation>(['kinosons', 'correlation-factor', '--lattice', lattice, '--supercell', '4', '--steps', '100000', '--trajectories', '32', '--seed', '7']);
      assert.equal(r.schema, 'ionfield.kinosons.correlation/1');
      assert.equal(r.infinite, known[lattice]);
      // The complete vector-star basis is exact for the supercell: same number as the Laplacian solve.
      assert.ok(Math.abs(r.variational.complete.mean - r.exact.f) < 1e-9, `${r.variational.complete.mean} vs ${r.exact.f}`);
      // A truncated basis is an upper bound; y = 0 gives 1.
      assert.ok(r.variational.nearestNeighbour.mean > r.exact.f && r.variational.nearestNeighbour.mean < 1);
      // KMC agrees with the exact supercell value within 4 standard errors (error below 2.5 %).
      assert.ok(r.kmc.error < 0.025 * r.exact.f, `KMC error ${r.kmc.error}`);
      assert.ok(Math.abs(r.kmc.mean - r.exact.f) < 4 * r.kmc.error, `KMC ${r.kmc.mean} ± ${r.kmc.error} vs ${r.exact.f}`);
      // Finite supercells lie above f∞ and approach it as 1/N_sites.
      const f12 = r.trend.find((t) => t.supercell === 12)!.f;
      assert.ok(f12 > known[lattice] && f12 - known[lattice] < 0.0012);
      for (let i = 1; i < r.trend.length; i++) assert.ok(r.trend[i].f < r.trend[i - 1].f);
      assert.ok(Math.abs(r.extrapolated.f - known[lattice]) < 1e-4, `extrapolated ${r.extrapolated.f}`);
    });
  }
  it('rejects a supercell too small for a walk and bad usage', () => {
    const small = runCli(['kinosons', 'correlation-factor', '--lattice', 'sc', '--supercell', '2', '--steps', '100']);
    assert.equal(small.status, 1);
    assert.match(small.stderr, /too small/);
    assert.equal(runCli(['kinosons', 'correlation-factor', '--lattice', 'hcp']).status, 2);
    assert.equal(runCli(['kinosons', 'nonsense']).status, 2);
    assert.equal(runCli(['kinosons', 'kmc']).status, 2);
  });
});

describe('kinosons: binary random alloy through the CLI', function () {
  this.timeout(180_000);
  const config = path.join(fixturesDir, 'kinosons', 'binary-small.json');
  it('variational D per species matches the KMC reference; models are upper bounds', () => {
    const dir = tempDir();
    const kmc = runCliJson<{ tracer: Record<string, { mean: number; error: number }>; schema: string }>(['kinosons', 'kmc', '--config', config, '--out', path.join(dir, 'kmc.json')]);
    assert.equal(kmc.schema, 'ionfield.kinosons.kmc/2');
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, 'kmc.json'), 'utf8')), kmc);
    for (const s of ['A', 'B']) {
      const fit = runCliJson<{
        models: { name: string; validation: { mean: number; error: number } }[];
        best: string;
        D: { mean: number; error: number };
        kinosons: { count: number; cumulative: { fractionFor50: number }; bySpecies: { group: string; share: number }[] };
      }>(['kinosons', 'fit', '--config', config, '--target', `tracer:${s}`]);
      const ref = kmc.tracer[s];
      const unc = fit.models[0];
      assert.equal(unc.name, 'uncorrelated');
      for (const m of fit.models.slice(1)) assert.ok(m.validation.mean < unc.validation.mean);
      for (const m of fit.models) assert.ok(m.validation.mean > ref.mean - 3 * Math.hypot(ref.error, m.validation.error), `${m.name} below KMC`);
      const sigma = Math.hypot(ref.error, fit.D.error);
      assert.ok(Math.abs(fit.D.mean - ref.mean) < 3 * sigma + 0.03 * ref.mean, `${s}: kinosons ${fit.D.mean} ± ${fit.D.error} vs KMC ${ref.mean} ± ${ref.error}`);
      assert.equal(fit.kinosons.count, 400 * 12);
      const share = fit.kinosons.bySpecies.reduce((a, d) => a + d.share, 0);
      assert.ok(Math.abs(share - 1) < 1e-9);
      assert.ok(fit.kinosons.cumulative.fractionFor50 > 0 && fit.kinosons.cumulative.fractionFor50 < 0.5);
    }
  });
  it('names the file and key of a bad configuration', () => {
    const dir = tempDir();
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, JSON.stringify({ lattice: 'fcc', supercell: 3, species: [{ name: 'A', count: 10, nu: 1, e0: 0 }] }));
    const r = runCli(['kinosons', 'kmc', '--config', bad]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /bad\.json.*species.*add up to/);
    fs.writeFileSync(bad, '{ not json');
    assert.match(runCli(['kinosons', 'fit', '--config', bad]).stderr, /not valid JSON/);
  });
});

describe('kinosons: statistics helpers', () => {
  it('mean of kinosons sums per state first', () => {
    const k = { value: Float64Array.from([1, 2, 3, 4]), state: Int32Array.from([0, 0, 1, 1]), species: new Uint8Array(4), environment: new Uint8Array(4) };
    const m = kinosonMean(k, 2);
    assert.equal(m.mean, 5);
    assert.ok(Math.abs(m.error - 2) < 1e-12); // per-state sums 3 and 7: sd 2.83, se 2
  });
  it('cumulative share of equal kinosons is the diagonal; one dominant kinoson carries its share', () => {
    const eq = cumulativeShare(new Float64Array(100).fill(1));
    assert.ok(Math.abs(eq.fractionFor50 - 0.5) < 1e-12 && Math.abs(eq.fractionFor90 - 0.9) < 1e-12);
    const one = cumulativeShare(Float64Array.from([97, 1, 1, 1]));
    assert.equal(one.fractionFor90, 0.25);
  });
  it('Arrhenius and log-normal D(T) models recover exact synthetic laws', () => {
    const Q = 0.8, D0 = 3;
    const points = [600, 800, 1000, 1200].map((T) => {
      const beta = 1 / (kBoltzmannEv * T);
      const mu = -2 - 0.5 * beta, s2 = 1 + 0.05 * beta; // ln κ ~ N(mu, s2), 12 kinosons per state
      return { temperature: T, D: { mean: 12 * Math.exp(mu + s2 / 2), error: 1e-3 }, lnMean: mu, lnVariance: s2, perState: 12 };
    });
    const m = fitTemperatureModels(points)!;
    for (let i = 0; i < points.length; i++) assert.ok(Math.abs(m.lognormal.predicted[i] / points[i].D.mean - 1) < 1e-9);
    // Mixture of two log-normal groups, each exactly linear in 1/kT: recovered exactly; a single
    // log-normal cannot describe it.
    const mix = [600, 800, 1000, 1200].map((T) => {
      const beta = 1 / (kBoltzmannEv * T);
      const g = [
        { group: 'A', lnMean: -1 - 0.3 * beta, lnVariance: 0.5, perState: 8 },
        { group: 'B', lnMean: -6 - 0.6 * beta, lnVariance: 2 + 0.02 * beta, perState: 4 },
      ];
      const D = g.reduce((a, x) => a + x.perState * Math.exp(x.lnMean + x.lnVariance / 2), 0);
      return { temperature: T, D: { mean: D, error: 1e-3 * D }, lnMean: 0, lnVariance: 1, perState: 12, groups: g };
    });
    const mm = fitTemperatureModels(mix)!;
    for (let i = 0; i < mix.length; i++) assert.ok(Math.abs(mm.mixture!.predicted[i] / mix[i].D.mean - 1) < 1e-9);
    assert.ok(mm.rmsLogError.mixture! < 1e-9 && mm.rmsLogError.lognormal! > 1e-3);
    const arr = fitTemperatureModels([600, 900, 1300].map((T) => ({ temperature: T, D: { mean: D0 * Math.exp(-Q / (kBoltzmannEv * T)), error: 0.01 }, lnMean: 0, lnVariance: 0, perState: 1 })))!;
    assert.ok(Math.abs(arr.arrhenius.Q - Q) < 1e-9 && Math.abs(arr.arrhenius.D0 - D0) < 1e-9);
    const line = linearFit([0, 1, 2], [1, 3, 5]);
    assert.ok(Math.abs(line.a - 1) < 1e-12 && Math.abs(line.b - 2) < 1e-12);
  });
  it('validates configurations: fractions become counts that fill the lattice', () => {
    const c = validateConfig({ lattice: 'bcc', supercell: 3, vacancies: 2, species: [{ name: 'A', fraction: 0.3 }, { name: 'B', fraction: 0.7 }] });
    assert.equal(c.species[0].count! + c.species[1].count!, 54 - 2);
    assert.throws(() => validateConfig({ lattice: 'hcp' }), /lattice/);
    assert.throws(() => validateConfig({ species: [{ name: 'A', fraction: 1 }], pairs: [{ shell: 1, a: 'A', b: 'X', J: 0 }] }), /pairs\[0\].*'b'/);
  });
});

describe('kinosons: generate states', function () {
  this.timeout(60_000);
  it('writes a states × sites .npy with the composition of the config and a JSON description', () => {
    const dir = tempDir();
    const out = path.join(dir, 'states.npy');
    const r = runCli(['kinosons', 'generate', '--config', path.join(fixturesDir, 'kinosons', 'binary-small.json'), '--states', '5', '--out', out]);
    assert.equal(r.status, 0, r.stderr);
    const buf = fs.readFileSync(out);
    assert.equal(buf.subarray(0, 6).toString('latin1'), '\x93NUMPY');
    const headerLength = buf.readUInt16LE(8);
    assert.match(buf.subarray(10, 10 + headerLength).toString('latin1'), /'shape': \(5, 108\)/);
    assert.equal((10 + headerLength) % 64, 0);
    const data = buf.subarray(10 + headerLength);
    assert.equal(data.length, 5 * 108);
    for (let k = 0; k < 5; k++) {
      const row = data.subarray(k * 108, (k + 1) * 108);
      assert.equal(row.filter((v) => v === 255).length, 1);
      assert.equal(row.filter((v) => v === 0).length, 54); // fraction 0.5 of 107 atoms, largest remainder to A
    }
    const meta = JSON.parse(fs.readFileSync(`${out}.json`, 'utf8'));
    assert.equal(meta.schema, 'ionfield.kinosons.states/1');
    assert.deepEqual(meta.species, ['A', 'B']);
    assert.equal(meta.positions.length, 3 * 108);
  });
});

describe('kinosons: equivariant network model through the CLI', function () {
  this.timeout(120_000);
  const config = path.join(fixturesDir, 'kinosons', 'binary-network.json');
  it('trains on top of the linear basis and never ends above it on the training states', () => {
    const fit = runCliJson<{ models: { name: string; training: number; validation: { mean: number } }[] }>(['kinosons', 'fit', '--config', config, '--target', 'tracer:A']);
    const [unc, linear, network] = fit.models;
    assert.deepEqual(fit.models.map((m) => m.name), ['uncorrelated', 'linear', 'network']);
    assert.ok(linear.training < unc.training);
    assert.ok(network.training <= linear.training);
    assert.ok(network.validation.mean > 0);
  });
  it('refuses the network for collective targets', () => {
    const r = runCli(['kinosons', 'fit', '--config', config, '--target', 'collective:A']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /tracer targets only/);
  });
});

describe('kinosons: states from files, chain errors and resumable reports', function () {
  this.timeout(120_000);
  const config = path.join(fixturesDir, 'kinosons', 'interacting-small.json');
  type Fit = { D: { mean: number; error: number }; bound: { mean: number; error: number }; models: { name: string; training: number; validation: { mean: number; error: number } }[]; trainingStates: number; validationStates: number };

  it('fit from the .npy files written by generate equals the fit that samples the same states itself', () => {
    const dir = tempDir();
    const train = path.join(dir, 'train.npy'), valid = path.join(dir, 'valid.npy');
    for (const [file, set, n] of [[train, 'training', '60'], [valid, 'validation', '64']])
      assert.equal(runCli(['kinosons', 'generate', '--config', config, '--states', n, '--set', set, '--out', file, '--temperature', '800']).status, 0);
    const meta = JSON.parse(fs.readFileSync(`${valid}.json`, 'utf8'));
    assert.equal(meta.chains, 4);
    assert.equal(meta.set, 'validation');
    const sampled = runCliJson<Fit>(['kinosons', 'fit', '--config', config, '--target', 'tracer:A', '--temperature', '800']);
    const fromFiles = runCliJson<Fit>(['kinosons', 'fit', '--config', config, '--target', 'tracer:A', '--temperature', '800', '--training', train, '--validation', valid]);
    assert.deepEqual(fromFiles.D, sampled.D);
    const core = (f: Fit) => f.models.map((m) => ({ name: m.name, training: m.training, validation: m.validation }));
    assert.deepEqual(core(fromFiles), core(sampled));
    // Errors come from the spread of the 4 chain blocks (more than 8 blocks: each chain is split
    // in two); declaring the same states independent (chains 0) changes the error, not the mean.
    fs.writeFileSync(`${valid}.json`, JSON.stringify({ ...meta, chains: 0 }));
    const independent = runCliJson<Fit>(['kinosons', 'fit', '--config', config, '--target', 'tracer:A', '--temperature', '800', '--training', train, '--validation', valid]);
    assert.equal(independent.bound.mean, sampled.bound.mean);
    assert.notEqual(independent.bound.error, sampled.bound.error);
  });

  it('rejects state files that do not fit the config, naming the file and the problem', () => {
    const dir = tempDir();
    const file = path.join(dir, 'states.npy');
    assert.equal(runCli(['kinosons', 'generate', '--config', config, '--states', '4', '--out', file, '--temperature', '800']).status, 0);
    let r = runCli(['kinosons', 'fit', '--config', config, '--temperature', '1200', '--training', file]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /states\.npy: states were equilibrated at 800 K/);
    const buf = fs.readFileSync(file);
    const start = 10 + buf.readUInt16LE(8);
    buf[start + 5] = buf[start + 5] === 0 ? 1 : 0; // one A becomes B (or back): wrong composition
    fs.writeFileSync(file, buf);
    r = runCli(['kinosons', 'fit', '--config', config, '--temperature', '800', '--training', file]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /states\.npy: state 0 holds \d+ atoms of A, the config 54/);
    fs.writeFileSync(file, 'not numpy');
    r = runCli(['kinosons', 'fit', '--config', config, '--temperature', '800', '--validation', file]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /states\.npy: not a \.npy file/);
  });

  it('report --resume continues from the checkpoint and refuses one of another config', () => {
    const dir = tempDir();
    const full = runCliJson<{ temperatures: { temperature: number; kmc: { tracer: Record<string, { mean: number }> } }[] }>(['kinosons', 'report', '--config', config, '--out-dir', dir]);
    assert.equal(full.temperatures.length, 2);
    assert.ok(!fs.existsSync(path.join(dir, 'kinosons-report.checkpoint.json')), 'a complete report removes its checkpoint');
    // An interrupted run: only the first temperature's KMC is in the checkpoint (marked so that
    // its reuse is visible).
    const validated = validateConfig(JSON.parse(fs.readFileSync(config, 'utf8')), config);
    const kmc = JSON.parse(JSON.stringify(full.temperatures[0].kmc));
    kmc.tracer.A.mean = 12345;
    const checkpoint = { schema: 'ionfield.kinosons.report-checkpoint/1', config: validated, done: { '800': { kmc, fits: {} } } };
    fs.writeFileSync(path.join(dir, 'kinosons-report.checkpoint.json'), JSON.stringify(checkpoint));
    const resumed = runCliJson<typeof full>(['kinosons', 'report', '--config', config, '--out-dir', dir, '--resume']);
    assert.equal(resumed.temperatures[0].kmc.tracer.A.mean, 12345);
    assert.deepEqual(resumed.temperatures[1].kmc.tracer, full.temperatures[1].kmc.tracer);
    fs.writeFileSync(path.join(dir, 'kinosons-report.checkpoint.json'), JSON.stringify({ ...checkpoint, config: { ...validated, seed: 1 } }));
    const r = runCli(['kinosons', 'report', '--config', config, '--out-dir', dir, '--resume']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /checkpoint\.json: written for a different configuration/);
  });
});

describe('kinosons: equivariant site network through the CLI', function () {
  this.timeout(120_000);
  const config = path.join(fixturesDir, 'kinosons', 'binary-site-network.json');
  type Fit = { models: { name: string; training: number; validation: { mean: number } }[]; onsager?: Record<string, Record<string, { mean: number }>> };
  for (const target of ['tracer:A', 'collective:A']) {
    it(`${target}: trains below the linear model it starts from`, () => {
      const fit = runCliJson<Fit>(['kinosons', 'fit', '--config', config, '--target', target]);
      const [unc, linear, network] = fit.models;
      assert.deepEqual(fit.models.map((m) => m.name), ['uncorrelated', 'linear', 'site-network']);
      assert.ok(linear.training < unc.training);
      assert.ok(network.training < linear.training, `${network.training} vs ${linear.training}`);
      assert.ok(network.validation.mean > 0);
    });
  }
  it('refuses the site network together with the gated network', () => {
    const dir = tempDir();
    const bad = path.join(dir, 'bad.json');
    const c = JSON.parse(fs.readFileSync(config, 'utf8'));
    c.models[1].hidden = 4;
    fs.writeFileSync(bad, JSON.stringify(c));
    const r = runCli(['kinosons', 'fit', '--config', bad]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /models\[1\].*networkHidden.*cannot be combined with hidden/);
  });
});
