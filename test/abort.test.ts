// Every long call takes { signal }: aborting rejects it with the signal's reason (an 'AbortError'
// DOMException by default) within a second, leaves no temporary file in the output folder and
// never touches earlier outputs; native kinosons work stops (the process goes idle).
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  analyzeField, buildDataset, computeTransport, convertTrajectory, defaultModelPath, kinosons, loadField,
  predictTrajectory, trainModel, trajectoryInfo, writeDescriptors,
} from '../lib/index';
import type { LongCallOptions, Progress } from '../lib/index';
import { repoRoot, tempDir } from './helpers/paths';
import { writeSyntheticDataset } from './helpers/synthetic-dataset';

const demo = path.join(repoRoot, 'data', 'demo', 'electrolyte.lammpstrj.gz');
const LIMIT_MS = 1000;

interface Outcome {
  error: unknown;
  latencyMs: number;
}

/**
 * Starts a long call and aborts it after delayMs, or at its first progress event where delayMs is
 * 'first-progress' (calls that finish in less than 200 ms on the demo: the abort then lands while
 * they are surely running). Fails if the call settles before the abort.
 */
async function abortDuring(start: (o: Required<LongCallOptions>) => Promise<unknown>, delayMs: number | 'first-progress' = 200): Promise<Outcome> {
  const controller = new AbortController();
  let abortedAt = 0;
  const abort = () => {
    if (abortedAt) return;
    abortedAt = performance.now();
    controller.abort();
  };
  const timer = typeof delayMs === 'number' ? setTimeout(abort, delayMs) : null;
  const onProgress = (p: Progress) => {
    if (delayMs === 'first-progress' && p.done > 0) abort();
  };
  try {
    await start({ signal: controller.signal, onProgress });
  } catch (error) {
    assert.ok(abortedAt > 0, `the call failed before the abort: ${(error as Error).message}`);
    return { error, latencyMs: performance.now() - abortedAt };
  } finally {
    if (timer) clearTimeout(timer);
  }
  assert.fail(abortedAt ? 'the call resolved although it was aborted' : 'the call finished before the abort: make it longer');
}

function assertAborted(o: Outcome, what: string): void {
  assert.equal((o.error as Error).name, 'AbortError', `${what}: rejected with ${String(o.error)}`);
  assert.ok(o.latencyMs < LIMIT_MS, `${what}: rejected ${o.latencyMs.toFixed(0)} ms after abort()`);
  latencies[what] = Math.round(o.latencyMs);
}

/** An output folder holding one earlier output; after the abort it must hold exactly that, unchanged. */
function outputFolder(): { dir: string; check: () => void } {
  const dir = tempDir('ionfield-abort-');
  const earlier = path.join(dir, 'earlier.json');
  fs.writeFileSync(earlier, '{"kept": true}\n');
  return {
    dir,
    check: () => {
      assert.deepEqual(fs.readdirSync(dir), ['earlier.json'], `left behind in ${dir}`);
      assert.equal(fs.readFileSync(earlier, 'utf8'), '{"kept": true}\n');
    },
  };
}

/** CPU seconds (user + system) the process uses over the next `ms`: near 0 once native work stopped. */
async function cpuSecondsOver(ms: number): Promise<number> {
  const before = process.cpuUsage();
  await new Promise((r) => setTimeout(r, ms));
  const d = process.cpuUsage(before);
  return (d.user + d.system) / 1e6;
}

const latencies: Record<string, number> = {};

describe('abort: every long call rejects with AbortError within 1 s and cleans up', function () {
  this.timeout(120_000);
  after(() => console.log(`      abort latencies (ms): ${JSON.stringify(latencies)}`));

  it('an already-aborted signal rejects at once; a custom reason is what the call rejects with', async () => {
    await assert.rejects(computeTransport(demo, { temperature: 1, units: 'lj', signal: AbortSignal.abort() }), { name: 'AbortError' });
    const reason = new Error('user pressed stop');
    await assert.rejects(trajectoryInfo(demo, { signal: AbortSignal.abort(reason) }), (e) => e === reason);
  });

  it('trajectoryInfo (native scan)', async () => {
    assertAborted(await abortDuring((o) => trajectoryInfo(demo, o), 'first-progress'), 'trajectoryInfo');
  });

  it('computeTransport and accumulateTransport with a checkpoint: no temporary left, the earlier output kept', async () => {
    const out = outputFolder();
    const checkpoint = path.join(out.dir, 'run.partial.json');
    assertAborted(await abortDuring((o) => computeTransport(demo, { temperature: 1, units: 'lj', batchSize: 16, checkpoint, checkpointEvery: 1_000_000, ...o }), 'first-progress'), 'computeTransport');
    out.check();
  });

  it('writeDescriptors: the .npy and columns in progress are removed', async () => {
    const out = outputFolder();
    assertAborted(await abortDuring((o) => writeDescriptors(demo, path.join(out.dir, 'd.npy'), { set: 'compact', ...o })), 'writeDescriptors');
    out.check();
  });

  it('buildDataset: the system folder in progress is removed', async () => {
    const out = outputFolder();
    assertAborted(await abortDuring((o) => buildDataset([demo], path.join(out.dir, 'dataset'), { set: 'compact', tau: 1, temperature: 1, transport: false, ...o })), 'buildDataset');
    out.check();
  });

  it('predictTrajectory: the field in progress is removed', async () => {
    const out = outputFolder();
    assertAborted(await abortDuring((o) => predictTrajectory(demo, { model: defaultModelPath(), units: 'lj', out: path.join(out.dir, 'lambda.npy'), ...o })), 'predictTrajectory');
    out.check();
  });

  it('convertTrajectory: the output in progress is removed', async () => {
    const out = outputFolder();
    assertAborted(await abortDuring((o) => convertTrajectory(demo, path.join(out.dir, 'copy.lammpstrj'), { ...o }), 'first-progress'), 'convertTrajectory');
    out.check();
  });

  it('loadField and analyzeField', async () => {
    const dir = tempDir('ionfield-abort-field-');
    const field = path.join(dir, 'lambda.npy');
    await predictTrajectory(demo, { model: defaultModelPath(), units: 'lj', out: field, stop: 1500 });
    assertAborted(await abortDuring((o) => loadField(demo, field, { stop: 1500, ...o }), 'first-progress'), 'loadField');
    const loaded = await loadField(demo, field, { stop: 1500 });
    assertAborted(await abortDuring((o) => analyzeField(loaded, { ...o, batch: 4 }), 'first-progress'), 'analyzeField');
  });

  it('trainModel (native training loop)', async () => {
    const dir = tempDir('ionfield-abort-train-');
    const systems = Array.from({ length: 3 }, (_, k) => ({ name: `s${k}`, frames: 200, ions: { '1': 20, '2': 20 }, noise: 0.05, seed: k + 1 }));
    const folder = writeSyntheticDataset(path.join(dir, 'ds'), systems);
    const out = outputFolder();
    assertAborted(await abortDuring((o) => trainModel([folder], { holdout: ['s2'], epochs: 100_000, patience: 0, out: path.join(out.dir, 'model.onnx'), ...o })), 'trainModel');
    out.check();
  });

  describe('kinosons: the native worker stops (the process goes idle after the rejection)', () => {
    const config = () => {
      const c = kinosons.loadConfig(path.join(repoRoot, 'data', 'kinosons', 'binary-arrhenius.json'));
      return { ...c, kmc: { ...c.kmc, steps: 20_000_000 } };
    };

    it('runKmc', async () => {
      assertAborted(await abortDuring((o) => kinosons.runKmc(config(), 1000, o)), 'runKmc');
      const cpu = await cpuSecondsOver(1000);
      assert.ok(cpu < 0.25, `the process used ${cpu.toFixed(2)} CPU s in the second after the rejection`);
    });

    it('runFit (swap MC, variational fits)', async () => {
      assertAborted(await abortDuring((o) => kinosons.runFit(config(), 1000, { kind: 'tracer', species: 'A' }, o)), 'runFit');
      const cpu = await cpuSecondsOver(1000);
      assert.ok(cpu < 0.25, `the process used ${cpu.toFixed(2)} CPU s in the second after the rejection`);
    });

    it('correlationFactor and sampleStates', async () => {
      assertAborted(await abortDuring((o) => kinosons.correlationFactor({ lattice: 'fcc', supercell: 6, steps: 50_000_000, trajectories: 8 }, o)), 'correlationFactor');
      // An interacting alloy: the states come from swap Monte Carlo chains.
      const c = kinosons.loadConfig(path.join(repoRoot, 'data', 'kinosons', 'cocrfemnni-illustrative.json'));
      assertAborted(await abortDuring((o) => kinosons.sampleStates({ ...c, states: { ...c.states, decorrelationSweeps: 10_000 } }, 1000, 100_000, o)), 'sampleStates');
      const cpu = await cpuSecondsOver(1000);
      assert.ok(cpu < 0.25, `the process used ${cpu.toFixed(2)} CPU s in the second after the rejection`);
    });
  });
});
