// The dataset builder end to end: a few-second real LAMMPS run of scripts/family/electrolyte.in, a
// dataset built from it with the CLI, and checks of shapes, metadata, the sum rule, the λ targets
// against a straightforward computation from the dump text parsed here, ⟨λ⟩ against ionfield
// transport's EH estimate at lag τ, descriptors against ionfield descriptors, and resuming.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bindSet, parseSetJson } from '../lib/descriptor-sets';
import { readNpy } from '../lib/npy';
import { computeTransport } from '../lib/transport';
import { runCli } from './helpers/cli';
import { repoRoot, tempDir } from './helpers/paths';

const hasLammps = spawnSync('lmp', ['-h'], { stdio: 'ignore' }).status === 0;

/** The dump parsed by hand: per frame, atoms sorted by id: type, q, xu, yu, zu. */
function parseDump(file: string): { steps: number[]; types: string[]; q: number[]; pos: number[][] } {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const steps: number[] = [], pos: number[][] = [];
  let types: string[] = [], q: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].startsWith('ITEM: TIMESTEP')) steps.push(Number(lines[i + 1]));
    if (lines[i].startsWith('ITEM: NUMBER OF ATOMS')) {
      const n = Number(lines[i + 1]);
      const header = lines[i + 6].split(/\s+/).slice(2);
      const col = (name: string) => header.indexOf(name);
      const rows = lines.slice(i + 7, i + 7 + n).map((l) => l.trim().split(/\s+/));
      rows.sort((a, b) => Number(a[col('id')]) - Number(b[col('id')]));
      types = rows.map((r) => r[col('type')]);
      q = rows.map((r) => Number(r[col('q')]));
      pos.push(rows.flatMap((r) => [Number(r[col('xu')]), Number(r[col('yu')]), Number(r[col('zu')])]));
    }
  }
  return { steps, types, q, pos };
}

describe('dataset: end to end from a short real LAMMPS run', function () {
  this.timeout(120_000);
  let dir = '';
  let traj = '';
  before(function () {
    if (!hasLammps) {
      console.log('    (skipped: lmp not found; scripts/install-system-deps.sh installs the Debian package lammps)');
      this.skip();
    }
    dir = tempDir('ionfield-dataset-');
    const run = path.join(dir, 'tiny-lb2');
    fs.mkdirSync(run);
    const vars = { ncat: 16, nan: 16, qcat: 1, qan: -1, sigcat: 1, sigan: 1, rho: 0.1, lb: 2, seed: 4242, equil: 500, prod: 1600, every: 20, out: 'traj.lammpstrj', pppm: 1e-4, rc: 3.0 };
    const args = ['-in', path.join(repoRoot, 'scripts', 'family', 'electrolyte.in'), '-log', 'log.lammps', '-screen', 'none', '-nocite'];
    for (const [k, v] of Object.entries(vars)) args.push('-var', k, String(v));
    const r = spawnSync('lmp', args, { cwd: run, encoding: 'utf8', timeout: 90_000 });
    assert.equal(r.status, 0, `LAMMPS failed: ${r.stderr}`);
    traj = path.join(run, 'traj.lammpstrj');
  });

  it('builds a dataset whose targets match a straightforward computation and obey the sum rule', async () => {
    const out = path.join(dir, 'ds');
    // 0.005 τ × 20 steps = 0.1 τ per frame; τ = 2 → 20 frames; every 3rd frame an origin.
    const r = runCli(['dataset', traj, '--set', 'compact', '--tau', '2', '--out', out, '--origin-stride', '3', '--temperature', '1', '--timestep', '0.005', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const summary = JSON.parse(r.stdout);
    assert.equal(summary.schema, 'ionfield.dataset-build/2');
    const ds = JSON.parse(fs.readFileSync(path.join(out, 'dataset.json'), 'utf8'));
    assert.equal(ds.schema, 'ionfield.dataset/2');
    assert.deepEqual(ds.species, ['1', '2']);
    assert.equal(ds.tau, 2);
    assert.equal(ds.tauFrames, 20);
    assert.equal(ds.units, 'lj');
    const sys = ds.systems[0];
    assert.equal(sys.name, 'tiny-lb2');
    // 81 frames (0..80); origins 0,3,...,60 have a partner 20 frames later: 21 origins.
    assert.equal(sys.frames, 21);
    assert.deepEqual(sys.ions, { '1': 16, '2': 16 });
    assert.deepEqual(sys.charges, { '1': 1, '2': -1 });
    assert.equal(sys.formulaUnits, 16);
    assert.ok(Math.abs(sys.K - 1 / (6 * 1 * 16)) < 1e-15);
    assert.ok(Math.abs(sys.volumeMean - 32 / 0.1) < 1e-6 * 320, `volume ${sys.volumeMean}`);
    assert.ok(sys.sumRuleRelativeError < 1e-12, `sum rule ${sys.sumRuleRelativeError}`);
    for (const s of ['1', '2']) assert.ok(ds.featureColumns[s].length > 0);
    // The stored set parses back (descriptor code) into exactly the stored columns.
    const rebound = bindSet(parseSetJson(JSON.stringify(ds.descriptorSet), 'dataset.json'), ['1', '2'], 1);
    for (const s of ['1', '2']) {
      assert.equal(rebound.columns[s].length, ds.featureColumns[s].length);
      rebound.columns[s].forEach((f, k) => {
        const c = ds.featureColumns[s][k];
        assert.deepEqual([f.type, f.neighbours, f.eta, f.rs, f.cutoff], [c.type, c.neighbours, c.eta, c.rs, c.cutoff]);
      });
    }

    const frames = JSON.parse(fs.readFileSync(path.join(out, 'tiny-lb2', 'frames.json'), 'utf8'));
    assert.deepEqual(frames.frames, Array.from({ length: 21 }, (_, k) => 3 * k));

    // Independent λ: from the dump text, with the formula written out here.
    const d = parseDump(traj);
    assert.equal(d.pos.length, 81);
    const N = d.q.length, K = 1 / (6 * 16), tau = 2;
    let sumAll = 0;
    for (const s of ['1', '2']) {
      const lam = readNpy(path.join(out, 'tiny-lb2', `lambda-${s}.npy`));
      const feat = readNpy(path.join(out, 'tiny-lb2', `features-${s}.npy`));
      assert.deepEqual(lam.shape, [21, 16]);
      assert.deepEqual(feat.shape, [21, 16, ds.featureColumns[s].length]);
      assert.ok(lam.data instanceof Float64Array && feat.data instanceof Float32Array);
      assert.ok(feat.data.every(Number.isFinite));
      const atoms = frames.rows[s] as number[];
      assert.deepEqual(atoms, d.types.flatMap((t, i) => (t === s ? [i] : [])));
      frames.frames.forEach((f0: number, o: number) => {
        const a = d.pos[f0], b = d.pos[f0 + 20];
        const J = [0, 1, 2].map((x) => d.q.reduce((acc, z, i) => acc + z * (b[3 * i + x] - a[3 * i + x]), 0));
        atoms.forEach((i, k) => {
          const dot = [0, 1, 2].reduce((acc, x) => acc + (b[3 * i + x] - a[3 * i + x]) * J[x], 0);
          const expected = (K * N * d.q[i] * dot) / tau;
          const got = lam.data[o * 16 + k];
          assert.ok(Math.abs(got - expected) <= 1e-9 * (Math.abs(expected) + 1e-3), `λ origin ${o} atom ${i}: ${got} vs ${expected}`);
          sumAll += got;
        });
      });
    }
    assert.ok(Math.abs(sumAll / (21 * N) - sys.lambdaMean) < 1e-12 * Math.abs(sys.lambdaMean) + 1e-15);

    // Descriptors at the origin frames equal those of ionfield descriptors on the same frames.
    const npy = path.join(dir, 'desc.npy');
    const rd = runCli(['descriptors', traj, '--set', 'compact', '--out', npy, '--stride', '3', '--stop', '61', '--json']);
    assert.equal(rd.status, 0, rd.stderr);
    const ref = readNpy(npy);
    const cols = JSON.parse(fs.readFileSync(npy.replace(/\.npy$/, '.columns.json'), 'utf8'));
    const feat1 = readNpy(path.join(out, 'tiny-lb2', 'features-1.npy'));
    const F = ref.shape[2], F1 = feat1.shape[2];
    const row0 = cols.rows.atoms.indexOf(frames.rows['1'][0]);
    for (let o = 0; o < 21; o++)
      for (let c = 0; c < F1; c++) assert.ok(Math.abs(feat1.data[o * 16 * F1 + c] - ref.data[(o * ref.shape[1] + row0) * F + c]) <= 1e-5 * (1 + Math.abs(ref.data[(o * ref.shape[1] + row0) * F + c])));

    // Batch boundaries do not matter (batch 1: frame 0 arrives before the frame interval is known).
    for (const batch of ['1', '7']) {
      const o2 = path.join(dir, `ds-batch${batch}`);
      const rb = runCli(['dataset', traj, '--set', 'compact', '--tau', '2', '--out', o2, '--origin-stride', '3', '--temperature', '1', '--timestep', '0.005', '--no-transport', '--batch', batch]);
      assert.equal(rb.status, 0, rb.stderr);
      for (const f of ['lambda-1.npy', 'lambda-2.npy', 'features-2.npy'])
        assert.deepEqual(readNpy(path.join(o2, 'tiny-lb2', f)).data, readNpy(path.join(out, 'tiny-lb2', f)).data, `${f} with --batch ${batch}`);
    }

    // Rerun: the system is kept, not rebuilt.
    const again = runCli(['dataset', traj, '--set', 'compact', '--tau', '2', '--out', out, '--origin-stride', '3', '--temperature', '1', '--timestep', '0.005', '--json']);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(JSON.parse(again.stdout).systems[0].skipped, true);
  });

  it('two-lag target (--tau-short): per-ion values from the dump text and the exact sum rule', () => {
    const out = path.join(dir, 'ds-two-lag');
    // 0.1 τ per frame: τa = 0.5 (5 frames), τb = 2 (20 frames); every 4th frame an origin.
    const r = runCli(['dataset', traj, '--set', 'compact', '--tau', '2', '--tau-short', '0.5', '--out', out, '--origin-stride', '4', '--temperature', '1', '--timestep', '0.005', '--no-transport', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const ds = JSON.parse(fs.readFileSync(path.join(out, 'dataset.json'), 'utf8'));
    assert.equal(ds.tauShort, 0.5);
    assert.match(ds.lambdaDefinition, /τa = 0.5/);
    const sys = ds.systems[0];
    const frames = JSON.parse(fs.readFileSync(path.join(out, 'tiny-lb2', 'frames.json'), 'utf8'));
    const d = parseDump(traj);
    const N = d.q.length, K = 1 / (6 * 16);
    const J = (a: number[], b: number[]) => [0, 1, 2].map((x) => d.q.reduce((acc, z, i) => acc + z * (b[3 * i + x] - a[3 * i + x]), 0));
    let sumAll = 0, slope = 0;
    for (const s of ['1', '2']) {
      const lam = readNpy(path.join(out, 'tiny-lb2', `lambda-${s}.npy`));
      const atoms = frames.rows[s] as number[];
      frames.frames.forEach((f0: number, o: number) => {
        const r0 = d.pos[f0], ra = d.pos[f0 + 5], rb = d.pos[f0 + 20];
        const Ja = J(r0, ra), Jb = J(r0, rb);
        if (s === '1') slope += (K * (Jb.reduce((a, v) => a + v * v, 0) - Ja.reduce((a, v) => a + v * v, 0))) / 1.5;
        atoms.forEach((i, k) => {
          const dot = (r: number[], Jv: number[]) => [0, 1, 2].reduce((acc, x) => acc + (r[3 * i + x] - r0[3 * i + x]) * Jv[x], 0);
          const expected = (K * N * d.q[i] * (dot(rb, Jb) - dot(ra, Ja))) / 1.5;
          const got = lam.data[o * 16 + k];
          assert.ok(Math.abs(got - expected) <= 1e-9 * (Math.abs(expected) + 1e-3), `λ origin ${o} atom ${i}: ${got} vs ${expected}`);
          sumAll += got;
        });
      });
    }
    const nOrig = frames.frames.length;
    // The exact sum rule: the mean over ions is the two-point EH slope K(|J_b|² − |J_a|²)/(τb − τa).
    assert.ok(Math.abs(sumAll / (nOrig * N) - slope / nOrig) <= 1e-12 * Math.abs(slope / nOrig), `${sumAll / (nOrig * N)} vs ${slope / nOrig}`);
    assert.ok(Math.abs(sys.ehAtTau - slope / nOrig) <= 1e-12 * Math.abs(slope / nOrig));
    assert.ok(sys.sumRuleRelativeError < 1e-13, `sum rule ${sys.sumRuleRelativeError}`);
    const bad = runCli(['dataset', traj, '--set', 'compact', '--tau', '2', '--tau-short', '2', '--out', path.join(dir, 'ds-bad'), '--temperature', '1', '--timestep', '0.005', '--no-transport']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--tau-short 2 must be .* shorter than --tau 2/);
  });

  it('⟨λ⟩ with every origin equals ionfield transport’s Einstein–Helfand estimate at lag τ', async () => {
    const out = path.join(dir, 'ds-all');
    const r = runCli(['dataset', traj, '--set', 'compact', '--tau', '1', '--out', out, '--temperature', '1', '--timestep', '0.005', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const sys = JSON.parse(fs.readFileSync(path.join(out, 'dataset.json'), 'utf8')).systems[0];
    assert.equal(sys.frames, 71);
    const rep = await computeTransport(traj, { temperature: 1, units: 'lj', timestep: 0.005 });
    const k = rep.curves.time.findIndex((t) => Math.abs(t - 1) < 1e-9);
    assert.ok(k >= 0, 'transport has lag 1');
    assert.equal(rep.curves.origins[k], 71);
    const eh = rep.curves.chargeMsd[k] / (6 * 1 * 16 * 1);
    assert.ok(Math.abs(sys.lambdaMean - eh) <= 1e-9 * Math.abs(eh), `⟨λ⟩ ${sys.lambdaMean} vs transport ${eh}`);
    assert.ok(sys.lambdaEh && sys.lambdaEh.source.startsWith('ionfield transport'));
  });

  it('rejects a τ that is not a whole number of frames and a trajectory shorter than τ', () => {
    const bad = runCli(['dataset', traj, '--set', 'compact', '--tau', '0.25', '--out', path.join(dir, 'bad'), '--temperature', '1', '--timestep', '0.005']);
    assert.equal(bad.status, 2, bad.stderr);
    assert.match(bad.stderr, /whole number of frames/);
    const short = runCli(['dataset', traj, '--set', 'compact', '--tau', '100', '--out', path.join(dir, 'bad2'), '--temperature', '1', '--timestep', '0.005']);
    assert.equal(short.status, 1, short.stderr);
    assert.match(short.stderr, /shorter than τ/);
    // A missing frame would change the lag silently: refused, naming the frame.
    const blocks = fs.readFileSync(traj, 'utf8').split(/(?=ITEM: TIMESTEP)/);
    const gap = path.join(dir, 'gap.lammpstrj');
    fs.writeFileSync(gap, blocks.filter((_, k) => k !== 10).join(''));
    const g = runCli(['dataset', gap, '--set', 'compact', '--tau', '1', '--out', path.join(dir, 'bad3'), '--temperature', '1', '--timestep', '0.005', '--no-transport']);
    assert.equal(g.status, 1, g.stderr);
    assert.match(g.stderr, /frame 10 is at step .*evenly spaced/);
    assert.ok(!fs.existsSync(path.join(dir, 'bad3', 'gap', 'system.json')), 'no half-written system');
  });
});

describe('dataset: the committed family subset (packed XTC + topology + manifest)', function () {
  this.timeout(60_000);
  const family = path.join(repoRoot, 'data', 'family');
  const subset = path.join(family, 'subset');
  const files = fs.existsSync(subset) ? fs.readdirSync(subset).filter((f) => f.endsWith('.xtc')).map((f) => path.join(subset, f)) : [];

  it('builds from the packed files with the manifest: parameters, Λ_EH and the sum rule', () => {
    assert.ok(files.length >= 2, 'data/family/subset holds packed systems');
    const out = path.join(tempDir('ionfield-dataset-subset-'), 'ds');
    const r = runCli(['dataset', ...files, '--set', 'compact', '--tau', '10', '--origin-stride', '2', '--manifest', path.join(family, 'manifest.json'), '--out', out, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const ds = JSON.parse(fs.readFileSync(path.join(out, 'dataset.json'), 'utf8'));
    assert.equal(ds.tauFrames, 5); // packed frames are 2 τ apart
    const manifest = JSON.parse(fs.readFileSync(path.join(family, 'manifest.json'), 'utf8'));
    for (const sys of ds.systems) {
      const m = manifest.systems.find((s: { name: string }) => s.name === sys.name);
      assert.ok(m, `${sys.name} is in the manifest`);
      assert.equal(sys.parameters.rho, m.parameters.rho);
      assert.equal(sys.lambdaEh.source, 'manifest');
      assert.equal(sys.lambdaEh.value, m.transport.lambdaEh.value);
      assert.equal(sys.ions['1'] + sys.ions['2'], m.parameters.ncat + m.parameters.nan);
      assert.ok(sys.sumRuleRelativeError < 1e-12, `${sys.name}: sum rule ${sys.sumRuleRelativeError}`);
      assert.equal(sys.frames, 73); // 150 frames, origins 0, 2, ..., 144
      const lam = readNpy(path.join(out, sys.name, 'lambda-1.npy'));
      assert.deepEqual(lam.shape, [73, sys.ions['1']]);
    }
    // A sharper reference (a longer run, summarize.ts) reaches a rebuild without rebuilding descriptors.
    const name = ds.systems[0].name;
    const sharper = { ...manifest, systems: manifest.systems.map((s: { name: string; transport: { lambdaEh: object } }) => (s.name === name ? { ...s, transport: { ...s.transport, lambdaEh: { value: 1.2345, error: 0.0321 } } } : s)) };
    const sharperFile = path.join(path.dirname(out), 'manifest.json');
    fs.writeFileSync(sharperFile, JSON.stringify(sharper));
    const again = runCli(['dataset', ...files, '--set', 'compact', '--tau', '10', '--origin-stride', '2', '--manifest', sharperFile, '--out', out, '--json']);
    assert.equal(again.status, 0, again.stderr);
    assert.ok(JSON.parse(again.stdout).systems.every((s: { skipped: boolean }) => s.skipped), 'every system kept');
    const ds2 = JSON.parse(fs.readFileSync(path.join(out, 'dataset.json'), 'utf8'));
    assert.deepEqual(ds2.systems.find((s: { name: string }) => s.name === name).lambdaEh, { value: 1.2345, error: 0.0321, source: 'manifest' });
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(out, name, 'system.json'), 'utf8')).lambdaEh.value, 1.2345);
  });

  it('every command finds the topology beside a packed XTC: species, charges, coordinates read as stored', async () => {
    const { openTrajectory } = await import('../lib/trajectory');
    const traj = openTrajectory(files[0]);
    const topology = JSON.parse(fs.readFileSync(files[0].replace(/\.xtc$/, '.topology.json'), 'utf8'));
    let seen = 0;
    for await (const batch of traj.batches(8)) {
      assert.deepEqual(batch.types, topology.types);
      assert.equal(batch.charges![0], topology.charges[topology.types[0]]);
      seen += batch.frames;
      break;
    }
    assert.ok(seen > 0);
    assert.equal(traj.unwrapReport().method, 'none', 'continuous coordinates are not unwrapped again');
    // transport with no --topology: the same species and charges, so Λ is defined.
    const r = runCli(['transport', files[0], '--units', 'lj', '--temperature', '1', '--fit-start', '3', '--fit-stop', '12', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const t = JSON.parse(r.stdout);
    assert.deepEqual(t.species.map((s: { label: string; charge: number }) => [s.label, s.charge]), Object.entries(topology.charges).sort());
    assert.ok(Number.isFinite(t.molarConductivity.value) && t.molarConductivity.value > 0);
  });
});
