// `kinosons fit --shard i/n` merged by `ionfield merge` in any order and grouping gives the single
// run's `fit --json` (but for clock values): the shards own whole accumulation lanes of the
// training sums, so the normal equations, coefficients, validation values, their errors and the
// kinosons are the single run's bit for bit (the requirement is 1e-12 relative; checked both ways).
// Also: state files (--training/--validation), the collective target and the harmonic corrector;
// refusals of other inputs/options, too many shards and unshardable models (networks, residual
// bias); and `ionfield slurm kinosons fit --executor local`.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli } from './helpers/cli';
import { fixturesDir, tempDir } from './helpers/paths';
import { cli, mergeRandomly, rng, runShards } from './helpers/shards';

const interacting = path.join(fixturesDir, 'kinosons', 'interacting-small.json');
const network = path.join(fixturesDir, 'kinosons', 'binary-network.json');

/** Clock values: wall seconds differ between any two runs. */
const CLOCKS = new Set(['samplingSeconds', 'secondsFor1Percent', 'fitSeconds', 'validationSeconds', 'accumulateSeconds', 'solveSeconds', 'correctorThreadSeconds', 'seconds', 'kmcThreadSeconds', 'relaxationThreadSeconds']);

function withoutClocks(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutClocks);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).filter(([k]) => !CLOCKS.has(k)).map(([k, v]) => [k, withoutClocks(v)]));
  return value;
}

/** Every number within 1e-12 relative (integers, strings and shapes exactly), walking both documents. */
function assertClose(a: unknown, b: unknown, where = '$'): void {
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isInteger(a) && Number.isInteger(b) && Math.abs(a) < 2 ** 31) assert.equal(a, b, where);
    else assert.ok(a === b || Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b)), `${where}: ${a} vs ${b}`);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    assert.equal(a.length, b.length, `${where}: length`);
    a.forEach((x, i) => assertClose(x, b[i], `${where}[${i}]`));
    return;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    assert.deepEqual(Object.keys(a).sort(), Object.keys(b).sort(), `${where}: keys`);
    for (const k of Object.keys(a)) assertClose((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${where}.${k}`);
    return;
  }
  assert.equal(a, b, where);
}

function assertSameFit(single: Record<string, unknown>, merged: Record<string, unknown>): void {
  assertClose(withoutClocks(merged), withoutClocks(single));
  // Stronger than asked: whole lanes make the sums the single run's, so everything but clocks is the same bits.
  assert.deepEqual(withoutClocks(merged), withoutClocks(single));
  const s = single as { D: { error: number }; models: { validation: { error: number } }[]; trainingTransitions: number; kinosons: { count: number } };
  const m = merged as typeof s;
  assert.equal(m.D.error, s.D.error, 'the error of D');
  assert.deepEqual(m.models.map((x) => x.validation.error), s.models.map((x) => x.validation.error), 'validation errors');
  assert.equal(m.trainingTransitions, s.trainingTransitions);
  assert.equal(m.kinosons.count, s.kinosons.count);
}

function writeConfig(dir: string, name: string, change: (raw: Record<string, unknown>) => Record<string, unknown>): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(change(JSON.parse(fs.readFileSync(interacting, 'utf8')))));
  return file;
}

const singleFit = (args: string[]) => JSON.parse(cli(['kinosons', 'fit', ...args, '--no-kmc', '--json'])) as Record<string, unknown>;

describe('kinosons fit --shard and ionfield merge', function () {
  this.timeout(300_000);

  it('random shard counts and groupings give the single fit (tracer with chains and the corrector; collective of independent states)', () => {
    const dir = tempDir();
    // Interacting (swap-MC chains, so validation errors by chain blocks), two linear models, one with the harmonic corrector.
    const chains = writeConfig(dir, 'chains.json', (raw) => ({
      ...raw,
      states: { ...(raw.states as object), training: 37 },
      models: [
        { name: 'vacancy-shells-2', vacancyShells: 2 },
        { name: 'pairs+corrector', vacancyShells: 2, speciesShells: 1, pairFirstShells: 1, pairSecondShells: 1, corrector: true, correctorShells: 1 },
      ],
    }));
    // Non-interacting (independent states, each its own block), collective L_BB, one KMC-chosen jump per state.
    const independent = writeConfig(dir, 'independent.json', (raw) => ({ ...raw, pairs: [], sampling: 'kmc', models: [{ name: 'pairs', vacancyShells: 1, speciesShells: 1, pairFirstShells: 1, pairSecondShells: 1 }] }));
    for (const [config, target, seeds] of [[chains, 'tracer:B', [1, 2, 3]], [independent, 'collective:B', [4, 5]]] as const) {
      const args = ['--config', config, '--target', target];
      const single = singleFit(args);
      for (const seed of seeds) {
        const random = rng(seed);
        const n = 2 + Math.floor(random() * 6); // 2–7 shards of the 16 lanes
        const work = path.join(dir, `${path.basename(config)}-${seed}`);
        fs.mkdirSync(work);
        const files = runShards(['kinosons', 'fit', ...args, '--no-kmc'], n, work, 'f', '--partial');
        const merged = JSON.parse(fs.readFileSync(mergeRandomly(files, work, random), 'utf8')) as Record<string, unknown>;
        assertSameFit(single, merged);
      }
    }
  });

  it('states from files, the CLI summary, and refusals (other config, other states, shard counts, unshardable models)', () => {
    const dir = tempDir();
    const training = path.join(dir, 'training.npy');
    const validation = path.join(dir, 'validation.npy');
    cli(['kinosons', 'generate', '--config', interacting, '--states', '30', '--out', training]);
    cli(['kinosons', 'generate', '--config', interacting, '--states', '24', '--set', 'validation', '--out', validation]);
    const args = ['--config', interacting, '--training', training, '--validation', validation];
    const single = singleFit(args);
    const work = path.join(dir, 'files');
    fs.mkdirSync(work);
    // --json prints the shard's summary (its training states).
    const files = [0, 1, 2].map((i) => {
      const out = path.join(work, `f-${i}.json`);
      const summary = JSON.parse(cli(['kinosons', 'fit', ...args, '--no-kmc', '--shard', `${i}/3`, '--partial', out, '--json'])) as { partial: string; trainingStates: number[] };
      assert.equal(summary.partial, out);
      return out;
    });
    const partial = JSON.parse(fs.readFileSync(files[1], 'utf8'));
    assert.equal(partial.schema, 'ionfield.shard-partial/2');
    assert.equal(partial.command, 'kinosons fit');
    assert.equal(partial.inputs.length, 3, 'config, training and validation files are inputs');
    assert.deepEqual([partial.pieces[0].firstLane, partial.pieces[0].lastLane, partial.pieces[0].firstState, partial.pieces[0].lastState], [5, 10, 9, 18]);
    const result = path.join(work, 'result.json');
    const printed = JSON.parse(cli(['merge', files[2], files[0], files[1], '--out', result, '--json'])) as Record<string, unknown>;
    assertSameFit(single, printed);
    assertSameFit(single, JSON.parse(fs.readFileSync(result, 'utf8')));

    const never = path.join(dir, 'never.json');
    const refused = (a: string, b: string, pattern: RegExp) => {
      const r = runCli(['merge', a, b, '--out', never]);
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, pattern);
      assert.ok(!fs.existsSync(never));
    };
    // Another config (its seed): the config file differs.
    const other = writeConfig(dir, 'other.json', (raw) => ({ ...raw, seed: 10 }));
    const [, o1] = runShards(['kinosons', 'fit', '--config', other, '--training', training, '--validation', validation, '--no-kmc'], 3, dir, 'o', '--partial');
    refused(files[0], o1, /input 1 differs/);
    // Other training states (a file of 31 states).
    const training31 = path.join(dir, 'training31.npy');
    cli(['kinosons', 'generate', '--config', interacting, '--states', '31', '--out', training31]);
    const [, t1] = runShards(['kinosons', 'fit', '--config', interacting, '--training', training31, '--validation', validation, '--no-kmc'], 3, dir, 't', '--partial');
    refused(files[0], t1, /input 2 differs .*training31\.npy|option trainingStates differs \(31 vs 30\)/);
    // Sampled states rather than files, and another target.
    const [, s1] = runShards(['kinosons', 'fit', '--config', interacting, '--no-kmc'], 3, dir, 's', '--partial');
    refused(files[0], s1, /different numbers of inputs/);
    const [, b1] = runShards(['kinosons', 'fit', ...args, '--target', 'tracer:B', '--no-kmc'], 3, dir, 'b', '--partial');
    refused(files[0], b1, /option target differs/);
    const [, k1] = runShards(['kinosons', 'fit', ...args], 3, dir, 'k', '--partial');
    refused(files[0], k1, /option kmc differs \(true vs false\)/);
    // A validation file changed after the shards ran: the merge runs the validation, so it refuses.
    const copy = path.join(dir, 'validation-copy.npy');
    fs.copyFileSync(validation, copy);
    fs.copyFileSync(`${validation}.json`, `${copy}.json`);
    const moved = runShards(['kinosons', 'fit', '--config', interacting, '--training', training, '--validation', copy, '--no-kmc'], 2, dir, 'v', '--partial');
    const changed = runCli(['merge', ...moved, '--out', never]);
    assert.equal(changed.status, 0, changed.stderr);
    fs.rmSync(never);
    fs.writeFileSync(copy, fs.readFileSync(training).subarray(0, fs.statSync(copy).size)); // same size, other bytes
    const after = runCli(['merge', ...moved, '--out', never]);
    assert.equal(after.status, 1);
    assert.match(after.stderr, /validation states .*validation-copy\.npy changed since the shards ran/);

    // More shards than lanes (or than lanes holding a state), --out with --shard.
    const many = runCli(['kinosons', 'fit', '--config', interacting, '--no-kmc', '--shard', '0/17', '--partial', path.join(dir, 'x.json')]);
    assert.equal(many.status, 2);
    assert.match(many.stderr, /16 fixed lanes .*so at most 16 shards/);
    const out = runCli(['kinosons', 'fit', '--config', interacting, '--no-kmc', '--shard', '0/2', '--out', path.join(dir, 'x.json')]);
    assert.equal(out.status, 2);
    assert.match(out.stderr, /--out: a fit shard writes a partial/);
    // Unshardable models: the gated network (and the residual bias) are named with the reason.
    const net = runCli(['kinosons', 'fit', '--config', network, '--no-kmc', '--shard', '0/2', '--partial', path.join(dir, 'x.json')]);
    assert.equal(net.status, 2);
    assert.match(net.stderr, /model 'network' cannot be fitted in shards: the equivariant gated network \(hidden\) is trained by gradient descent over epochs of all training states/);
    const residual = writeConfig(dir, 'residual.json', (raw) => ({ ...raw, models: [{ name: 'with-bias', vacancyShells: 2, residualBias: true }] }));
    const rb = runCli(['kinosons', 'fit', '--config', residual, '--no-kmc', '--shard', '1/2', '--partial', path.join(dir, 'x.json')]);
    assert.equal(rb.status, 2);
    assert.match(rb.stderr, /model 'with-bias' cannot be fitted in shards: the residual bias \(residualBias\) is fitted in a second pass/);
    const slurm = runCli(['slurm', 'kinosons', 'fit', '--config', network, '--no-kmc', '--shards', '2', '--executor', 'local', '--dir', path.join(dir, 'net-run')]);
    assert.equal(slurm.status, 2);
    assert.match(slurm.stderr, /model 'network' cannot be fitted in shards/);
    assert.ok(!fs.existsSync(path.join(dir, 'x.json')));
  });

  it('ionfield slurm kinosons fit --executor local --jobs 2 gives the single fit', () => {
    const dir = tempDir();
    const single = singleFit(['--config', interacting]);
    cli(['slurm', 'kinosons', 'fit', '--config', interacting, '--no-kmc', '--shards', '3', '--executor', 'local', '--jobs', '2', '--dir', path.join(dir, 'run')]);
    assertSameFit(single, JSON.parse(fs.readFileSync(path.join(dir, 'run', 'result.json'), 'utf8')));
  });
});
