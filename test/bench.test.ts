// `ionfield bench --quick --json`: the schema a suite runner relies on and sanity of the numbers.
// No timing is asserted (CI machines are shared and slow); only that every case ran and reported.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from './helpers/cli';

describe('ionfield bench', function () {
  this.timeout(120_000);

  it('--quick --json runs every case and writes the documented record', function () {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ionfield-bench-test-')), 'bench.json');
    const r = runCli(['bench', '--quick', '--json', '--threads', '1', '--out', out], { timeoutMs: 110_000 });
    assert.equal(r.status, 0, r.stderr);
    const rec = JSON.parse(r.stdout);
    assert.deepEqual(JSON.parse(fs.readFileSync(out, 'utf8')).results.length, rec.results.length, '--out holds the same record');
    assert.equal(rec.schema, 'ionfield.bench/2');
    assert.deepEqual(rec.command.slice(0, 4), ['ionfield', 'bench', '--quick', '--json']);
    for (const k of ['cpuModel', 'logicalCpus', 'memoryGib', 'loadAverage', 'nvidiaDriver', 'gpus', 'gpuNote']) assert.ok(k in rec.machine, `machine.${k}`);
    for (const k of ['ionfield', 'node', 'onnxruntimeNode', 'compiler', 'builtWithCuda', 'cudaCompiler', 'cudaRuntime', 'cudaDriver', 'gitCommit']) assert.ok(k in rec.software, `software.${k}`);
    assert.ok(rec.machine.logicalCpus >= 1);
    assert.match(rec.software.compiler, /\S/);
    assert.equal(rec.failures, 0);
    const cases = new Set(rec.results.map((x: { case: string }) => x.case));
    assert.deepEqual([...cases].sort(), ['kmc', 'nl', 'predict', 'sf', 'transport']);
    for (const x of rec.results) {
      const what = `${x.case} ${x.size} ${x.device}`;
      assert.equal(x.error, null, what);
      assert.ok(x.seconds.repeats >= 1, what);
      assert.ok(x.seconds.min > 0 && x.seconds.min <= x.seconds.median && x.seconds.median <= x.seconds.max, what);
      assert.ok(x.throughput.value > 0 && Number.isFinite(x.throughput.value), what);
      assert.ok(['cpu', 'cuda'].includes(x.device), what);
    }
    const nl = rec.results.find((x: { case: string; size: number }) => x.case === 'nl' && x.size === 10000);
    // Uniform random ions: the half-list pair count is the ideal-gas count to a few per cent.
    assert.ok(Math.abs(nl.checks.pairs / nl.checks.pairsExpectedUniform - 1) < 0.05, JSON.stringify(nl.checks));
    for (const x of rec.results.filter((y: { case: string }) => y.case === 'sf')) assert.equal(x.checks.nonFinite, 0);
    for (const x of rec.results.filter((y: { case: string }) => y.case === 'predict')) assert.equal(x.checks.lambdaMlFinite, true);
    // CUDA is timed exactly when the addon reports a usable GPU, and the record says why not otherwise.
    const gpu = rec.machine.gpus.length > 0;
    assert.equal(rec.results.some((x: { device: string }) => x.device === 'cuda'), gpu && rec.software.builtWithCuda);
    if (!gpu) assert.match(rec.machine.gpuNote, /\S/);
  });

  it('--input times NL and SF on the user\'s frame; bad input is one line naming the file', function () {
    const demo = path.join(__dirname, '..', 'data', 'demo', 'electrolyte.lammpstrj.gz');
    const r = runCli(['bench', '--quick', '--json', '--threads', '1', '--input', demo, '--cutoff', '4', '--repeats', '1']);
    assert.equal(r.status, 0, r.stderr);
    const rec = JSON.parse(r.stdout);
    assert.deepEqual(rec.results.map((x: { case: string }) => x.case).sort(), ['nl', 'sf']);
    for (const x of rec.results) {
      assert.equal(x.input, demo);
      assert.ok(x.size > 0);
    }
    const bad = runCli(['bench', '--input', '/nonexistent/frame.xyz']);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /\/nonexistent\/frame\.xyz/);
    assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
    const usage = runCli(['bench', '--cases', 'nope']);
    assert.equal(usage.status, 2);
  });
});
