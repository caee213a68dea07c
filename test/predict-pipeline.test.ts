// The predict pipeline's descriptor stage (serialStage): native calls run one at a time in call
// order, and the JavaScript that follows a call (building the model's input) runs while the next
// call is already under way — before, it ran first and the next call waited for it, which cost
// predict ~30 % of its throughput (BENCHMARKS.md, issue 16).
import { strict as assert } from 'node:assert';
import { serialStage } from '../lib/model/predict';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('predict pipeline: serial descriptor stage', () => {
  it('runs calls one at a time, in order, and starts the next before the previous caller goes on', async () => {
    const stages = { descriptors: 0 };
    const stage = serialStage(stages, () => Date.now() / 1000);
    const events: string[] = [];
    let running = 0;
    const work = (name: string) => async () => {
      running++;
      assert.equal(running, 1, `${name} overlaps another call`);
      events.push(`start ${name}`);
      await sleep(15);
      events.push(`end ${name}`);
      running--;
      return name;
    };
    const a = stage(work('a')).then((v) => events.push(`caller of ${v}`));
    const b = stage(work('b')).then((v) => events.push(`caller of ${v}`));
    const c = stage(work('c'));
    await Promise.all([a, b, c]);
    assert.deepEqual(events, ['start a', 'end a', 'start b', 'caller of a', 'end b', 'start c', 'caller of b', 'end c']);
    assert.ok(stages.descriptors >= 0.04, `timed ${stages.descriptors} s of calls`);
  });

  it('passes a failure to its caller and still runs the calls queued after it', async () => {
    const stage = serialStage({ descriptors: 0 }, () => 0);
    const failed = stage(async () => {
      throw new Error('bad frame');
    });
    const next = stage(async () => 'next');
    await assert.rejects(failed, /bad frame/);
    assert.equal(await next, 'next');
  });
});
