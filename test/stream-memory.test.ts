// Streamed per-frame data (issue 15 item 5): the chunked .npy reader returns the whole read's
// values on any chunking; exact order statistics from passes equal a full sort; analyses of a field
// read from disk in chunks and training on a set left on disk give the in-memory results bit for
// bit; and training on a set larger than the bound stays under it (the whole-array path cannot:
// it holds the set, twice); the shared readout's moments (momentsOf) accumulate chunk by chunk to
// the same bits. Bad input still names the file.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeField, distributions, Field, loadField, openField, writeNpy } from '../lib/analysis';
import { orderStatistics } from '../lib/analysis/select';
import { gaussian, quantile, rng } from '../lib/analysis/stats';
import { loadDatasets } from '../lib/model/dataset';
import { trainModel } from '../lib/model/train';
import { openDatasets } from '../lib/model/dataset-files';
import { featureSubsets, trainingSystemsOf } from '../lib/model/nested';
import { datasetLayout, toSharedDataset } from '../lib/model/shared-dataset';
import { streamedTrainingSystem } from '../lib/model/shared-stream';
import { buildSharedModel } from '../lib/model/shared-model';
import { NpyWriter, npyDataSha256, readNpyArray } from '../lib/npy';
import { NpyFile } from '../lib/npy-file';
import { writeFieldInputs } from '../scripts/bench/stream-memory-inputs';
import { tempDir } from './helpers/paths';
import { writeSyntheticDataset } from './helpers/synthetic-dataset';

const root = path.resolve(__dirname, '..');

/** Splits [0, n) into random chunk lengths (1 … max). */
function randomChunks(n: number, max: number, u: () => number): number[] {
  const out: number[] = [];
  for (let left = n; left > 0; ) {
    const k = Math.min(left, 1 + Math.floor(u() * max));
    out.push(k);
    left -= k;
  }
  return out;
}

describe('stream: the chunked .npy reader', () => {
  it('returns the whole read on random chunkings, for float32/float64/int32 and 1–3 dimensions', () => {
    const dir = tempDir('ionfield-stream-npy-');
    const u = rng(3);
    const cases: { shape: number[]; make: (n: number) => Float64Array | Float32Array | Int32Array }[] = [
      { shape: [97], make: (n) => Float64Array.from({ length: n }, () => u() - 0.5) },
      { shape: [53, 7], make: (n) => Float32Array.from({ length: n }, () => u() * 100) },
      { shape: [41, 5, 3], make: (n) => Int32Array.from({ length: n }, () => Math.floor(u() * 1e6) - 5e5) },
      { shape: [0, 4], make: () => new Float64Array(0) },
    ];
    for (const [k, c] of cases.entries()) {
      const file = path.join(dir, `a${k}.npy`);
      const data = c.make(c.shape.reduce((a, b) => a * b, 1));
      writeNpy(file, { shape: c.shape, data });
      const whole = readNpyArray(file);
      const npy = NpyFile.open(file);
      try {
        assert.deepEqual(npy.shape, whole.shape);
        for (let trial = 0; trial < 5; trial++) {
          const got: number[] = [];
          let first = 0;
          const buffer = new ArrayBuffer(64 * npy.rowLength * npy.itemBytes);
          for (const count of randomChunks(npy.rows, 11, u)) {
            got.push(...npy.readRows(first, count, trial % 2 ? buffer : undefined));
            first += count;
          }
          assert.deepEqual(got, Array.from(whole.data), `${c.shape} trial ${trial}`);
          const viaChunks: number[] = [];
          for (const ch of npy.chunks(1 + Math.floor(u() * 9))) viaChunks.push(...ch.data);
          assert.deepEqual(viaChunks, Array.from(whole.data));
        }
      } finally {
        npy.close();
      }
      const offset = NpyFile.open(file);
      offset.close();
      const sha = createHash('sha256').update(fs.readFileSync(file).subarray(offset.dataOffset)).digest('hex');
      assert.equal(npyDataSha256(file), sha, 'checksum read in chunks = over the whole data');
    }
  });

  it('refuses bad files with the file named, as the whole read does', () => {
    const dir = tempDir('ionfield-stream-npy-bad-');
    const file = path.join(dir, 'cut.npy');
    writeNpy(file, { shape: [10, 3], data: new Float64Array(30) });
    fs.truncateSync(file, fs.statSync(file).size - 8);
    assert.throws(() => NpyFile.open(file), (e: Error) => e.message.startsWith(`${file}: not a readable .npy array: shape (10, 3) needs 240 data bytes, the file has 232`));
    assert.throws(() => readNpyArray(file), /needs 240 data bytes, the file has 232/);
    fs.writeFileSync(file, 'not an array');
    assert.throws(() => NpyFile.open(file), new RegExp(`^Error: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not a readable .npy array: missing the`));
    const ok = path.join(dir, 'ok.npy');
    writeNpy(ok, { shape: [4, 2], data: new Float64Array(8) });
    const npy = NpyFile.open(ok);
    assert.throws(() => npy.readRows(3, 2), /ok\.npy: rows \[3, 5\) outside the array's 4/);
    npy.close();
  });
});

describe('stream: exact order statistics from passes', () => {
  it('equal a full sort, with ties, outliers and any chunking of the passes', () => {
    const u = rng(17);
    const normal = gaussian(rng(18));
    for (const n of [1, 2, 7, 1000, 150_000]) {
      // Rounded values make ties; a few huge outliers stretch the first buckets.
      const x = Float64Array.from({ length: n }, (_, i) => (i % 997 === 5 ? 1e9 * normal() : Math.round(normal() * 50) / 10));
      const sorted = Float64Array.from(x).sort();
      const ranks = [...new Set([0, n - 1, Math.floor(n / 2), Math.floor(n * 0.01), Math.floor(n * 0.999), Math.floor(u() * n)])];
      const chunks = randomChunks(n, 5000, u);
      const pass = function* () {
        let at = 0;
        for (const k of chunks) {
          yield x.subarray(at, at + k);
          at += k;
        }
      };
      const got = orderStatistics(pass, n, ranks, sorted[0], sorted[n - 1]);
      assert.deepEqual(got, ranks.map((r) => sorted[r]), `n = ${n}`);
    }
    // Only zeros of both signs, more than one collection holds: −0 ranks before +0 as in a sort.
    const zeros = Float64Array.from({ length: 100_000 }, () => (u() < 0.3 ? -0 : 0));
    const sortedZeros = Float64Array.from(zeros).sort();
    const zr = [0, 29_000, 31_000, 99_999];
    assert.deepEqual(orderStatistics(() => [zeros], zeros.length, zr, 0, 0).map((v) => Object.is(v, -0)), zr.map((r) => Object.is(sortedZeros[r], -0)));
  });

  it('distributions() equal the sort-everything computation they replaced', () => {
    const u = rng(5);
    const n = 40, frames = 300;
    const values = Float64Array.from({ length: frames * n }, (_, k) => (k % n === 3 ? NaN : -Math.log(1 - u()) * (k % 2 ? 1 : 2)));
    const species = Array.from({ length: n }, (_, i) => (i % 2 ? 'A' : 'C'));
    const field: Field = { frames, natoms: n, values, positions: new Float64Array(frames * n * 3), boxes: new Float64Array(frames * 9), species, charges: new Float64Array(n) };
    for (const d of distributions(field)) {
      const samples: number[] = [];
      for (let f = 0; f < frames; f++) for (let i = 0; i < n; i++) if (species[i] === d.species && Number.isFinite(values[f * n + i])) samples.push(values[f * n + i]);
      const sorted = Float64Array.from(samples).sort();
      assert.equal(d.samples, sorted.length);
      assert.deepEqual(d.quantiles, Object.fromEntries([0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99].map((q) => [`q${String(Math.round(q * 100)).padStart(2, '0')}`, quantile(sorted, q)])));
      const lo = quantile(sorted, 0.001), hi = quantile(sorted, 0.999), width = (hi - lo) / 60;
      const density = new Array<number>(60).fill(0);
      for (const v of sorted) {
        const k = Math.floor((v - lo) / width);
        if (k >= 0 && k < 60) density[k] += 1 / (sorted.length * width);
      }
      assert.deepEqual(d.histogram.density, density, 'histogram bit for bit');
      for (const t of d.fractionBelow) assert.equal(t.fraction, sorted.filter((v) => v < t.threshold).length / sorted.length, t.label);
    }
  });
});

describe('stream: analyses from disk = in memory', function () {
  this.timeout(120_000);
  it('analyzeField on openField (chunks from disk) gives the loadField result bit for bit; bad values name the file', async () => {
    const dir = tempDir('ionfield-stream-field-');
    const { trajectory, topology, field } = writeFieldInputs(dir, 64, 150, 4);
    // An ion left out (NaN in every frame), in a float32 field as predict writes it.
    const a = readNpyArray(field);
    for (let f = 0; f < 150; f++) a.data[f * 64 + 5] = NaN;
    writeNpy(field, a);
    const types = JSON.parse(fs.readFileSync(topology, 'utf8')).types as string[];
    const options = { types, charges: { '1': 1, '2': -1 } };
    const analysis = { rMax: 2.5, bins: 25, blocks: 7 };
    const whole = await analyzeField(await loadField(trajectory, field, options), analysis);
    for (const batch of [1, 5, 32]) {
      const disk = await openField(trajectory, field, options);
      try {
        assert.deepEqual(await analyzeField(disk, { ...analysis, batch }), whole, `batch ${batch}`);
      } finally {
        disk.close();
      }
    }
    assert.ok(whole.clusters, 'the ion-pair classification ran');
    // An infinity in frame 90 of ion 7 and a NaN in frame 120 of ion 2: the first by ion, then frame.
    a.data[90 * 64 + 7] = Infinity;
    a.data[120 * 64 + 2] = NaN;
    writeNpy(field, a);
    const message = /field\.npy: element \[120, 2\] \(frame 120, ion 2\) is NaN; expected a finite number/;
    await assert.rejects(loadField(trajectory, field, options), message);
    await assert.rejects(openField(trajectory, field, options), message);
    const before = fs.readdirSync(require('node:os').tmpdir()).filter((d) => d.startsWith('ionfield-field-')).length;
    await assert.rejects(openField(trajectory, path.join(dir, 'missing.npy'), options), /missing\.npy/);
    assert.equal(fs.readdirSync(require('node:os').tmpdir()).filter((d) => d.startsWith('ionfield-field-')).length, before, 'no scratch folder left behind');
  });
});

describe('stream: the analysis scratch folder', function () {
  this.timeout(120_000);
  it('is removed when `ionfield analyze` is interrupted (SIGTERM) mid-run', async () => {
    const { spawn } = await import('node:child_process');
    const os = await import('node:os');
    const { cliPath } = await import('./helpers/paths');
    const dir = tempDir('ionfield-stream-sigterm-');
    const { trajectory, topology, field } = writeFieldInputs(dir, 400, 1500, 8);
    const scratch = () => fs.readdirSync(os.tmpdir()).filter((d) => d.startsWith('ionfield-field-')).sort();
    const before = scratch();
    const child = spawn(process.execPath, [cliPath, 'analyze', trajectory, '--field', field, '--topology', topology, '--charges', '1:1,2:-1', '--out', path.join(dir, 'out'), '--r-max', '3'], { env: { ...process.env, IONFIELD_NO_PROGRESS: '1' } });
    let stderr = '';
    child.stderr.on('data', (b) => (stderr += b));
    // Wait until the scratch folder exists (the trajectory is being spilled or analysed), then stop it.
    for (let t = 0; t < 400 && scratch().length === before.length; t++) await new Promise((r) => setTimeout(r, 25));
    assert.ok(scratch().length > before.length, 'the run made its scratch folder');
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    assert.equal(code, 143, stderr);
    assert.deepEqual(scratch(), before, 'no scratch folder left behind');
  });
});

describe('stream: training on a set left on disk', function () {
  this.timeout(180_000);
  let folder: string;
  before(() => {
    folder = writeSyntheticDataset(path.join(tempDir('ionfield-stream-train-'), 'ds'), [
      { name: 'a', frames: 45, ions: { '1': 8, '2': 8 }, noise: 1.0, seed: 1 },
      { name: 'b', frames: 38, ions: { '1': 6, '2': 0 }, noise: 1.0, seed: 2 },
      { name: 'held', frames: 50, ions: { '1': 7, '2': 7 }, noise: 1.0, seed: 4 },
    ]);
  });

  for (const objective of ['per-ion', 'global'] as const)
    it(`gives the in-memory model and report bit for bit (${objective})`, async () => {
      const options = { holdout: ['held'], epochs: 3, hidden: [8, 4], seed: 3, patience: 0, batchFrames: 7, objective, threads: 2 };
      const memory = await trainModel(loadDatasets([folder]), options);
      const disk = await trainModel([folder], options);
      assert.deepEqual(Array.from(disk.model.params), Array.from(memory.model.params));
      assert.deepEqual(disk.model.featureMean, memory.model.featureMean);
      assert.equal(disk.model.targetScale, memory.model.targetScale);
      assert.deepEqual({ ...disk.report, seconds: 0, secondsPerEpoch: 0 }, { ...memory.report, seconds: 0, secondsPerEpoch: 0 });
    });

  it('resumes an in-memory run\'s checkpoint from disk (same fingerprint) and ends where an uninterrupted run ends', async () => {
    const checkpoint = path.join(tempDir('ionfield-stream-ckpt-'), 'train.ckpt');
    const options = { holdout: ['held'], hidden: [6], seed: 9, patience: 0, batchFrames: 5, threads: 1 };
    await trainModel(loadDatasets([folder]), { ...options, epochs: 2, checkpoint });
    const resumed = await trainModel([folder], { ...options, epochs: 4, checkpoint });
    assert.equal(resumed.report.resumedFromEpoch, 2);
    const straight = await trainModel(loadDatasets([folder]), { ...options, epochs: 4 });
    assert.deepEqual(Array.from(resumed.model.params), Array.from(straight.model.params));
  });

  it('the shared readout\'s moments and species means from disk, chunk by chunk, equal momentsOf on the whole arrays', () => {
    const dataset = loadDatasets([folder]);
    const layout = datasetLayout(dataset.manifest);
    const subsets = featureSubsets(layout);
    const whole = trainingSystemsOf(toSharedDataset(dataset).systems, subsets);
    const disk = openDatasets([folder]);
    const u = rng(21);
    for (const [k, s] of disk.systems.entries())
      for (const chunk of [1, 1 + Math.floor(u() * 10), s.frames]) assert.deepEqual(streamedTrainingSystem(s, disk.manifest, layout, subsets, chunk), whole[k], `${s.name}, ${chunk} frames per chunk`);
  });

  it('buildSharedModel on a set left on disk gives the in-memory model, ONNX bytes and all', () => {
    const dir = writeSyntheticDataset(path.join(tempDir('ionfield-stream-shared-'), 'ds'), Array.from({ length: 6 }, (_, k) => ({ name: `s${k}`, frames: 20 + 3 * k, ions: { '1': 4 + k, '2': 4 + k }, noise: 0.5, seed: 30 + k })));
    const calibration = { k: 1, f: 0.1, source: 'test' };
    const memory = buildSharedModel(loadDatasets([dir]), calibration, { innerFolds: 3 });
    const disk = buildSharedModel(openDatasets([dir]), calibration, { innerFolds: 3 });
    assert.ok(Buffer.from(disk.onnx).equals(Buffer.from(memory.onnx)), 'same ONNX bytes');
  });

  it('names the file when an array is bad, as loadDatasets does', async () => {
    const dir = writeSyntheticDataset(path.join(tempDir('ionfield-stream-bad-'), 'ds'), [{ name: 'a', frames: 5, ions: { '1': 2, '2': 2 }, noise: 0, seed: 1 }, { name: 'b', frames: 5, ions: { '1': 2, '2': 2 }, noise: 0, seed: 2 }]);
    const lambda = path.join(dir, 'a', 'lambda-1.npy');
    const w = new NpyWriter(lambda, 'float64', [2]);
    w.append(Float64Array.from([1, 2, 3, Infinity, 5, 6, 7, 8, 9, 10]), 5);
    w.close();
    const message = /lambda-1\.npy: non-finite value at flat index 3/;
    assert.throws(() => loadDatasets([dir]), message);
    await assert.rejects(trainModel([dir], { holdout: ['b'], epochs: 1 }), message);
    const w2 = new NpyWriter(lambda, 'float64', [3]);
    w2.append(new Float64Array(15), 5);
    w2.close();
    await assert.rejects(trainModel([dir], { holdout: ['b'], epochs: 1 }), /lambda-1\.npy: shape \(5, 3\), expected \(5, 2\)/);
  });

  it('keeps peak RSS far below the training set (a child process training on ~300 MB of features)', function () {
    // The whole-array path holds every array (and the trainer a copy): > 300 MB for this set.
    // Streamed, the process's peak is Node + ONNX/addon + a few MB of chunks (~110 MB here).
    const dir = tempDir('ionfield-stream-big-');
    const frames = 600, ions = 400, F = 80; // per species: 600 × 400 × 80 × 4 B = 77 MB; 2 species, 2 systems
    const manifestSystems = ['a', 'b'].map((name, s) => {
      const sdir = path.join(dir, name);
      fs.mkdirSync(sdir, { recursive: true });
      let seed = 1 + s;
      const next = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
      for (const sp of ['1', '2']) {
        const fw = new NpyWriter(path.join(sdir, `features-${sp}.npy`), 'float32', [ions, F]);
        const lw = new NpyWriter(path.join(sdir, `lambda-${sp}.npy`), 'float64', [ions]);
        const x = new Float32Array(50 * ions * F);
        const l = new Float64Array(50 * ions);
        for (let t = 0; t < frames; t += 50) {
          for (let k = 0; k < x.length; k++) x[k] = next();
          for (let k = 0; k < l.length; k++) l[k] = x[k * F] + 0.1 * next();
          fw.append(x, 50 * 1);
          lw.append(l, 50);
        }
        fw.close();
        lw.close();
      }
      return { name, frames, ions: { '1': ions, '2': ions }, charges: { '1': 1, '2': -1 }, formulaUnits: ions };
    });
    const columns = (sp: string) => Array.from({ length: F }, (_, k) => ({ name: `G_${sp}_${k}` }));
    fs.writeFileSync(path.join(dir, 'dataset.json'), JSON.stringify({ schema: 'ionfield.dataset/2', descriptorSet: {}, featureColumns: { '1': columns('1'), '2': columns('2') }, species: ['1', '2'], tau: 1, tauFrames: 1, units: 'lj', systems: manifestSystems }));
    let bytes = 0;
    for (const s of ['a', 'b']) for (const f of fs.readdirSync(path.join(dir, s))) bytes += fs.statSync(path.join(dir, s, f)).size;
    assert.ok(bytes > 300e6, `the set is ${(bytes / 1e6).toFixed(0)} MB`);
    const child = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'scripts', 'bench', 'stream-memory-child.ts'), 'train', dir, 'b', 'stream'], { encoding: 'utf8', cwd: root, timeout: 120_000 });
    assert.equal(child.status, 0, child.stderr);
    const { maxRssMB } = JSON.parse(child.stdout.trim().split('\n').pop()!) as { maxRssMB: number };
    assert.ok(maxRssMB < 200, `peak RSS ${maxRssMB.toFixed(0)} MB training on ${(bytes / 1e6).toFixed(0)} MB (bound 200 MB)`);
  });
});
