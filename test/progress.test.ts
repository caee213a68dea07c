// One progress shape for every long call: { stage, done, total, unit }, done non-decreasing within a
// stage and equal to total at the end where total is known; the same events as an async iterable.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { computeTransport, convertTrajectory, defaultModelPath, kinosons, predictTrajectory, trajectoryInfo, withProgress, writeDescriptors } from '../lib/index';
import type { Progress } from '../lib/index';
import { repoRoot, tempDir } from './helpers/paths';

const demo = path.join(repoRoot, 'data', 'demo', 'electrolyte.lammpstrj.gz');
const UNITS = ['frames', 'steps', 'systems', 'trajectories', 'states', 'models', 'epochs'];

function checkEvents(events: Progress[], what: string): void {
  assert.ok(events.length > 0, `${what}: no progress events`);
  const last = new Map<string, Progress>();
  for (const p of events) {
    assert.deepEqual(Object.keys(p).sort(), ['done', 'stage', 'total', 'unit'], `${what}: ${JSON.stringify(p)}`);
    assert.equal(typeof p.stage, 'string');
    assert.ok(Number.isFinite(p.done) && p.done >= 0);
    assert.ok(p.total === null || (Number.isFinite(p.total) && p.total >= p.done), `${what}: ${JSON.stringify(p)}`);
    assert.ok(UNITS.includes(p.unit), p.unit);
    const before = last.get(p.stage);
    if (before) assert.ok(p.done >= before.done, `${what}: done went back in stage ${p.stage}: ${before.done} → ${p.done}`);
    last.set(p.stage, p);
  }
  for (const [stage, p] of last) if (p.total !== null) assert.equal(p.done, p.total, `${what}: stage ${stage} ended at ${p.done} of ${p.total}`);
}

describe('progress: one shape on every long call', function () {
  this.timeout(120_000);

  it('trajectoryInfo, computeTransport, writeDescriptors, convertTrajectory report frames', async () => {
    const dir = tempDir('ionfield-progress-');
    const seen: Record<string, Progress[]> = { info: [], transport: [], descriptors: [], convert: [] };
    const info = await trajectoryInfo(demo, { onProgress: (p) => seen.info.push(p) });
    await computeTransport(demo, { temperature: 1, units: 'lj', onProgress: (p) => seen.transport.push(p) });
    await writeDescriptors(demo, path.join(dir, 'd.npy'), { set: 'compact', stop: 200, onProgress: (p) => seen.descriptors.push(p) });
    await convertTrajectory(demo, path.join(dir, 'c.xyz'), { stop: 300, onProgress: (p) => seen.convert.push(p) });
    for (const [what, events] of Object.entries(seen)) checkEvents(events, what);
    assert.equal(seen.info.at(-1)!.done, info.frames);
    assert.equal(seen.transport.at(-1)!.done, 3001);
    assert.equal(seen.descriptors.at(-1)!.done, 200);
    assert.equal(seen.convert.at(-1)!.done, 300);
  });

  it('kinosons runKmc reports steps up to the total', async () => {
    const events: Progress[] = [];
    const c = kinosons.loadConfig(path.join(repoRoot, 'data', 'kinosons', 'binary-arrhenius.json'));
    await kinosons.runKmc({ ...c, kmc: { ...c.kmc, steps: 20_000, trajectories: 4 } }, 1000, { onProgress: (p) => events.push(p) });
    checkEvents(events, 'runKmc');
    assert.deepEqual({ ...events.at(-1)! }, { stage: 'kmc', done: 80_000, total: 80_000, unit: 'steps' });
  });

  it('predictTrajectory reports frames, and labels its stage timings as wall-clock seconds', async () => {
    const events: Progress[] = [];
    const r = await predictTrajectory(demo, { model: defaultModelPath(), units: 'lj', stop: 100, onProgress: (p) => events.push(p) });
    checkEvents(events, 'predict');
    assert.equal(events.at(-1)!.done, 100);
    assert.equal(r.stagesClock, 'wall');
    assert.deepEqual(Object.keys(r.stages).sort(), ['descriptors', 'inference', 'read', 'write']);
  });

  it('withProgress: the same events as an async iterable, then the result', async () => {
    const direct: Progress[] = [];
    await computeTransport(demo, { temperature: 1, units: 'lj', onProgress: (p) => direct.push(p) });
    const run = withProgress((o) => computeTransport(demo, { temperature: 1, units: 'lj', ...o }));
    const events: Progress[] = [];
    for await (const p of run.progress) events.push(p);
    const report = await run.result;
    assert.ok(report.molarConductivity);
    assert.deepEqual(events, direct);
  });

  it('withProgress passes the signal: abort ends the iteration and rejects the result', async () => {
    const controller = new AbortController();
    const run = withProgress((o) => computeTransport(demo, { temperature: 1, units: 'lj', batchSize: 8, ...o }), { signal: controller.signal });
    let n = 0;
    for await (const _ of run.progress) if (++n === 3) controller.abort();
    await assert.rejects(run.result, { name: 'AbortError' });
  });
});
